"""Asset check of `gold/score_table`: every evaluated model has a score on every configured
benchmark (a cell left out because its partition failed would otherwise only be a log line)."""

import dagster as dg
import polars as pl

from luth_assets.lib.models import evaluated_models
from luth_assets.resources import LakeResource
from luth_assets.run_config import RunConfig
from luth_assets.stages import keys


def missing_cells(table: pl.DataFrame, models: list[str], benchmarks: list[str]) -> list[str]:
    """`model x benchmark` cells without a score: a model without a row, a benchmark without a
    column, or a null value. Extra rows or columns (published references, losses) are fine."""
    if "kind" in table.columns:
        table = table.filter(pl.col("kind") == "ours")
    rows = {r["model"]: r for r in table.to_dicts()} if "model" in table.columns else {}
    return [f"{m} x {b}" for m in models for b in benchmarks
            if rows.get(m, {}).get(b) is None]


@dg.asset_check(asset=keys.SCORE_TABLE, blocking=True,
                description="every evaluated model has a score on every configured benchmark "
                "(and the held-out losses)")
def score_table_complete(lake: LakeResource, run_config: dg.ResourceParam[RunConfig]
                         ) -> dg.AssetCheckResult:
    table = lake.read(keys.SCORE_TABLE).collect()
    settings = run_config.evaluation
    models, names = evaluated_models(run_config), list(settings.specs()) + settings.loss_names()
    missing = missing_cells(table, models, names)
    return dg.AssetCheckResult(passed=not missing, metadata={
        "cells_expected": len(models) * len(names), "cells_missing": len(missing),
        "missing": dg.MetadataValue.json(missing[:50])})
