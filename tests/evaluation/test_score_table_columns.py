"""Every column of `gold/score_table` has a description in the Columns tab (docs/tables.md), and
`kind` says what the data holds (ours / published / difference)."""

from __future__ import annotations

import json

import polars as pl

from luth_assets.lib.column_docs import describe
from luth_train.evaluation.registry import BENCHMARK_NAMES, LANGUAGE_LOSS_NAMES
from luth_train.evaluation.tables import score_table, scores_frame


def cells() -> pl.DataFrame:
    """Two models, two runs of every benchmark (so `<benchmark>_std` columns appear), MMLU-EN with
    subjects, MATH-500 with both scorings, and the language losses."""
    frames = []
    for model in ("base", "sft"):
        rows = []
        for run in (0, 1):
            for name in BENCHMARK_NAMES:
                for i in range(3):
                    details = {}
                    if name == "mmlu_en":
                        details = {"subject": "virology" if i else "anatomy"}
                    if name.startswith("math500"):
                        details = {"math_scoring": "authors", "corrected": "true", "authors": "false"}
                    rows.append({"benchmark": name, "item_id": str(i), "run": run,
                                 "correct": (i + run) % 2 == 0, "details": json.dumps(details)})
            for name in LANGUAGE_LOSS_NAMES:
                rows.append({"benchmark": name, "item_id": "0", "run": run, "loss": 2.5, "n_tokens": 10})
        frames.append(scores_frame(rows, model))
    return pl.concat(frames)


def test_every_score_table_column_is_described():
    names = [*BENCHMARK_NAMES, *LANGUAGE_LOSS_NAMES]
    table = score_table(cells(), ["base", "sft"], names)
    assert {"mmlu_en_item_mean", "math500_fr_corrected", "mmlu_fr_std", "source"} <= set(table.columns)
    missing = [c for c in table.columns if not describe("gold/score_table", c)]
    assert not missing, f"gold/score_table columns without a description in docs/tables.md: {missing}"
    kind = describe("gold/score_table", "kind")
    assert all(word in kind for word in ("`ours`", "`published`", "`difference`"))
    assert set(table["kind"].unique()) <= {"ours", "published", "difference"}
    assert "Standard deviation" in describe("gold/score_table", "math500_en_std")
    assert "authors' scoring" in describe("gold/score_table", "math500_fr_authors")
    assert "held-out French" in describe("gold/score_table", "language_loss_fr")
    # a placeholder row matches only its table: a `_std` column elsewhere stays undescribed
    assert describe("gold/benchmark_scores", "mmlu_fr_std") is None
