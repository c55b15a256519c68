"""The check of each `gold/benchmark_scores` cell: every benchmark item scored once per run, each
run's score within [0, 100]; run by Dagster with the cells on a temporary lake, and on bad cells."""

from __future__ import annotations

import shutil

import dagster as dg
import polars as pl

from luth_assets.lib.models import base_model_dir, sft_checkpoint_dir
from luth_assets.materialize import materialize_all
from luth_assets.run_config import Settings
from luth_assets.stages import keys
from luth_assets.stages.evaluation.assets import BENCHMARK_SCORES
from luth_assets.stages.evaluation.cell_checks import cell_problems
from luth_train.evaluation.tables import scores_frame

from .test_assets import _config, build_definitions


def _cell(correct: list[bool | None], runs: int = 1, benchmark: str = "mmlu_fr") -> pl.DataFrame:
    rows = [{"benchmark": benchmark, "item_id": f"i{k}", "sample_id": f"s{k}", "run": r,
             "correct": c} for r in range(runs) for k, c in enumerate(correct)]
    return scores_frame(rows, "base")


def test_a_complete_cell_passes_and_a_short_or_unscored_one_fails():
    assert cell_problems(_cell([True, False], runs=2), 2)[0] == []
    assert cell_problems(_cell([True, False], runs=2), 3)[0] == [
        "run 0: 2 items scored of 3", "run 1: 2 items scored of 3"]
    problems, _ = cell_problems(_cell([True, None]), 2)
    assert "1 rows without a verdict (correct is null)" in problems
    assert "run 0: 1 items scored of 2" in problems
    twice = pl.concat([_cell([True]), _cell([False])])
    assert cell_problems(twice, 1)[0] == ["run 0: 2 items scored of 1", "1 items scored twice in a run"]
    loss = scores_frame([{"benchmark": "language_loss_fr", "item_id": "v1", "sample_id": "v1",
                          "loss": float("nan"), "n_tokens": 3}], "base")
    assert cell_problems(loss, 0)[0][0].startswith("loss not finite and above 0")


def test_the_check_runs_per_cell_with_dagster(tiny_model_dir, tmp_path, lake_root):
    shutil.copytree(tiny_model_dir, base_model_dir(lake_root))
    shutil.copytree(tiny_model_dir, sft_checkpoint_dir(lake_root))
    settings = Settings(config_path=_config(tmp_path), lake_root=str(lake_root))
    defs = build_definitions(settings)
    instance = dg.DagsterInstance.ephemeral()
    report = materialize_all(defs, instance, selection=[keys.BENCHMARK_ITEMS, BENCHMARK_SCORES],
                             log=lambda _: None)
    assert not report.failures, [f.error for f in report.failures]
    key = dg.AssetCheckKey(BENCHMARK_SCORES, "benchmark_scores_valid")
    records = instance.event_log_storage.get_asset_check_execution_history(key, limit=20)
    evaluations = [r.event.dagster_event.event_specific_data for r in records if r.event]
    assert len(evaluations) == 2 * 3  # base and sft x the three benchmarks
    for evaluation in evaluations:
        assert evaluation.passed, evaluation.metadata["problems"]
        assert evaluation.metadata["benchmark_items"].value == 2  # evaluation.limit
        assert all(0 <= s <= 100 for s in evaluation.metadata["scores"].value)
