"""Asset check of each `gold/benchmark_scores` cell (model x benchmark): every item of the
benchmark (`gold/benchmark_items`) is scored once in every run, and each run's score is a
percentage within [0, 100] (a held-out loss view: a finite loss above 0 over the texts scored).

The check is partitioned like the cells, so the UI shows it per cell and a failed cell blocks
what reads it (`gold/score_table`) in the same run.
"""

from __future__ import annotations

import math

import dagster as dg
import polars as pl

from luth_assets.resources import LakeResource
from luth_assets.stages import keys
from luth_train.evaluation.registry import LANGUAGE_LOSS_NAMES
from luth_train.evaluation.tables import run_scores

BENCHMARK_SCORES = dg.AssetKey(["gold", "benchmark_scores"])


def cell_problems(cell: pl.DataFrame, n_items: int) -> tuple[list[str], pl.DataFrame]:
    """What is wrong with one cell's rows (empty: nothing), and its per-run scores."""
    if cell.is_empty():
        return ["no scored rows"], pl.DataFrame()
    runs = run_scores(cell)
    benchmark = cell["benchmark"][0]
    problems = []
    if benchmark in LANGUAGE_LOSS_NAMES:
        bad = [s for s in runs["score"].to_list() if s is None or not math.isfinite(s) or s <= 0]
        if bad:
            problems.append(f"loss not finite and above 0: {bad}")
        return problems, runs
    unscored = cell["correct"].null_count()
    if unscored:
        problems.append(f"{unscored} rows without a verdict (correct is null)")
    for run in runs.to_dicts():
        if run["n"] != n_items:
            problems.append(f"run {run['run']}: {run['n']} items scored of {n_items}")
        if run["score"] is None or not 0.0 <= run["score"] <= 100.0:
            problems.append(f"run {run['run']}: score {run['score']} outside [0, 100]")
    duplicated = cell.height - cell.select("item_id", "run").n_unique()
    if duplicated:
        problems.append(f"{duplicated} items scored twice in a run")
    return problems, runs


def benchmark_scores_check(cells: dg.PartitionsDefinition) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=BENCHMARK_SCORES, partitions_def=cells, blocking=True,
                    description="every item of the benchmark scored once in every run; each "
                    "run's score within [0, 100] (a held-out loss: finite, above 0)")
    def benchmark_scores_valid(benchmark_scores: pl.DataFrame, lake: LakeResource
                               ) -> dg.AssetCheckResult:
        cell = benchmark_scores
        name = cell["benchmark"][0] if cell.height else None
        items = lake.read(keys.BENCHMARK_ITEMS).filter(pl.col("benchmark") == name) \
            .select(pl.len()).collect().item()
        problems, runs = cell_problems(cell, items)
        return dg.AssetCheckResult(passed=not problems, metadata={
            "benchmark_items": items, "runs": runs.height,
            "scores": dg.MetadataValue.json(runs["score"].to_list() if runs.height else []),
            "problems": dg.MetadataValue.json(problems)})

    return benchmark_scores_valid
