"""Blocking checks of the per-exam scholar tables (the clean table's reconcile check comes with
its filter node)."""

import dagster as dg
import polars as pl

from luth_assets.stages.scholar.assets import EXAM_TEXTS, ITEMS, ITEMS_REJECTS, QUARANTINE
from luth_assets.stages.scholar.partitions import PARTITIONS


@dg.asset_check(asset=EXAM_TEXTS, partitions_def=PARTITIONS, blocking=True,
                additional_ins={"quarantine": dg.AssetIn(key=QUARANTINE)},
                description="each of the exam's two documents is read or quarantined, "
                "never both, never neither")
def exam_documents_accounted(exam_texts: pl.DataFrame, quarantine: pl.DataFrame
                             ) -> dg.AssetCheckResult:
    read = set(exam_texts["role"].unique().to_list())
    held = set(quarantine["role"].unique().to_list())
    return dg.AssetCheckResult(passed=read | held == {"sujet", "corrige"} and not read & held,
                               metadata={"read": sorted(read), "quarantined": sorted(held)})


@dg.asset_check(asset=ITEMS, partitions_def=PARTITIONS, blocking=True,
                additional_ins={"rejects": dg.AssetIn(key=ITEMS_REJECTS)},
                description="every listed question is one item or one reject (sample_ids "
                "unique across both), every reject has a reason")
def scholar_items_accounted(scholar_items: pl.DataFrame, rejects: pl.DataFrame
                            ) -> dg.AssetCheckResult:
    ids = pl.concat([scholar_items.select("sample_id"), rejects.select("sample_id")])
    duplicated = ids.height - ids.n_unique()
    no_reason = rejects.filter(pl.col("reason").is_null() | (pl.col("reason") == "")).height
    return dg.AssetCheckResult(passed=duplicated == 0 and no_reason == 0, metadata={
        "items": scholar_items.height, "rejects": rejects.height,
        "duplicated_ids": duplicated, "rejects_without_reason": no_reason})

