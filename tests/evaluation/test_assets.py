"""The evaluation assets with Dagster on a temporary lake: tiny model at the base (and SFT) path,
items per benchmark, per-sample scores per model x benchmark cell, the score table."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import polars as pl
import yaml

from luth_assets.lib.models import base_model_dir, sft_checkpoint_dir
from luth_assets.materialize import materialize_all
from luth_assets.resources import build_resources
from luth_assets.run_config import Settings
from luth_assets.stages import keys
from luth_assets.stages.evaluation.assets import BENCHMARK_SCORES as SCORES_KEY
from luth_assets.stages.evaluation.definitions import stage_definitions

from .conftest import DEMO_BENCHMARKS

BENCHMARKS = ["mmlu_fr", "arc_challenge_en", "ifeval_fr"]
ITEMS_KEY, TABLE_KEY = keys.BENCHMARK_ITEMS, keys.SCORE_TABLE


def _config(tmp_path: Path) -> Path:
    config = {
        "evaluation": {
            "limit": 2,
            "max_new_tokens": 8,
            "batch_size": 4,
            "benchmarks": {name: {"path": str(DEMO_BENCHMARKS / f"{name}.jsonl")} for name in BENCHMARKS},
        }
    }
    path = tmp_path / "luth.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def build_definitions(settings: Settings) -> dg.Definitions:
    """This stage's definitions with the project's resources (as luth_assets.build merges them),
    without the other stages, so their configuration needs do not enter this test."""
    config = settings.load()
    return dg.Definitions.merge(stage_definitions(config),
                                dg.Definitions(resources=build_resources(settings, config)))


def test_assets_score_models_and_build_the_table(tiny_model_dir, tmp_path, lake_root):
    shutil.copytree(tiny_model_dir, base_model_dir(lake_root))
    shutil.copytree(tiny_model_dir, sft_checkpoint_dir(lake_root))
    settings = Settings(config_path=_config(tmp_path), lake_root=str(lake_root))
    defs = build_definitions(settings)
    instance = dg.DagsterInstance.ephemeral()
    report = materialize_all(defs, instance, selection=[ITEMS_KEY, SCORES_KEY, TABLE_KEY], log=lambda _: None)
    assert not report.failures, [f.error for f in report.failures]
    assert len(report.outcomes) == 3 + 2 * 3 + 1

    items = pl.read_parquet(lake_root / "gold" / "benchmark_items" / "mmlu_fr.parquet")
    assert items.height == 2 and items["language"].to_list() == ["fr", "fr"]
    cell = pl.read_parquet(lake_root / "gold" / "benchmark_scores" / "mmlu_fr" / "base.parquet")
    assert cell.height == 2 and set(cell["model"]) == {"base"}
    assert cell["choice_logliks"].list.len().to_list() == [4, 4]
    ifeval_cell = pl.read_parquet(lake_root / "gold" / "benchmark_scores" / "ifeval_fr" / "sft.parquet")
    assert ifeval_cell["response"].null_count() == 0

    event = instance.get_latest_materialization_event(SCORES_KEY)
    meta = event.asset_materialization.metadata
    assert {"score", "stderr", "n", "metric", "model", "benchmark"} <= set(meta)

    table = pl.read_parquet(lake_root / "gold" / "score_table.parquet")
    assert table["model"].to_list() == ["base", "sft"]
    assert set(table.columns) >= {"model", *BENCHMARKS, "fr_average", "en_average", "fr_delta", "en_delta"}
    base = table.row(0, named=True)
    assert base["fr_delta"] == 0.0 and base["en_delta"] == 0.0
    # same weights at both paths: same scores, zero deltas
    assert table.row(1, named=True)["mmlu_fr"] == base["mmlu_fr"]
    assert base["en_average"] == base["arc_challenge_en"]
    table_meta = instance.get_latest_materialization_event(TABLE_KEY).asset_materialization.metadata
    assert "| model |" in table_meta["markdown"].value
    assert Path(table_meta["plot_path"].value).stat().st_size > 1000
    assert table_meta["plot"].value.startswith("![French vs English averages](data:image/png;base64,")
    assert [r.data["model"] for r in table_meta["scores"].records] == ["base", "sft"]


def test_a_missing_model_fails_its_cells_clearly(tmp_path, lake_root):
    settings = Settings(config_path=_config(tmp_path), lake_root=str(lake_root))
    defs = build_definitions(settings)
    instance = dg.DagsterInstance.ephemeral()
    report = materialize_all(defs, instance, selection=[ITEMS_KEY], log=lambda _: None)
    assert not report.failures
    job = defs.resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(
        asset_selection=[SCORES_KEY], partition_key="mmlu_fr|sft", instance=instance, raise_on_error=False
    )
    assert not result.success
    failure = [e for e in result.all_events if e.is_step_failure][0]
    assert "model 'sft' has no checkpoint at" in failure.step_failure_data.error.to_string()


def test_score_table_averages_and_deltas():
    from luth_train.evaluation.tables import score_table, to_markdown

    def cells(model, benchmark, outcomes):
        return [
            {"model": model, "benchmark": benchmark, "item_id": str(i), "correct": c}
            for i, c in enumerate(outcomes)
        ]

    rows = (
        cells("base", "mmlu_fr", [True, False, False, False])
        + cells("base", "ifeval_fr", [True, True])
        + cells("base", "arc_challenge_en", [True, False])
        + cells("sft", "mmlu_fr", [True, True, True, False])
        + cells("sft", "ifeval_fr", [True, None])
        + cells("sft", "arc_challenge_en", [False, False])
    )
    table = score_table(pl.DataFrame(rows), ["base", "sft", "merge-x"], BENCHMARKS)
    assert table["model"].to_list() == ["base", "sft"]  # merge-x has no cell yet: left out
    base, sft = table.to_dicts()
    assert base["mmlu_fr"] == 25.0 and sft["mmlu_fr"] == 75.0 and sft["ifeval_fr"] == 100.0  # null = unscored
    assert base["fr_average"] == (25.0 + 100.0) / 2 and sft["fr_average"] == (75.0 + 100.0) / 2
    assert sft["fr_delta"] == sft["fr_average"] - base["fr_average"] == 25.0
    assert sft["en_delta"] == -50.0
    assert "| sft | 75.00 |" in to_markdown(table) and "+25.00" in to_markdown(table)
