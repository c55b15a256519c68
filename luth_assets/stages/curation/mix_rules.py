"""What the asset checks of `gold/sft_mix` verify, as plain functions: each returns
``(passed, metadata)`` so tests call them directly on any frame (the checks themselves are in
`checks.py`; input = kept + rejected is the filter node's reconcile check, over `distinct_ids`)."""

from __future__ import annotations

from typing import Any

import polars as pl

from luth_assets.stages.curation.chat_schema import MESSAGE_TYPE, chat_problem
from luth_assets.stages.curation.decontaminate import BenchmarkIndex, find_contaminated
from luth_assets.stages.curation.dedup import EXACT_SEED, dialogue_text

MIX_SCHEMA = {"sample_id": pl.String, "subset": pl.String, "source": pl.String,
              "subject": pl.String, "messages": MESSAGE_TYPE, "n_tokens": pl.Int64,
              "split": pl.String, "copy": pl.Int64}

Check = tuple[bool, dict[str, Any]]


def check_schema(mix: pl.DataFrame) -> Check:
    schema = dict(mix.schema)
    wrong = {name: f"expected {dtype}, got {schema.get(name)}" for name, dtype in MIX_SCHEMA.items()
             if schema.get(name) != dtype}
    bad_ids = mix.filter(~pl.col("sample_id").str.contains(r"^[0-9a-f]{16}$")).height \
        if "sample_id" in schema else mix.height
    bad_split = mix.filter(~pl.col("split").is_in(["train", "validation"])).height \
        if "split" in schema else mix.height
    return not wrong and bad_ids == 0 and bad_split == 0, {
        "wrong_columns": wrong, "bad_sample_ids": bad_ids, "bad_split_values": bad_split}


def check_chat_roles(mix: pl.DataFrame) -> Check:
    """Roles: optional system first, then user/assistant alternating, ending with assistant;
    no empty turn."""
    problems = mix.select("sample_id", chat_problem().alias("problem")).filter(
        pl.col("problem").is_not_null())
    by_problem = dict(problems.group_by("problem").len().iter_rows())
    return problems.is_empty(), {"rows_with_problems": problems.height, "by_problem": by_problem,
                                 "examples": problems.head(5)["sample_id"].to_list()}


def check_no_empty_turns(mix: pl.DataFrame) -> Check:
    content = pl.element().struct.field("content")
    empty = mix.filter(pl.col("messages").list.eval(
        content.fill_null("").str.strip_chars().str.len_chars() == 0).list.any())
    return empty.is_empty(), {"rows_with_empty_turns": empty.height,
                              "examples": empty.head(5)["sample_id"].to_list()}


def check_no_exact_duplicates(mix: pl.DataFrame) -> Check:
    """No two distinct rows (copies of one row excluded) with the same normalised dialogue."""
    originals = mix.filter(pl.col("copy") == 0)
    keys = originals.select("sample_id", dialogue_text().hash(EXACT_SEED).alias("key"))
    dup = keys.group_by("key").agg(pl.col("sample_id")).filter(pl.col("sample_id").list.len() > 1)
    repeated_ids = originals.group_by("sample_id").len().filter(pl.col("len") > 1).height
    return dup.is_empty() and repeated_ids == 0, {
        "duplicate_groups": dup.height, "repeated_sample_ids": repeated_ids,
        "examples": [ids for ids in dup.head(3)["sample_id"].to_list()]}


def check_no_contamination(mix: pl.DataFrame, index: BenchmarkIndex) -> Check:
    hits = find_contaminated(mix.filter(pl.col("copy") == 0).lazy(), index)
    return hits.is_empty(), {"contaminated_rows": hits.height,
                             "benchmarks_checked": index.benchmarks,
                             "examples": hits.head(5).to_dicts()}


def check_token_lengths(mix: pl.DataFrame, max_tokens: int) -> Check:
    longest = int(mix["n_tokens"].max() or 0)
    over = mix.filter(pl.col("n_tokens") > max_tokens).height
    missing = mix["n_tokens"].null_count()
    return over == 0 and missing == 0, {"max_tokens": max_tokens, "longest": longest,
                                        "rows_over": over, "rows_without_count": missing}


def check_target_language(mix: pl.DataFrame, target: str, threshold: float, seed: int = 0
                          ) -> Check:
    """Share of rows langdetect puts in the target language (text of all turns, seeded)."""
    from luth_assets.lib.language_id import MAX_DETECT_CHARS, detect_texts

    originals = mix.filter(pl.col("copy") == 0)
    texts = originals.select(pl.col("messages").list.eval(
        pl.element().struct.field("content")).list.join("\n").str.slice(0, MAX_DETECT_CHARS)
    ).to_series().to_list()
    languages = [lang for lang, _ in detect_texts(texts, seed)]
    share = sum(lang == target for lang in languages) / max(1, len(languages))
    others: dict[str, int] = {}
    for lang in languages:
        if lang != target:
            others[lang] = others.get(lang, 0) + 1
    return share >= threshold, {"target_language": target, "share": round(share, 4),
                                "threshold": threshold, "other_languages": others}


def distinct_ids(mix: pl.DataFrame) -> pl.LazyFrame:
    """The mix's distinct rows (copy 0; weighted copies repeat a sample_id) as reconcile ids."""
    return mix.lazy().filter(pl.col("copy") == 0).select(pl.col("sample_id").alias("id"))
