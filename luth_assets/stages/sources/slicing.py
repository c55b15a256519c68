"""Keep the rows whose every turn is in the target language; reject the rest with a reason.

The decision is a pure Polars expression over the ``raw_multilingual`` columns, so it runs lazily
(streaming) on tables of any size and every input row gets exactly one outcome: kept (reason
null) or rejected with the first reason that applies, in this order:

``<problem>`` (from reading: no_messages, malformed_messages, unknown_role:x) · ``empty_turn`` ·
``too_short`` (fewer than `min_chars` characters in the whole exchange) ·
``undetermined_language`` (a turn langdetect cannot place) · ``wrong_language:<lang>`` (no turn in
the target language; <lang> is the first turn's) · ``mixed_languages`` (some turns in the target
language, some not) · ``low_confidence`` (all turns in the target language, one below
`min_probability`) · ``unconfirmed_language`` (langdetect says target language but the exchange
contains none of its function words: see `function_words`).
"""

from __future__ import annotations

import polars as pl

from luth_assets.lib.function_words import function_word_pattern
from luth_assets.lib.language_id import UNDETERMINED


def rejection_reason(
    target_language: str, min_probability: float, min_chars: int, confirm: bool = True
) -> pl.Expr:
    content = pl.element().struct.field("content")
    pattern = function_word_pattern(target_language) if confirm else None
    confirmed = (
        pl.col("messages").list.eval(content).list.join(" ").str.contains(pattern)
        if pattern else pl.lit(True)
    )
    langs = pl.col("turn_languages")
    turns_in_target = langs.list.eval(pl.element() == target_language).list.sum()
    n_turns = langs.list.len()
    return (
        pl.when(pl.col("problem").is_not_null()).then(pl.col("problem"))
        .when(pl.col("messages").list.eval(content.str.strip_chars().str.len_chars() == 0)
              .list.any())
        .then(pl.lit("empty_turn"))
        .when(pl.col("messages").list.eval(content.str.len_chars()).list.sum() < min_chars)
        .then(pl.lit("too_short"))
        .when(langs.list.contains(UNDETERMINED)).then(pl.lit("undetermined_language"))
        .when(turns_in_target == 0)
        .then(pl.concat_str(pl.lit("wrong_language:"), langs.list.first()))
        .when(turns_in_target < n_turns).then(pl.lit("mixed_languages"))
        .when(pl.col("turn_language_probs").list.min() < min_probability)
        .then(pl.lit("low_confidence"))
        .when(~confirmed).then(pl.lit("unconfirmed_language"))
        .otherwise(pl.lit(None, dtype=pl.String))
        .alias("reason")
    )


def classify(
    raw: pl.LazyFrame,
    target_language: str,
    min_probability: float,
    min_chars: int,
    confirm_function_words: bool = True,
) -> pl.LazyFrame:
    """`raw` plus a `reason` column (null = kept)."""
    return raw.with_columns(
        rejection_reason(target_language, min_probability, min_chars, confirm_function_words)
    )


KEPT_COLUMNS = ["sample_id", "source", "source_row_id", "messages", "turn_language_probs",
                "language_probability"]
REJECT_COLUMNS = ["sample_id", "source", "source_row_id", "reason", "language",
                  "turn_languages", "turn_language_probs", "messages"]


def kept_rows(classified: pl.LazyFrame) -> pl.LazyFrame:
    return classified.filter(pl.col("reason").is_null()).select(KEPT_COLUMNS)


def rejected_rows(classified: pl.LazyFrame) -> pl.LazyFrame:
    return classified.filter(pl.col("reason").is_not_null()).select(REJECT_COLUMNS)
