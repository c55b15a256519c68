"""Hugging Face cards: README.md with YAML front matter for the SFT checkpoint, every merge, and
the SFT mix dataset folder.

A model card has a title, `base_model` (hub ids as given, local folders relative to the lake so a
lake can be moved), the recipe, the data and the scores (filled in by `gold/score_table` once the
models are scored, see :func:`update_card_scores`). Nothing here pushes to the hub.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

SCORES_HEADING = "## Scores"
NO_SCORES = "Not scored yet: `luth materialize --select group:evaluation` fills this section."


def model_ref(name: str | os.PathLike, root: str | os.PathLike | None) -> str:
    """A hub id as given; a local folder relative to `root` (the lake) when under it."""
    path = Path(name)
    if not path.is_absolute() and not path.exists():
        return str(name)  # a hub id (Qwen/Qwen3-0.6B)
    if root is not None:
        try:
            return path.resolve().relative_to(Path(root).resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def front_matter(data: Mapping[str, Any]) -> str:
    return "---\n" + yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True) + "---\n"


def read_front_matter(text: str) -> dict[str, Any]:
    match = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    return yaml.safe_load(match.group(1)) if match else {}


def scores_section(scores: Mapping[str, Any] | None) -> str:
    if not scores:
        return f"{SCORES_HEADING}\n\n{NO_SCORES}\n"
    rows = "\n".join(f"| {k} | {v:.2f} |" if isinstance(v, float) else f"| {k} | {v} |"
                     for k, v in scores.items() if v is not None)
    return (f"{SCORES_HEADING}\n\nFrom `gold/score_table` (percent).\n\n"
            f"| benchmark | score |\n|---|---:|\n{rows}\n")


def model_card(*, title: str, base_models: Sequence[str], summary: str, recipe: Mapping[str, Any],
               data: Sequence[str], scores: Mapping[str, Any] | None = None,
               license: str = "apache-2.0", tags: Sequence[str] = ()) -> str:
    meta = {"base_model": list(base_models), "library_name": "transformers",
            "pipeline_tag": "text-generation", "language": ["fr", "en"], "license": license,
            "tags": ["luth", *tags]}
    recipe_lines = "\n".join(f"- {k}: `{v}`" for k, v in recipe.items())
    data_lines = "\n".join(f"- `{d}`" for d in data) or "- (none recorded)"
    return (f"{front_matter(meta)}\n# {title}\n\n{summary}\n\n## Recipe\n\n{recipe_lines}\n\n"
            f"## Data\n\n{data_lines}\n\n{scores_section(scores)}")


def write_card(folder: str | os.PathLike, text: str) -> Path:
    path = Path(folder) / "README.md"
    path.write_text(text, encoding="utf-8")
    return path


def update_card_scores(folder: str | os.PathLike, scores: Mapping[str, Any]) -> bool:
    """Replace the Scores section of the card in `folder` (False when it has no card of ours)."""
    path = Path(folder) / "README.md"
    if not path.is_file():
        return False
    text = path.read_text(encoding="utf-8")
    if SCORES_HEADING not in text:
        return False
    head = text.split(SCORES_HEADING, 1)[0]
    path.write_text(head + scores_section(scores), encoding="utf-8")
    return True


def sft_card(cfg: Any, metrics: Mapping[str, Any], root: str | os.PathLike | None,
             data: Sequence[str] | None = None) -> str:
    """The card of an SFT checkpoint made by `luth_train.sft.train` with TrainConfig `cfg`."""
    keys = ("learning_rate", "lr_scheduler", "num_epochs", "max_steps", "sequence_len",
            "sample_packing", "train_on_inputs", "micro_batch_size", "gradient_accumulation_steps",
            "optimizer", "weight_decay", "warmup_ratio", "bf16", "seed")
    recipe = {"method": "full-parameter SFT, loss on assistant turns only",
              **{k: getattr(cfg, k) for k in keys if hasattr(cfg, k)}}
    for name in ("global_step", "train_loss", "val_loss"):
        if metrics.get(name) is not None:
            value = metrics[name]
            recipe[name] = round(value, 4) if isinstance(value, float) else value
    base = model_ref(cfg.base_model, root)
    return model_card(
        title=f"Luth SFT of {base}", base_models=[base],
        summary=f"Full fine-tune of `{base}` on French instruction data (the Luth recipe, "
        "arXiv 2510.05846), made by the Luth lakehouse.",
        recipe=recipe, data=data or [model_ref(d, root) for d in cfg.datasets], tags=["sft"])


def merge_card(*, name: str, method: str, base_model: str, finetuned_model: str, mergekit_yaml: str,
               root: str | os.PathLike | None) -> str:
    """The card of a merged model (replaces mergekit's, which names a temporary folder)."""
    base, ft = model_ref(base_model, root), model_ref(finetuned_model, root)
    mergekit_yaml = mergekit_yaml.replace(str(base_model), base).replace(str(finetuned_model), ft)
    card = model_card(
        title=f"Luth merge {name}: {ft} merged back into {base}", base_models=[base, ft],
        summary=f"`{ft}` merged with its base `{base}` by mergekit ({method}), the Luth recipe "
        "for recovering English while keeping the French gains.",
        recipe={"merge_method": method, "base": base, "fine-tuned": ft},
        data=[f"{ft} (see its card)"], tags=["merge", "mergekit"])
    head, scores = card.split(SCORES_HEADING, 1)
    return (f"{head}### mergekit configuration\n\n```yaml\n{mergekit_yaml.strip()}\n```\n\n"
            f"{SCORES_HEADING}{scores}")


class PushError(RuntimeError):
    """A folder could not be pushed to the hub; the message names the repo, never the token."""


def push_folder(folder: str | os.PathLike, repo_id: str, repo_type: str = "model",
                endpoint: str | None = None) -> str:
    """Upload `folder` (card included) to the hub repo `repo_id`, creating it if needed; the
    token comes from the environment (`HF_TOKEN` or `huggingface-cli login`). Returns its URL."""
    from huggingface_hub import HfApi

    api = HfApi(endpoint=endpoint)  # None: HF_ENDPOINT or the public hub
    try:
        api.create_repo(repo_id, repo_type=repo_type, exist_ok=True)
        api.upload_folder(folder_path=str(folder), repo_id=repo_id, repo_type=repo_type,
                          commit_message="Luth lakehouse: push from the pipeline")
    except Exception as err:  # noqa: BLE001 - any hub failure becomes one clear line
        raise PushError(f"push_to_hub: could not push {folder} to the {repo_type} repo {repo_id} "
                        f"({type(err).__name__}); check the network, HF_TOKEN and the repo id, "
                        "or leave push_to_hub unset") from None
    prefix = "datasets/" if repo_type == "dataset" else ""
    return f"https://huggingface.co/{prefix}{repo_id}"
