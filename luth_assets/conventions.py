"""Dagster conventions applied to every asset once the stages are built: `kinds` (the icons in the
UI and `luth materialize --select kind:NAME`), owners (a team per stage) and code references.

Kinds follow the library that does the work: polars/parquet for lake tables, duckdb where SQL
reads them, pytorch for checkpoints, mergekit for merges, the configured LLM provider (gemini,
openai, transformers) for the assets that call it, pdf for the exam files. Dagster shows at most
three kinds per asset.
"""

from __future__ import annotations

import dagster as dg

CODE_REFERENCES = "dagster/code_references"

# layer/table (the key without the `_rejects` suffix) -> kinds; "llm" stands for the provider
TABLE_KINDS: dict[str, tuple[str, ...]] = {
    "bronze/raw_multilingual": ("polars", "parquet"),
    "bronze/english_seed_prompts": ("polars", "parquet"),
    "bronze/exam_pdfs": ("pdf", "polars"),
    "silver/translated_prompts": ("polars", "llm"),
    "silver/regenerated_responses": ("polars", "llm"),
    "silver/judged_samples": ("polars", "llm"),
    "silver/exam_texts": ("pdf", "polars"),
    "silver/exam_quarantine": ("pdf", "polars"),
    "silver/exam_vision": ("pdf", "llm"),   # silver/exam_vision_rejects
    "silver/scholar_items": ("polars", "llm"),
    "silver/scholar_items_clean": ("polars", "parquet"),
    "gold/sft_mix": ("polars", "huggingface", "duckdb"),
    "gold/benchmark_items": ("polars", "parquet"),
    "gold/benchmark_scores": ("pytorch", "polars"),
    "gold/score_table": ("polars", "duckdb"),
    "models/base_model": ("pytorch", "huggingface"),
    "models/sft_checkpoint": ("pytorch", "huggingface"),
    "models/merged_models": ("mergekit", "pytorch", "huggingface"),
    "models/best_merge": ("mergekit", "polars"),
    "ops/llm_calls": ("polars", "duckdb"),
    "ops/exam_unpaired": ("polars", "parquet"),
}
SLICE_KINDS = ("polars", "parquet")  # silver/<language>_slices, named after the target language
PROVIDER_KINDS = {"gemini": "gemini", "openai_compatible": "openai", "transformers": "pytorch",
                  "replay": "python"}


# stage (the asset's group) -> the team that owns its assets: the "Owner" column and filter of the
# UI, `dg list defs`. One team per stage; edit here to name yours (a `team:` name or an e-mail).
STAGE_OWNERS: dict[str, str] = {
    "sources": "team:data-sources",
    "translation": "team:data-translation",
    "scholar": "team:data-scholar",
    "curation": "team:data-curation",
    "training": "team:training",
    "merging": "team:training",
    "evaluation": "team:evaluation",
    "ops": "team:platform",
}


def owners_for(spec: dg.AssetSpec) -> list[str]:
    if spec.group_name not in STAGE_OWNERS:
        raise KeyError(f"asset {spec.key.to_user_string()} is in group {spec.group_name!r}, which "
                       "has no owner: add it to luth_assets/conventions.py STAGE_OWNERS")
    return [STAGE_OWNERS[spec.group_name]]


def kinds_for(key: dg.AssetKey, provider: str) -> set[str]:
    name = key.to_user_string().removesuffix("_rejects")
    kinds = TABLE_KINDS.get(name)
    if kinds is None and name.startswith("silver/") and name.endswith("_slices"):
        kinds = SLICE_KINDS
    if kinds is None:
        raise KeyError(f"asset {key.to_user_string()} has no kinds: add it to "
                       "luth_assets/conventions.py TABLE_KINDS")
    return {PROVIDER_KINDS.get(provider, provider) if k == "llm" else k for k in kinds}


def with_conventions(defs: dg.Definitions, provider: str) -> dg.Definitions:
    """Every asset gets its kinds and its stage's owner, and points the UI at the function that
    defines it (Dagster's `with_source_code_references`) unless it already names its place (the
    filter node does)."""
    assets = []
    for a in defs.assets or []:
        if not any(CODE_REFERENCES in a.metadata_by_key.get(k, {}) for k in a.keys):
            a = dg.with_source_code_references([a])[0]
        a = a.map_asset_specs(
            lambda spec: spec.merge_attributes(kinds=kinds_for(spec.key, provider) - spec.kinds,
                                               owners=[o for o in owners_for(spec) if o not in spec.owners]))
        assets.append(a)
    return dg.Definitions(assets=assets, asset_checks=defs.asset_checks, sensors=defs.sensors)
