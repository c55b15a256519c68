"""Run-config recipes -> what `luth_train.merge.merge` takes (our MergeRecipe, or a mergekit YAML
path used unchanged), and the metadata a merged partition records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from luth_assets.stages.merging.settings import MergingConfig, RecipeSpec


def merge_source(spec: RecipeSpec, merging: MergingConfig, base: str, sft: str, name: str):
    """A `MergeRecipe` for our shorthand, else the mergekit YAML path (passed through unchanged)."""
    from luth_train.merge import MergeRecipe

    if spec.mergekit_yaml is not None:
        if not Path(spec.mergekit_yaml).is_file():
            raise FileNotFoundError(
                f"merging.recipes.{name}.mergekit_yaml {spec.mergekit_yaml} does not exist")
        return spec.mergekit_yaml
    return MergeRecipe(name=name, method=spec.method, base_model=base, finetuned_model=sft,
                       alpha=spec.alpha, self_attn_t=spec.self_attn_t, mlp_t=spec.mlp_t,
                       dtype=spec.dtype or merging.dtype)


def run_options(merging: MergingConfig):
    from luth_train.merge import MergeRunOptions

    return MergeRunOptions(in_process=merging.in_process, out_shard_size=merging.out_shard_size,
                           num_threads=merging.threads,
                           stream_rows_min_bytes=merging.stream_rows_min_bytes)


def result_metadata(result, spec: RecipeSpec) -> dict[str, Any]:
    """Plain values for the partition's metadata (the asset wraps the YAML as markdown)."""
    meta: dict[str, Any] = {
        "method": result.method,
        "alpha": spec.alpha if spec.mergekit_yaml is None else None,
        "output_path": result.out_dir,
        "output_sha256": result.output_sha256,
        "size_bytes": result.size_bytes,
        "merge_time_s": round(result.merge_time_s, 3),
        "wall_time_s": round(result.wall_time_s, 3),
        "peak_rss_bytes": result.peak_rss_bytes,
        "tensors_streamed_in_row_blocks": len(result.streamed_tensors),
        "base_model": result.base_model,
        "finetuned_model": result.finetuned_model,
    }
    if result.validation is not None:
        meta["validation"] = "passed"
        meta["validation_sample"] = result.validation.generated_text
        meta["tensors_checked"] = result.validation.n_tensors
    return {k: v for k, v in meta.items() if v is not None}
