"""Dagster conventions a user of the UI relies on: kinds on every asset, column descriptions from
docs/tables.md, readable previews, and the checks on the score table and the merge choice."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from luth_assets.build import build_definitions
from luth_assets.lib.column_docs import column_descriptions, describe
from luth_assets.lib.metadata import display_value, table_preview
from luth_assets.run_config import Settings
from luth_assets.stages.evaluation.checks import missing_cells
from luth_assets.stages.merging.checks import check_choice

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def graph():
    settings = Settings(config_path=REPO / "data_lake" / "landing" / "luth.yaml",
                        lake_root="/nonexistent/lake")
    return build_definitions(settings).resolve_asset_graph()


def test_every_asset_has_kinds_and_a_code_reference(graph) -> None:
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert 1 <= len(node.kinds) <= 3, key.to_user_string()
        assert "dagster/code_references" in node.metadata, key.to_user_string()
    assert graph.get(pl_key("models/merged_models")).kinds == {"mergekit", "pytorch", "huggingface"}
    assert "pytorch" in graph.get(pl_key("models/sft_checkpoint")).kinds
    assert "polars" in graph.get(pl_key("silver/french_slices")).kinds


def pl_key(text: str):
    import dagster as dg

    return dg.AssetKey.from_user_string(text)


def test_checks_on_the_score_table_and_the_merge_choice(graph) -> None:
    names = {f"{c.asset_key.to_user_string()}:{c.name}" for c in graph.asset_check_keys}
    assert {"gold/score_table:score_table_complete", "models/best_merge:best_merge_on_front"} <= names

    table = pl.DataFrame({"model": ["base", "sft", "published"], "mmlu_fr": [30.0, None, 50.0],
                          "mmlu_en": [40.0, 41.0, None]})
    assert missing_cells(table, ["base", "sft", "merge-x"], ["mmlu_fr", "mmlu_en"]) == [
        "sft x mmlu_fr", "merge-x x mmlu_fr", "merge-x x mmlu_en"]
    assert missing_cells(table.drop_nulls(), ["base"], ["mmlu_fr", "mmlu_en"]) == []

    merges = pl.DataFrame({"recipe": ["a", "b", "c"], "fr_average": [50.0, 45.0, 40.0],
                           "en_average": [40.0, 45.0, 39.0], "on_front": [True, True, False],
                           "chosen": [True, False, False]})
    assert check_choice(merges)[0]
    passed, meta = check_choice(merges.with_columns(chosen=pl.Series([False, False, True])))
    assert not passed and meta["pareto_front"] == ["a", "b"]
    assert not check_choice(merges.with_columns(chosen=pl.lit(True)))[0]


def test_column_descriptions_come_from_docs_tables_md() -> None:
    docs = column_descriptions()
    assert len(docs) > 80
    assert describe("silver/french_slices", "language_probability").startswith("Lowest per-turn")
    assert describe("gold/score_table", "model").startswith("Evaluated model")
    assert describe("silver/french_slices_rejects", "reason").startswith("Why the row was rejected")


def test_previews_are_readable() -> None:
    assert display_value([{"role": "user", "content": "Un café ?"}]) == \
        '[{"role": "user", "content": "Un café ?"}]'
    assert display_value(0.123456789) == 0.1235
    frame = pl.DataFrame({"model": [f"m{i}" for i in range(8)], "score": [i / 3 for i in range(8)]})
    preview = table_preview(frame)
    assert [r.data["model"] for r in preview.records] == [f"m{i}" for i in range(8)]  # all, in order
    assert preview.records[1].data["score"] == 0.3333
