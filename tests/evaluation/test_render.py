"""The score table as the UI shows it: averages first, every row, best first, rounded; columns the
renderer has never heard of still show, after the ones it orders."""

from __future__ import annotations

import polars as pl

from luth_train.evaluation.render import display_frame, score_table_markdown


def table() -> pl.DataFrame:
    models = ["base", "sft", "merge-a", "merge-b", "merge-c", "merge-d", "published", "merge-e"]
    fr = [30.0, 41.123, 44.0, None, 39.5, 43.0, 47.0, 42.0]
    return pl.DataFrame({
        "model": models,
        "mmlu_fr": [v or 0.0 for v in fr], "mmlu_en": [50.0] * 8, "num_runs": [1] * 8,
        "fr_average": fr, "en_average": [50.0, 48.0, 49.5, 51.0, 50.0, 49.0, 52.0, 47.0],
        "fr_delta": [0.0, 11.123, 14.0, None, 9.5, 13.0, 17.0, 12.0],
        "en_delta": [0.0, -2.0, -0.5, 1.0, 0.0, -1.0, 2.0, -3.0],
        "language_loss_fr": [2.5] * 8, "mmlu_fr_std": [0.5] * 8,
    })


def test_averages_first_all_rows_sorted() -> None:
    frame = display_frame(table())
    assert frame.columns[:6] == ["model", "fr_average", "en_average", "fr_delta", "en_delta",
                                 "language_loss_fr"]
    assert set(frame.columns) == set(table().columns)  # nothing dropped, new columns included
    assert frame["model"].to_list() == ["published", "merge-a", "merge-d", "merge-e", "sft",
                                        "merge-c", "base", "merge-b"]  # no score: last


def test_markdown_rounds_and_signs_deltas() -> None:
    text = score_table_markdown(table())
    lines = text.splitlines()
    assert len(lines) == 2 + 8
    assert lines[0].startswith("| model | fr_average | en_average | fr_delta | en_delta |")
    sft = next(x for x in lines if x.startswith("| sft |"))
    assert "| 41.12 |" in sft and "| +11.12 |" in sft and "41.123" not in sft
    assert "| merge-b | – |" in text
