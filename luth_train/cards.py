"""Hugging Face cards: README.md with YAML front matter for the SFT checkpoint, every merge, and
the SFT mix dataset folder.

The front matter uses only keys the hub knows (`HUB_MODEL_KEYS`, `HUB_DATASET_KEYS`) and names
things by their hub ids: `base_model` lists the hub ids a model derives from (a local folder counts
when its hub id is known: the hub cache layout `models--owner--name`, or the `hub_id` its record
names after a push; else it is left out and a YAML comment says why), `datasets` the hub ids of the
training data, and the licence comes from the base (`BASE_LICENCES`, one table). The body keeps the
lake paths (relative to the lake, so a moved lake keeps a correct card), the recipe, the data and
the scores with their item counts and standard errors (filled in by `gold/score_table` once the
models are scored, see :func:`update_card_scores`). Nothing here pushes to the hub but
:func:`push_folder`.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

SCORES_HEADING = "## Scores"
NO_SCORES = "Not scored yet: `luth materialize --select group:evaluation` fills this section."

# Front-matter keys the hub documents (docs/hub/model-cards.md, datasets-cards.md); a card of
# ours uses no other.
HUB_MODEL_KEYS = frozenset({
    "language", "license", "license_name", "license_link", "library_name", "tags", "datasets",
    "metrics", "base_model", "base_model_relation", "pipeline_tag", "model-index", "model_name",
    "thumbnail", "inference", "widget", "new_version", "co2_eq_emissions"})
HUB_DATASET_KEYS = frozenset({
    "language", "license", "license_name", "license_link", "annotations_creators",
    "language_creators", "multilinguality", "size_categories", "source_datasets", "task_categories",
    "task_ids", "paperswithcode_id", "pretty_name", "tags", "configs", "dataset_info",
    "train-eval-index", "viewer"})

# The licence of a model made from a base: the base's. First match wins; `{name}` is the repo name.
BASE_LICENCES: tuple[tuple[str, dict[str, str]], ...] = (
    (r"Qwen/Qwen3-[^/]+", {"license": "apache-2.0"}),
    (r"LiquidAI/LFM2-[^/]+", {"license": "other", "license_name": "lfm1.0",
                              "license_link": "https://huggingface.co/LiquidAI/{name}/blob/main/LICENSE"}),
    (r"kurakurai/Luth-LFM2-[^/]+", {"license": "other", "license_name": "lfm1.0",
                                    "license_link": "https://huggingface.co/LiquidAI/LFM2-1.2B/blob/main/LICENSE"}),
    (r"kurakurai/Luth-[^/]+", {"license": "apache-2.0"}),
)
UNKNOWN_LICENCE = {"license": "unknown"}  # a hub base not in BASE_LICENCES: look it up and add it

HUB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$")
CACHE_FOLDER = re.compile(r"^(?:models|datasets)--([^/]+?)--([^/]+)$")
RECORD_FILES = ("luth_training.json", "luth_merge.json")  # a model folder's record (hub_id once pushed)


def is_hub_id(name: str | os.PathLike) -> bool:
    """`owner/name` that is not a local path."""
    text = str(name)
    return bool(HUB_ID.match(text)) and not Path(text).exists()


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


def hub_id(name: str | os.PathLike) -> str | None:
    """The hub id a model comes from: itself for a hub id; for a local folder the id of the hub
    cache layout it sits in (`models--Qwen--Qwen3-0.6B/snapshots/<rev>`) or the `hub_id` of its
    record (written after a push); None when unknown."""
    if is_hub_id(name):
        return str(name)
    path = Path(name)
    for part in reversed(path.resolve().parts if path.exists() else path.parts):
        if m := CACHE_FOLDER.match(part):
            return f"{m.group(1)}/{m.group(2)}"
    for record in RECORD_FILES:
        try:
            value = json.loads((path / record).read_text(encoding="utf-8")).get("hub_id")
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(value, str) and HUB_ID.match(value):
            return value
    return None


def base_licence(base_hub_id: str) -> dict[str, str]:
    """`license` (+ `license_name`, `license_link` for a licence of its own) of the hub model
    `base_hub_id` and of what is made from it (`BASE_LICENCES`; `unknown` when not listed)."""
    for pattern, licence in BASE_LICENCES:
        if re.fullmatch(pattern, base_hub_id):
            name = base_hub_id.split("/", 1)[1]
            return {k: v.format(name=name) for k, v in licence.items()}
    return dict(UNKNOWN_LICENCE)


def card_metadata(folder: str | os.PathLike) -> dict[str, Any]:
    """The front matter of the card (README.md) in a local model folder; {} when none."""
    path = Path(folder) / "README.md"
    try:
        return read_front_matter(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}


def licence_of(model: str | os.PathLike) -> dict[str, str]:
    """A model's licence: its own card's for a local folder that has one (a downloaded
    checkpoint, the demo's tiny base, our SFT), else its hub id's in `BASE_LICENCES`, else
    `unknown`."""
    meta = card_metadata(model) if Path(model).is_dir() else {}
    if isinstance(meta.get("license"), str):
        return {k: str(meta[k]) for k in ("license", "license_name", "license_link") if meta.get(k)}
    known = hub_id(model)
    return base_licence(known) if known else dict(UNKNOWN_LICENCE)


def front_matter(data: Mapping[str, Any], comments: Sequence[str] = ()) -> str:
    """YAML front matter; `comments` become `# ...` lines at its end (why a key is left out)."""
    notes = "".join(f"# {c}\n" for c in comments)
    return "---\n" + yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True) + notes + "---\n"


def read_front_matter(text: str) -> dict[str, Any]:
    match = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    return (yaml.safe_load(match.group(1)) or {}) if match else {}


def format_score(value: Any) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def scores_section(scores: Mapping[str, Any] | None) -> str:
    """The Scores section: one row per benchmark. A value is a number (an average) or a mapping
    with `score`, `n` (items) and `stderr` (standard error over items, points)."""
    if not scores:
        return f"{SCORES_HEADING}\n\n{NO_SCORES}\n"
    rows = []
    for name, value in scores.items():
        cell = value if isinstance(value, Mapping) else {"score": value}
        if cell.get("score") is None:
            continue
        n, stderr = cell.get("n"), cell.get("stderr")
        err = f"± {stderr:.2f}" if isinstance(stderr, float) and math.isfinite(stderr) else ""
        rows.append(f"| {name} | {format_score(cell['score'])} | {n if n is not None else ''} | {err} |")
    return (f"{SCORES_HEADING}\n\nFrom `gold/score_table` (percent; a `language_loss_*` row is a "
            "mean loss in nats per token). n: items scored; ± the standard error over those items "
            "(a score from few items says little).\n\n"
            "| benchmark | score | n | standard error |\n|---|---:|---:|---:|\n" + "\n".join(rows) + "\n")


def model_card(*, title: str, base_models: Sequence[str], summary: str, recipe: Mapping[str, Any],
               data: Sequence[str], licence: Mapping[str, str], scores: Mapping[str, Any] | None = None,
               datasets: Sequence[str] = (), tags: Sequence[str] = (), relation: str | None = None,
               root: str | os.PathLike | None = None) -> str:
    """`base_models`: local paths or hub ids; the front matter keeps their hub ids (`hub_id`) and a
    comment names each left out. `datasets`: hub ids of the training data (others left out)."""
    ids = [hub_id(b) for b in base_models]
    known = [i for i in ids if i is not None]
    meta: dict[str, Any] = {}
    if known:
        meta["base_model"] = known if len(known) > 1 else known[0]
        if relation:
            meta["base_model_relation"] = relation
    meta |= {"library_name": "transformers", "pipeline_tag": "text-generation",
             "language": ["fr", "en"], **licence, "tags": ["luth", *tags]}
    hub_datasets = [d for d in datasets if HUB_ID.match(d)]
    if hub_datasets:
        meta["datasets"] = hub_datasets
    comments = [f"base_model: {model_ref(b, root)} has no known hub id (not on the hub, or not pushed)"
                for b, i in zip(base_models, ids, strict=True) if i is None]
    if not hub_datasets:
        comments.append("datasets: the training data has no hub id (set curation.hub_id or push_to_hub)")
    recipe_lines = "\n".join(f"- {k}: `{v}`" for k, v in recipe.items())
    data_lines = "\n".join(f"- `{d}`" for d in data) or "- (none recorded)"
    return (f"{front_matter(meta, comments)}\n# {title}\n\n{summary}\n\n## Recipe\n\n{recipe_lines}\n\n"
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
             data: Sequence[str] | None = None, datasets: Sequence[str] = ()) -> str:
    """The card of an SFT checkpoint made by `luth_train.sft.train` with TrainConfig `cfg`;
    `datasets`: hub ids of its training data."""
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
        title=f"Luth SFT of {base}", base_models=[cfg.base_model], licence=licence_of(cfg.base_model),
        summary=f"Full fine-tune of `{base}` on French instruction data (the Luth recipe, "
        "arXiv 2510.05846), made by the Luth lakehouse.", relation="finetune",
        recipe=recipe, data=data or [model_ref(d, root) for d in cfg.datasets], datasets=datasets,
        tags=["sft"], root=root)


def merge_card(*, name: str, method: str, base_model: str, finetuned_model: str, mergekit_yaml: str,
               root: str | os.PathLike | None) -> str:
    """The card of a merged model (replaces mergekit's, which names a temporary folder): both
    models' hub ids where known, the fine-tuned model's datasets and licence (its card's; else
    the base's)."""
    base, ft = model_ref(base_model, root), model_ref(finetuned_model, root)
    mergekit_yaml = mergekit_yaml.replace(str(base_model), base).replace(str(finetuned_model), ft)
    ft_meta = card_metadata(finetuned_model) if Path(finetuned_model).is_dir() else {}
    datasets = ft_meta.get("datasets") or []
    licence = licence_of(finetuned_model) if ft_meta.get("license") else licence_of(base_model)
    card = model_card(
        title=f"Luth merge {name}: {ft} merged back into {base}", base_models=[base_model, finetuned_model],
        summary=f"`{ft}` merged with its base `{base}` by mergekit ({method}), the Luth recipe "
        "for recovering English while keeping the French gains.", licence=licence,
        recipe={"merge_method": method, "base": base, "fine-tuned": ft}, relation="merge",
        data=[f"{ft} (see its card)"], datasets=[d for d in datasets if isinstance(d, str)],
        tags=["merge", "mergekit"], root=root)
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
