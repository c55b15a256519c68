"""Every candidate row in one chat schema, and the rows that do not fit it.

Candidate columns: ``sample_id, subset, source, subject, messages`` where `messages` is
``list[struct{role, content}]``, roles ``system`` (optional, first) then alternating ``user`` /
``assistant``, ending with ``assistant``. `subset` is ``gathered`` / ``translated`` (from
`silver/judged_samples`) or ``scholar`` (from `silver/scholar_items_clean`, whose `subject` is
kept for the data card).

`chat_problem` gives the first problem of a row, or null: ``no_turns``, ``empty_turn``,
``misplaced_system`` (a system turn after the first), ``roles_not_alternating`` (not
user/assistant/user/...), ``no_final_answer`` (does not end with an assistant turn).
"""

from __future__ import annotations

import polars as pl

from luth_assets.stages.curation.settings import SystemPromptConfig

MESSAGE_TYPE = pl.List(pl.Struct({"role": pl.String, "content": pl.String}))
CANDIDATE_COLUMNS = ("sample_id", "subset", "source", "subject", "messages")


def _messages(expr: pl.Expr) -> pl.Expr:
    return expr.cast(MESSAGE_TYPE).alias("messages")


def judged_candidates(judged: pl.LazyFrame) -> pl.LazyFrame:
    """`silver/judged_samples` rows (subset gathered | translated) as candidates."""
    return judged.select(
        "sample_id", pl.col("subset").cast(pl.String), pl.col("source").cast(pl.String),
        pl.lit(None, dtype=pl.String).alias("subject"), _messages(pl.col("messages")),
    )


def scholar_candidates(scholar: pl.LazyFrame) -> pl.LazyFrame:
    """`silver/scholar_items_clean` rows as candidates (subset scholar, source scholar)."""
    return scholar.select(
        "sample_id", pl.lit("scholar").alias("subset"), pl.lit("scholar").alias("source"),
        pl.col("subject").cast(pl.String), _messages(pl.col("messages")),
    )


def apply_system_prompt(candidates: pl.LazyFrame, policy: SystemPromptConfig) -> pl.LazyFrame:
    """keep: rows unchanged; drop: every system turn removed; set: one given system prompt first."""
    if policy.policy == "keep":
        return candidates
    without = pl.col("messages").list.eval(
        pl.element().filter(pl.element().struct.field("role") != "system"))
    if policy.policy == "drop":
        return candidates.with_columns(without.alias("messages"))
    system = pl.lit([{"role": "system", "content": policy.text}], dtype=MESSAGE_TYPE)
    return candidates.with_columns(pl.concat_list(system, without).alias("messages"))


def mix_candidates(judged: pl.LazyFrame, scholar: pl.LazyFrame, policy: SystemPromptConfig
                   ) -> pl.LazyFrame:
    """Every candidate of the mix (judged samples, then Scholar items), system prompt applied."""
    return apply_system_prompt(pl.concat(
        [judged_candidates(judged), scholar_candidates(scholar)], how="vertical_relaxed"), policy)


def require_unique_ids(candidates: pl.LazyFrame) -> None:
    """Fail naming a few sample_ids that appear more than once across the two inputs."""
    repeated = candidates.group_by("sample_id").len().filter(pl.col("len") > 1).collect()
    if repeated.height:
        raise ValueError(f"{repeated.height} sample_id(s) appear more than once across "
                         f"judged_samples and scholar_items_clean, e.g. "
                         f"{repeated['sample_id'].head(3).to_list()}")


def chat_problem() -> pl.Expr:
    """First schema problem of the row's `messages`, or null when it is a valid chat."""
    role = pl.element().struct.field("role")
    content = pl.element().struct.field("content")
    messages = pl.col("messages")
    dialogue = messages.list.eval(pl.element().filter(role != "system"))
    expected = pl.when(pl.int_range(pl.len()) % 2 == 0).then(pl.lit("user")).otherwise(
        pl.lit("assistant"))
    return (
        pl.when(messages.is_null() | (dialogue.list.len() == 0)).then(pl.lit("no_turns"))
        .when(messages.list.eval(content.fill_null("").str.strip_chars().str.len_chars() == 0)
              .list.any())
        .then(pl.lit("empty_turn"))
        .when(messages.list.eval(role == "system").list.slice(1).list.any())
        .then(pl.lit("misplaced_system"))
        .when(~dialogue.list.eval(role == expected).list.all())
        .then(pl.lit("roles_not_alternating"))
        .when(dialogue.list.last().struct.field("role") != "assistant")
        .then(pl.lit("no_final_answer"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def split_valid_chats(candidates: pl.LazyFrame) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """(valid rows, invalid rows with `reason`)."""
    tagged = candidates.with_columns(chat_problem().alias("reason"))
    return (tagged.filter(pl.col("reason").is_null()).drop("reason"),
            tagged.filter(pl.col("reason").is_not_null()))
