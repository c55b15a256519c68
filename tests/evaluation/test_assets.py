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


def _config(tmp_path: Path, language_loss: bool = False) -> Path:
    config = {
        "evaluation": {
            "limit": 2,
            "max_new_tokens": 8,
            "batch_size": 4,
            "num_runs": 2,
            "language_loss": {"enabled": language_loss, "max_texts": 3},
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


def _held_out_tables(lake_root: Path) -> None:
    """gold/sft_mix (two validation rows) and bronze/english_seed_prompts, as their stages write them."""

    def conv(user, answer):
        return [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]

    (lake_root / "gold").mkdir(parents=True, exist_ok=True)
    pl.DataFrame(
        {
            "sample_id": ["t1", "v1", "v2"],
            "split": ["train", "validation", "validation"],
            "messages": [
                conv("Bonjour", "Salut"),
                conv("Quel organe ?", "Le cœur."),
                conv("Le chat dort.", "Sur le canapé."),
            ],
        }
    ).write_parquet(lake_root / "gold" / "sft_mix.parquet")
    (lake_root / "bronze" / "english_seed_prompts").mkdir(parents=True, exist_ok=True)
    pl.DataFrame(
        {
            "sample_id": ["e1", "e2"],
            "messages": [conv("Which organ?", "The heart."), conv("The quick brown fox.", "Jumps.")],
        }
    ).write_parquet(lake_root / "bronze" / "english_seed_prompts" / "demo.parquet")


def test_assets_score_models_and_build_the_table(tiny_model_dir, tmp_path, lake_root):
    shutil.copytree(tiny_model_dir, base_model_dir(lake_root))
    shutil.copytree(tiny_model_dir, sft_checkpoint_dir(lake_root))
    _held_out_tables(lake_root)
    settings = Settings(config_path=_config(tmp_path, language_loss=True), lake_root=str(lake_root))
    defs = build_definitions(settings)
    instance = dg.DagsterInstance.ephemeral()
    report = materialize_all(defs, instance, selection=[ITEMS_KEY, SCORES_KEY, TABLE_KEY], log=lambda _: None)
    assert not report.failures, [f.error for f in report.failures]
    assert len(report.outcomes) == 5 + 2 * 5 + 1  # three benchmarks and the two loss views

    items = pl.read_parquet(lake_root / "gold" / "benchmark_items" / "mmlu_fr.parquet")
    assert items.height == 2 and items["language"].to_list() == ["fr", "fr"]
    cell = pl.read_parquet(lake_root / "gold" / "benchmark_scores" / "mmlu_fr" / "base.parquet")
    assert cell.height == 2 * 2 and set(cell["model"]) == {"base"} and set(cell["run"]) == {0, 1}
    assert cell["choice_logliks"].list.len().to_list() == [4] * 4
    loss = pl.read_parquet(lake_root / "gold" / "benchmark_scores" / "language_loss_fr" / "sft.parquet")
    assert sorted(loss["sample_id"]) == ["v1", "v2"]  # the validation split only
    assert (loss["loss"] > 0).all() and (loss["n_tokens"] > 0).all()
    assert pl.read_parquet(lake_root / "gold" / "benchmark_items" / "language_loss_fr.parquet").height == 0
    ifeval_cell = pl.read_parquet(lake_root / "gold" / "benchmark_scores" / "ifeval_fr" / "sft.parquet")
    assert ifeval_cell["response"].null_count() == 0

    event = instance.get_latest_materialization_event(SCORES_KEY)
    meta = event.asset_materialization.metadata
    assert {"score", "stderr", "n", "metric", "model", "benchmark"} <= set(meta)
    assert meta["model_path"].value in ("models/base_model", "models/sft_checkpoint")  # lake-relative

    table = pl.read_parquet(lake_root / "gold" / "score_table.parquet")
    assert table["model"].to_list() == ["base", "sft"]
    assert set(table.columns) >= {
        "model",
        "kind",
        *BENCHMARKS,
        "fr_average",
        "en_average",
        "fr_delta",
        "en_delta",
        "language_loss_fr",
        "language_loss_en",
        "mmlu_fr_std",
    }
    base = table.row(0, named=True)
    assert base["fr_delta"] == 0.0 and base["en_delta"] == 0.0
    # same weights at both paths: same scores, zero deltas
    assert table.row(1, named=True)["mmlu_fr"] == base["mmlu_fr"]
    assert base["en_average"] == base["arc_challenge_en"]
    assert (
        base["language_loss_fr"] > 0
        and base["language_loss_fr"] == table.row(1, named=True)["language_loss_fr"]
    )
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
    assert "| sft | ours | 75.00 |" in to_markdown(table) and "+25.00" in to_markdown(table)


def test_score_table_runs_published_rows_and_loss_columns():
    from luth_train.evaluation.published import PUBLISHED
    from luth_train.evaluation.tables import score_table, to_markdown

    def cells(model, benchmark, outcomes, run=0):
        return [
            {"model": model, "benchmark": benchmark, "item_id": str(i), "run": run, "correct": c}
            for i, c in enumerate(outcomes)
        ]

    rows = (
        cells("base", "ifeval_fr", [True, False], 0)
        + cells("base", "ifeval_fr", [True, True], 1)
        + cells("sft", "ifeval_fr", [True, True], 0)
        + cells("sft", "ifeval_fr", [True, True], 1)
        + [
            {
                "model": m,
                "benchmark": "language_loss_fr",
                "item_id": str(i),
                "run": 0,
                "correct": None,
                "loss": loss,
                "n_tokens": n,
            }
            for m, values in (("base", [(6.0, 10), (3.0, 20)]), ("sft", [(2.0, 10), (2.0, 20)]))
            for i, (loss, n) in enumerate(values)
        ]
    )
    identities = {"base": "Qwen/Qwen3-0.6B", "sft": "/lake/models/sft_checkpoint"}
    table = score_table(
        pl.DataFrame(rows), ["base", "sft"], ["ifeval_fr", "language_loss_fr"], identities=identities
    )
    by_model = {r["model"]: r for r in table.to_dicts()}
    base, sft = by_model["base"], by_model["sft"]
    assert base["ifeval_fr"] == 75.0 and base["ifeval_fr_std"] == 25.0  # runs 50 and 100: np.std
    assert sft["ifeval_fr_std"] == 0.0
    assert base["language_loss_fr"] == 4.0  # token-weighted: (6*10 + 3*20) / 30
    assert base["fr_average"] == 75.0  # the loss is not an accuracy: out of the averages
    # Qwen3-0.6B is the base itself; the SFT of a Qwen3-0.6B base is compared with Luth-0.6B,
    # once per source that publishes it (the card and the blog disagree)
    qwen, luth = PUBLISHED["Qwen3-0.6B"], PUBLISHED["Luth-0.6B"]
    card_qwen = by_model["Qwen3-0.6B (card 2025-08)"]
    assert card_qwen["ifeval_fr"] == qwen.scores["ifeval_fr"] == 44.86
    assert (card_qwen["kind"], card_qwen["source"]) == ("published", "card 2025-08")
    assert by_model["Qwen3-0.6B (blog 2025-08-11)"]["ifeval_fr"] == 44.45
    assert by_model["Luth-0.6B (card 2025-08)"]["ifeval_fr"] == 48.24
    assert by_model["base - Qwen3-0.6B (card 2025-08)"]["ifeval_fr"] == round(75.0 - 44.86, 2)
    diff = by_model["sft - Luth-0.6B (card 2025-08)"]
    assert diff["ifeval_fr"] == round(100.0 - luth.scores["ifeval_fr"], 2)
    assert (diff["kind"], diff["source"], diff["fr_delta"]) == ("difference", "card 2025-08", None)
    assert base["source"] is None  # our rows carry no published source
    assert "| Luth-0.6B (card 2025-08) | published |" in to_markdown(table)
    # an unknown model gets no published row
    assert score_table(pl.DataFrame(rows), ["base"], ["ifeval_fr"])["kind"].to_list() == ["ours"]


def test_best_merge_plot_shows_the_held_out_losses_beside_the_pareto_front():
    import io

    from PIL import Image

    from luth_assets.stages.merging.pareto import choose_merge, pareto_plot_png
    from luth_assets.stages.merging.settings import ParetoRule

    table = pl.DataFrame(
        {
            "model": ["base", "sft", "merge-a", "merge-b"],
            "kind": ["ours"] * 4,
            "fr_average": [20.0, 35.0, 30.0, 33.0],
            "en_average": [40.0, 30.0, 41.0, 39.0],
            "language_loss_fr": [6.2, 4.9, 5.3, 5.0],
            "language_loss_en": [4.7, 4.9, 4.6, 4.8],
        }
    )
    choice = choose_merge(table, ["a", "b"], ParetoRule())
    with_losses = Image.open(io.BytesIO(pareto_plot_png(table, choice)))
    accuracy_only = table.drop("language_loss_fr", "language_loss_en")
    without = Image.open(io.BytesIO(pareto_plot_png(accuracy_only, choice)))
    assert with_losses.width == 2 * without.width  # a second panel: French vs English loss
