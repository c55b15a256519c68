"""Where model checkpoints live in the lake, and which models are evaluated.

Every checkpoint is a folder that `transformers.AutoModelForCausalLM.from_pretrained` and
`AutoTokenizer.from_pretrained` load directly (config, safetensors, tokenizer, chat template):

- `base`      : `<lake>/models/base_model/` when the demo builds the tiny base, else the hub id or
                local path named by `training.base_model` in the run configuration;
- `sft`       : `<lake>/models/sft_checkpoint/`;
- `merge-<r>` : `<lake>/models/merged/<r>/` for recipe `r` of `merging.recipes`.
"""

from __future__ import annotations

from pathlib import Path

BASE = "base"
SFT = "sft"
MERGE_PREFIX = "merge-"


def base_model_dir(lake_root: str | Path) -> Path:
    return Path(lake_root) / "models" / "base_model"


def sft_checkpoint_dir(lake_root: str | Path) -> Path:
    return Path(lake_root) / "models" / "sft_checkpoint"


def merged_model_dir(lake_root: str | Path, recipe: str) -> Path:
    return Path(lake_root) / "models" / "merged" / recipe


def merge_model_name(recipe: str) -> str:
    return f"{MERGE_PREFIX}{recipe}"


def evaluated_models(config) -> list[str]:
    """The `model` dimension of `benchmark_scores`: base, sft, then one per merge recipe."""
    return [BASE, SFT] + [merge_model_name(r) for r in config.merging.recipe_names()]


def resolve_model(config, lake_root: str | Path, name: str) -> str:
    """Path (or hub id) that `from_pretrained` loads for an evaluated model name."""
    if name == BASE:
        return config.training.base_model or str(base_model_dir(lake_root))
    if name == SFT:
        return str(sft_checkpoint_dir(lake_root))
    if name.startswith(MERGE_PREFIX):
        return str(merged_model_dir(lake_root, name[len(MERGE_PREFIX):]))
    raise ValueError(f"unknown model name {name!r}; expected base, sft or merge-<recipe>")
