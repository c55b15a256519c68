"""The `merging:` section of the run configuration.

Stage: merged models (partition per recipe) and the FR/EN Pareto choice.

```yaml
merging:
  sweep:                              # expands to linear_a0.1 ... linear_a0.9 + slerp_authors
    alphas: [0.1, 0.3, 0.5, 0.7, 0.9]
    slerp_authors: true
  recipes:                            # more recipes, by name (the partition key)
    slerp_flat: {method: slerp, alpha: 0.4}
    authors_linear: {mergekit_yaml: ../merge/merge_linear.yaml}   # mergekit's own format, unchanged
  dtype: bfloat16
  pareto: {rule: fr_with_en_floor, en_tolerance: 0.0}
```
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from luth_assets.lib.strict import StrictModel

AUTHORS_SELF_ATTN_T = [0.0, 0.5, 0.3, 0.7, 1.0]
AUTHORS_MLP_T = [1.0, 0.5, 0.7, 0.3, 0.0]
PARETO_RULES = ("fr_with_en_floor", "max_fr", "max_mean")


class RecipeSpec(StrictModel):
    """One merge of `sft` back into `base`: our shorthand, or a mergekit YAML file used unchanged."""

    method: Literal["linear", "slerp"] = "linear"
    alpha: float = Field(0.5, ge=0.0, le=1.0,
                         description="weight of the fine-tuned model (LERP) / default t (SLERP)")
    self_attn_t: list[float] | None = Field(None, description="SLERP t gradient for self_attn layers")
    mlp_t: list[float] | None = Field(None, description="SLERP t gradient for mlp layers")
    dtype: str | None = Field(None, description="merge dtype; default merging.dtype")
    mergekit_yaml: Path | None = Field(
        None, description="a mergekit YAML used byte for byte (its model names must be reachable "
        "paths, e.g. the lake's models/base_model and models/sft_checkpoint)")

    @model_validator(mode="after")
    def _check(self) -> RecipeSpec:
        if self.method != "slerp" and (self.self_attn_t or self.mlp_t):
            raise ValueError("self_attn_t / mlp_t are SLERP gradients; set method: slerp")
        for grad in (self.self_attn_t, self.mlp_t):
            if grad is not None and (not grad or any(not 0.0 <= v <= 1.0 for v in grad)):
                raise ValueError(f"a SLERP gradient must be a non-empty list of values in [0, 1], got {grad}")
        return self


class SweepSpec(StrictModel):
    alphas: list[float] = Field(default_factory=list, description="one linear recipe per alpha")
    slerp_authors: bool = Field(False, description="add the authors' SLERP gradients (slerp_authors)")

    @field_validator("alphas")
    @classmethod
    def _alphas(cls, value: list[float]) -> list[float]:
        if any(not 0.0 <= a <= 1.0 for a in value):
            raise ValueError(f"alphas must lie in [0, 1], got {value}")
        return value


class ParetoRule(StrictModel):
    rule: Literal["fr_with_en_floor", "max_fr", "max_mean"] = Field(
        "fr_with_en_floor",
        description="fr_with_en_floor: best French average among merges on the FR/EN Pareto front "
        "whose English average >= base's - en_tolerance; max_fr: best French average on the "
        "front; max_mean: best mean of the two averages")
    en_tolerance: float = Field(0.0, ge=0.0, description="points of English the choice may lose")


class MergingConfig(StrictModel):
    """Settings of the merging stage. Unknown keys are errors."""

    sweep: SweepSpec = Field(default_factory=SweepSpec)
    recipes: dict[str, RecipeSpec] = Field(default_factory=dict)
    dtype: str = Field("bfloat16", description="default merge dtype (float32 for exact tiny tests)")
    validate_merges: bool = Field(True, description="post-merge validation (fails the partition)")
    in_process: bool = Field(False, description="run mergekit in the Dagster process (faster start; "
                             "peak memory then includes Dagster's)")
    out_shard_size: int = Field(200_000_000, ge=1_000_000, description="bytes per output shard")
    threads: int | None = Field(None, ge=1, description="torch threads for mergekit")
    stream_rows_min_bytes: int | None = Field(
        64 << 20, ge=1, description="linear merges of tensors this large run in row blocks, so only "
        "the output and one block of each input are in memory (child-process merges; null: never)")
    pareto: ParetoRule = Field(default_factory=ParetoRule)

    @field_validator("recipes")
    @classmethod
    def _names(cls, value: dict[str, Any]) -> dict[str, Any]:
        for name in value:
            if not re.fullmatch(r"[A-Za-z0-9_.\-]+", name):
                raise ValueError(f"recipe name {name!r} must be letters, digits, '_', '-' or '.'")
        return value

    def all_recipes(self) -> dict[str, RecipeSpec]:
        """Sweep recipes then explicit ones (an explicit recipe wins over a sweep name)."""
        out: dict[str, RecipeSpec] = {}
        for a in self.sweep.alphas:
            out[f"linear_a{a:g}"] = RecipeSpec(method="linear", alpha=a)
        if self.sweep.slerp_authors:
            out["slerp_authors"] = RecipeSpec(method="slerp", alpha=0.5, self_attn_t=AUTHORS_SELF_ATTN_T,
                                              mlp_t=AUTHORS_MLP_T)
        out.update(self.recipes)
        return out

    def recipe_names(self) -> list[str]:
        """Names of the configured merge recipes (one `merged_models` partition each)."""
        return sorted(self.all_recipes())

    def with_base(self, base: Path) -> MergingConfig:
        """Resolve mergekit YAML paths against the run configuration's folder."""
        recipes = {
            name: spec.model_copy(update={"mergekit_yaml": (base / spec.mergekit_yaml).resolve()})
            if spec.mergekit_yaml is not None and not spec.mergekit_yaml.is_absolute() else spec
            for name, spec in self.recipes.items()
        }
        return self.model_copy(update={"recipes": recipes})
