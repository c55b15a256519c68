"""Benchmark decontamination: n-gram overlap between any turn and any benchmark item.

The benchmark side (`gold/benchmark_items`: question, answer, choices joined by spaces) is
normalised (see `normalise`) and every run of ``ngram`` words (13 by default) is hashed into an
index (a Polars frame joined as a hash table). A benchmark text shorter than ``ngram`` words but
at least ``min_words`` long is indexed whole, as one n-gram of its own length, so short
questions are caught too; shorter texts (a number, one word) are ignored.

The row side: each turn is normalised the same way and its n-grams (of ``ngram`` words, and of
each short length present in the index) are looked up. A row with any hit is contaminated; the
rejection names the benchmark, the benchmark row (item_id), the field that matched, the turn,
and how many n-grams matched.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from luth_assets.stages.curation.dedup import iter_batches
from luth_assets.stages.curation.normalise import (
    normalised,
    text_lengths,
    window_hashes,
    word_hashes,
)
from luth_assets.stages.curation.settings import DecontaminationConfig

GRAM_SCHEMA = {"length": pl.Int32, "hash": pl.UInt64, "entry": pl.Int64}
CONTAMINATION_SCHEMA = {"sample_id": pl.String, "benchmark": pl.String,
                        "benchmark_item_id": pl.String, "benchmark_field": pl.String,
                        "turn_index": pl.Int64, "matched_ngrams": pl.Int64}


@dataclass
class BenchmarkIndex:
    grams: pl.DataFrame      # length, hash, entry (first entry holding that n-gram)
    entries: pl.DataFrame    # entry, benchmark, item_id, field
    ngram: int
    lengths: list[int]       # n-gram lengths to look up in rows
    items_by_benchmark: dict[str, int]
    skipped_short_texts: int

    @property
    def benchmarks(self) -> list[str]:
        return sorted(self.items_by_benchmark)


def benchmark_texts(items: pl.LazyFrame | pl.DataFrame, fields: list[str]) -> pl.DataFrame:
    """One row per (benchmark item, field): ``benchmark, item_id, field, text`` (normalised)."""
    items = items.lazy()
    columns = items.collect_schema().names()
    parts = []
    for field in fields:
        if field not in columns:
            continue
        value = pl.col(field)
        if field == "choices":
            value = value.cast(pl.List(pl.String)).list.join(" ")
        parts.append(items.select(
            pl.col("benchmark").cast(pl.String), pl.col("item_id").cast(pl.String),
            pl.lit(field).alias("field"), normalised(value.cast(pl.String)).alias("text")))
    if not parts:
        raise ValueError(f"benchmark_items has none of the fields {fields}; columns: {columns}")
    return pl.concat(parts).filter(pl.col("text") != "").collect()


def build_benchmark_index(items: pl.LazyFrame | pl.DataFrame,
                          cfg: DecontaminationConfig) -> BenchmarkIndex:
    texts = benchmark_texts(items, list(cfg.fields)).with_row_index("entry")
    hashes, groups = word_hashes(texts["text"])
    lengths = text_lengths(groups, texts.height)
    frames = []
    grams, owner = window_hashes(hashes, groups, cfg.ngram)
    frames.append(pl.DataFrame({"length": np.full(len(grams), cfg.ngram, np.int32),
                                "hash": grams, "entry": owner}, schema=GRAM_SCHEMA))
    short = (lengths >= cfg.min_words) & (lengths < cfg.ngram)
    for length in sorted(set(lengths[short].tolist())):
        keep = np.isin(groups, np.nonzero(lengths == length)[0])
        whole, entry = window_hashes(hashes[keep], groups[keep], length)
        frames.append(pl.DataFrame({"length": np.full(len(whole), length, np.int32),
                                    "hash": whole, "entry": entry}, schema=GRAM_SCHEMA))
    gram_frame = pl.concat(frames).unique(subset=["length", "hash"], keep="first",
                                          maintain_order=True)
    counts = dict(items.lazy().group_by("benchmark").len().collect().iter_rows())
    return BenchmarkIndex(
        grams=gram_frame,
        entries=texts.select(pl.col("entry").cast(pl.Int64), "benchmark", "item_id", "field"),
        ngram=cfg.ngram,
        lengths=sorted(set(gram_frame["length"].unique().to_list())),
        items_by_benchmark={str(k): int(v) for k, v in counts.items()},
        skipped_short_texts=int(((lengths < cfg.min_words) & (lengths < cfg.ngram)).sum()),
    )


def _batch_hits(batch: pl.DataFrame, index: BenchmarkIndex) -> pl.DataFrame:
    turns = (batch.select("sample_id", "messages")
             .explode("messages")
             .with_columns(pl.int_range(pl.len()).over("sample_id").alias("turn_index"))
             .select("sample_id", "turn_index",
                     normalised(pl.col("messages").struct.field("content")).alias("text")))
    hashes, groups = word_hashes(turns["text"])
    hits = []
    for length in index.lengths:
        grams, owner = window_hashes(hashes, groups, length)
        if not len(grams):
            continue
        probe = pl.DataFrame({"length": np.full(len(grams), length, np.int32), "hash": grams,
                              "turn": owner})
        hits.append(probe.join(index.grams, on=["length", "hash"], how="inner")
                    .select("turn", "entry"))
    if not hits:
        return pl.DataFrame(schema=CONTAMINATION_SCHEMA)
    found = (pl.concat(hits)
             .group_by("turn").agg(pl.len().alias("matched_ngrams"),
                                   pl.col("entry").mode().min().alias("entry")))
    located = turns.with_row_index("turn").select(pl.col("turn").cast(pl.Int64), "sample_id",
                                                  "turn_index")
    return (found.with_columns(pl.col("turn").cast(pl.Int64))
            .join(located, on="turn")
            .sort("sample_id", "matched_ngrams", "turn_index", descending=[False, True, False])
            .group_by("sample_id", maintain_order=True).first()
            .join(index.entries, on="entry")
            .select("sample_id", "benchmark", pl.col("item_id").alias("benchmark_item_id"),
                    pl.col("field").alias("benchmark_field"), "turn_index",
                    pl.col("matched_ngrams").cast(pl.Int64)))


def find_contaminated(rows: pl.LazyFrame, index: BenchmarkIndex, batch_size: int = 5000,
                      log: Callable[[str], None] = lambda _: None,
                      exclude: pl.Series | None = None) -> pl.DataFrame:
    """Contaminated rows: ``sample_id, benchmark, benchmark_item_id, benchmark_field,
    turn_index, matched_ngrams`` (the turn with most matches; its most matched benchmark item).

    `exclude`: sample_ids to skip (e.g. duplicates already dropped), filtered batch by batch so
    that `rows` stays a plain scan that Polars can slice cheaply."""
    started = time.perf_counter()
    parts = [pl.DataFrame(schema=CONTAMINATION_SCHEMA)]
    seen = 0
    for batch in iter_batches(rows.select("sample_id", "messages"), batch_size):
        if exclude is not None and len(exclude):
            batch = batch.filter(~pl.col("sample_id").is_in(exclude.implode()))
        parts.append(_batch_hits(batch, index))
        seen += batch.height
        log(f"decontamination: {seen} rows, {time.perf_counter() - started:.1f}s")
    return pl.concat(parts, how="vertical_relaxed").sort("sample_id")
