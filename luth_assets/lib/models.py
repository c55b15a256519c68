"""Where model checkpoints live in the lake, and which models are evaluated: the one module that
knows the `models/` folders.

Every checkpoint is a folder that `transformers.AutoModelForCausalLM.from_pretrained` and
`AutoTokenizer.from_pretrained` load directly (config, safetensors, tokenizer, chat template):

- `base`      : `<lake>/models/base_model/` when the demo builds the tiny base, else the hub id or
                local path named by `training.base_model` in the run configuration;
- `sft`       : `<lake>/models/sft_checkpoint/`;
- `merge-<r>` : `<lake>/models/merged/<r>/` for recipe `r` of `merging.recipes`;
- any name of `evaluation.models`: the hub id or folder it names (published checkpoints, scored
  beside ours; never written to).

Beside them: `<lake>/models/.runs/` (a training run's working folder, removed once it succeeds)
and `<lake>/models/best_merge_pareto.png` (the plot of the chosen merge).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from luth_assets.run_config import RunConfig

BASE = "base"
SFT = "sft"
MERGE_PREFIX = "merge-"


def models_dir(lake_root: str | Path) -> Path:
    return Path(lake_root) / "models"


def base_model_dir(lake_root: str | Path) -> Path:
    return models_dir(lake_root) / "base_model"


def sft_checkpoint_dir(lake_root: str | Path) -> Path:
    return models_dir(lake_root) / "sft_checkpoint"


def merged_model_dir(lake_root: str | Path, recipe: str) -> Path:
    return models_dir(lake_root) / "merged" / recipe


def training_runs_dir(lake_root: str | Path) -> Path:
    """Working folders of training runs (resume checkpoints, the rows file)."""
    return models_dir(lake_root) / ".runs"


def pareto_plot_path(lake_root: str | Path) -> Path:
    """The FR/EN Pareto plot written beside `models/best_merge`."""
    return models_dir(lake_root) / "best_merge_pareto.png"


def merge_model_name(recipe: str) -> str:
    return f"{MERGE_PREFIX}{recipe}"


def evaluated_models(config: RunConfig) -> list[str]:
    """The `model` dimension of `benchmark_scores`: base, sft, one per merge recipe, then the
    extra models `evaluation.models` names (published checkpoints: hub ids or folders)."""
    return ([BASE, SFT] + [merge_model_name(r) for r in config.merging.recipe_names()]
            + list(config.evaluation.models))


def resolve_model(config: RunConfig, lake_root: str | Path, name: str) -> str:
    """Path (or hub id) that `from_pretrained` loads for an evaluated model name."""
    if name == BASE:
        return config.training.base_model or str(base_model_dir(lake_root))
    if name == SFT:
        return str(sft_checkpoint_dir(lake_root))
    if name.startswith(MERGE_PREFIX):
        return str(merged_model_dir(lake_root, name[len(MERGE_PREFIX):]))
    if name in config.evaluation.models:
        return config.evaluation.models[name]
    raise ValueError(f"unknown model name {name!r}; expected base, sft, merge-<recipe> or a name "
                     "of evaluation.models")


def in_lake(config: RunConfig, name: str) -> bool:
    """Whether the model is a checkpoint folder of the lake (not a named base or an extra model
    of `evaluation.models`: hub id or path)."""
    return not ((name == BASE and config.training.base_model) or name in config.evaluation.models)
