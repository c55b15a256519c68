"""English seed prompts: one source read with the sources stage's reader and field mappings.

Each row keeps its chat `messages` and gets `prompt`, the first user turn (what is translated).
A row without a usable user turn keeps a `problem` (the reader's, or `no_user_turn`); the
translation asset rejects it with that reason, so nothing is dropped here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl
import pyarrow.parquet as pq

from luth_assets.lib.source_config import SourceConfig
from luth_assets.lib.source_reading import read_source_batches

MESSAGES = pl.List(pl.Struct({"role": pl.String, "content": pl.String}))
SEED_SCHEMA = {
    "sample_id": pl.String, "source": pl.String, "source_file": pl.String,
    "row_number": pl.Int64, "source_row_id": pl.String, "prompt": pl.String,
    "messages": MESSAGES, "problem": pl.String,
}


@dataclass
class SeedStats:
    rows: int = 0
    problems: int = 0


def first_user_turn(messages: list[dict]) -> str | None:
    for m in messages:
        if m["role"] == "user":
            return m["content"]
    return None


def seed_rows(batch: list[dict]) -> pl.DataFrame:
    """Reader rows -> seed rows (adds `prompt`, flags rows without a user turn)."""
    out = []
    for row in batch:
        prompt = first_user_turn(row["messages"])
        problem = row["problem"]
        if problem is None and (prompt is None or not prompt.strip()):
            problem = "no_user_turn" if prompt is None else "empty_prompt"
        out.append({**row, "prompt": prompt, "problem": problem})
    return pl.DataFrame(out, schema=SEED_SCHEMA)


def write_seed_table(name: str, source: SourceConfig, path: str | os.PathLike, *,
                     limit: int | None = None, batch_size: int = 2000,
                     progress: Callable[[SeedStats], None] | None = None) -> SeedStats:
    """Stream one seed source into a Parquet file, batch by batch; returns counts."""
    stats = SeedStats()
    writer: pq.ParquetWriter | None = None
    schema = pl.DataFrame(schema=SEED_SCHEMA).to_arrow().schema
    try:
        writer = pq.ParquetWriter(str(path), schema)
        for batch in read_source_batches(name, source, batch_size=batch_size):
            if limit is not None:
                batch = batch[: max(0, limit - stats.rows)]
            if not batch:
                break
            frame = seed_rows(batch)
            writer.write_table(frame.to_arrow().cast(schema))
            stats.rows += frame.height
            stats.problems += frame["problem"].is_not_null().sum()
            if progress:
                progress(stats)
            if limit is not None and stats.rows >= limit:
                break
    finally:
        if writer is not None:
            writer.close()
    return stats
