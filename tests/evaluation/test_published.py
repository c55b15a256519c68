"""The published numbers carry their source: the paper, the model cards and the blog disagree, and
the score table shows each source's row, never a card number under the paper's name."""

from __future__ import annotations

import polars as pl

from luth_train.evaluation.published import (
    BLOG,
    CARD,
    PAPER,
    PAPER_LARGEST_FRENCH_GAIN,
    PUBLISHED,
    SOURCES,
    recognise,
    reference_for,
)
from luth_train.evaluation.tables import score_table

ORDER = ("ifeval", "gpqa_diamond", "mmlu", "math500", "arc_challenge", "hellaswag")


def row(name: str, source: str, lang: str) -> tuple:
    values = PUBLISHED[name].by_source[source]
    return tuple(values.get(f"{t}_{lang}") for t in ORDER)


def test_the_model_cards_numbers():
    assert row("Qwen3-0.6B", CARD.key, "fr") == (44.86, 26.90, 27.13, 29.20, 31.57, 25.10)
    assert row("Luth-0.6B", CARD.key, "fr") == (48.24, 34.52, 40.12, 44.00, 33.88, 45.58)
    assert row("Luth-0.6B", CARD.key, "en") == (53.73, 25.76, 48.12, 48.80, 36.09, 47.03)
    assert row("Qwen3-1.7B", CARD.key, "fr") == (54.71, 31.98, 28.49, 60.40, 33.28, 24.86)
    assert row("Luth-1.7B", CARD.key, "fr") == (58.53, 36.55, 49.75, 62.60, 35.16, 31.88)
    # the card's English ARC-Challenge and HellaSwag could not be read: absent, not invented
    assert row("Luth-1.7B", CARD.key, "en") == (65.80, 29.80, 60.28, 70.40, None, None)
    assert row("LFM2-1.2B", CARD.key, "fr") == (54.41, 22.84, 47.59, 36.80, 39.44, 33.05)


def test_the_english_rows_of_the_bases_and_the_lfm2_pair():
    assert row("Qwen3-0.6B", BLOG.key, "en") == (57.86, 29.80, 36.85, 45.00, 33.62, 42.91)
    assert row("Qwen3-1.7B", BLOG.key, "en") == (68.39, 31.82, 52.74, 69.20, 36.09, 46.96)
    lfm2 = "card LFM2-700M, before 3348f85"
    assert row("LFM2-700M", lfm2, "en") == (64.14, 28.20, 50.73, 33.60, 38.48, 52.67)
    assert row("Luth-LFM2-700M", lfm2, "en") == (64.70, 25.88, 50.92, 37.80, 38.91, 54.08)
    assert row("Luth-LFM2-700M", lfm2, "fr") == (51.76, 28.04, 44.72, 36.60, 36.70, 48.25)


def test_the_paper_and_the_card_disagree_and_both_are_kept():
    luth = PUBLISHED["Luth-1.7B"]
    assert luth.by_source[PAPER.key] == {"ifeval_fr": 63.88}
    assert luth.by_source[CARD.key]["ifeval_fr"] == 58.53
    assert luth.scores["ifeval_fr"] == 58.53  # `scores` is the card's, and says so by its source
    assert PAPER.kind == "paper" and CARD.kind == "card" and PAPER.key != CARD.key
    assert PAPER_LARGEST_FRENCH_GAIN == 11.26
    # every source is dated or says it is undated
    assert all(s.date or "undated" in s.citation for s in SOURCES.values())


def test_models_are_recognised_and_fine_tunes_compared_with_the_authors_luth():
    assert recognise("kurakurai/Luth-1.7B-Instruct").name == "Luth-1.7B"
    assert recognise("/models/qwen3-1.7b/").name == "Qwen3-1.7B"
    assert recognise("LiquidAI/LFM2-700M").name == "LFM2-700M"
    assert recognise("kurakurai/Luth-LFM2-350M").name == "Luth-LFM2-350M"
    assert reference_for("/lake/models/merged/x", "Qwen/Qwen3-1.7B").name == "Luth-1.7B"
    assert reference_for("/lake/models/sft", "LiquidAI/LFM2-700M").name == "Luth-LFM2-700M"
    assert reference_for("/lake/models/sft", None) is None


def test_score_table_shows_a_row_per_source_with_its_name():
    rows = [{"model": "luth", "benchmark": "ifeval_fr", "item_id": str(i), "run": 0, "correct": c}
            for i, c in enumerate([True, True, False, True])]
    table = score_table(pl.DataFrame(rows), ["luth"], ["ifeval_fr"],
                        identities={"luth": "kurakurai/Luth-1.7B-Instruct"})
    by_model = {r["model"]: r for r in table.to_dicts()}
    paper = by_model["Luth-1.7B (paper 2025-10)"]
    card = by_model["Luth-1.7B (card 2025-08)"]
    assert (paper["source"], paper["ifeval_fr"]) == ("paper 2025-10", 63.88)
    assert (card["source"], card["ifeval_fr"]) == ("card 2025-08", 58.53)
    assert by_model["luth - Luth-1.7B (paper 2025-10)"]["ifeval_fr"] == round(75.0 - 63.88, 2)
    assert by_model["luth - Luth-1.7B (card 2025-08)"]["ifeval_fr"] == round(75.0 - 58.53, 2)
    assert table.columns[-1] == "source"
    # a model with no readable number is scored without a published row
    lfm = score_table(pl.DataFrame(rows), ["luth"], ["ifeval_fr"],
                      identities={"luth": "kurakurai/Luth-LFM2-1.2B"})
    assert lfm["kind"].to_list() == ["ours"]


def test_a_published_average_needs_every_benchmark_of_its_language():
    rows = [{"model": "m", "benchmark": b, "item_id": "0", "run": 0, "correct": True}
            for b in ("ifeval_fr", "mmlu_fr")]
    table = score_table(pl.DataFrame(rows), ["m"], ["ifeval_fr", "mmlu_fr"],
                        identities={"m": "kurakurai/Luth-1.7B-Instruct"})
    by_model = {r["model"]: r for r in table.to_dicts()}
    assert by_model["Luth-1.7B (paper 2025-10)"]["fr_average"] is None  # one number only
    assert by_model["Luth-1.7B (card 2025-08)"]["fr_average"] == round((58.53 + 49.75) / 2, 2)
