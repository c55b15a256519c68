"""Stream one source through language detection into a Parquet file."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from luth_assets.lib.lid_cascade import LidOptions, detect_rows
from luth_assets.lib.source_config import SourceConfig
from luth_assets.lib.source_reading import read_source_batches
from luth_assets.stages.sources.settings import LanguageIdConfig

# Detected batches are gathered into row groups of about this many bytes: one row group per small
# detection batch would make the file's metadata (kept in memory until the file is closed) grow
# with the number of rows.
ROW_GROUP_BYTES = 32 << 20

MESSAGE = pa.struct([("role", pa.string()), ("content", pa.string())])
RAW_SCHEMA = pa.schema([
    ("sample_id", pa.string()),
    ("source", pa.string()),
    ("source_file", pa.string()),
    ("row_number", pa.int64()),
    ("source_row_id", pa.string()),
    ("messages", pa.list_(MESSAGE)),
    ("problem", pa.string()),
    ("turn_languages", pa.list_(pa.string())),
    ("turn_language_probs", pa.list_(pa.float64())),
    ("language", pa.string()),
    ("language_probability", pa.float64()),
    ("language_decided_by", pa.string()),  # fasttext or langdetect (lid_cascade)
])


@dataclass
class RawTableStats:
    rows: int = 0
    turns: int = 0
    seconds: float = 0.0
    languages: Counter = field(default_factory=Counter)
    problems: Counter = field(default_factory=Counter)
    decided_by: Counter = field(default_factory=Counter)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def write_raw_table(
    name: str,
    source: SourceConfig,
    lid: LanguageIdConfig,
    out_path: str | Path,
    progress: Callable[[RawTableStats], None] | None = None,
    progress_every: int = 50_000,
    target_language: str = "fr",
) -> RawTableStats:
    """Read `source`, detect each turn's language and write the rows to `out_path` as they come.

    Memory stays bounded by a few batches and one row group (`ROW_GROUP_BYTES`) whatever the
    size of the source.
    """
    stats = RawTableStats()
    started = time.perf_counter()
    next_report = progress_every
    batches = read_source_batches(name, source, lid.batch_size)
    pending: list[pa.Table] = []
    pending_bytes = 0
    with pq.ParquetWriter(str(out_path), RAW_SCHEMA, compression="zstd") as writer:
        options = LidOptions.from_config(lid, target_language)
        for rows in detect_rows(batches, options, workers=lid.workers):
            pending.append(pa.Table.from_pylist(rows, schema=RAW_SCHEMA))
            pending_bytes += pending[-1].nbytes
            if pending_bytes >= ROW_GROUP_BYTES:
                writer.write_table(pa.concat_tables(pending))
                pending, pending_bytes = [], 0
            stats.rows += len(rows)
            for row in rows:
                stats.turns += len(row["messages"])
                stats.languages[row["language"]] += 1
                stats.decided_by[row["language_decided_by"]] += 1
                if row["problem"]:
                    stats.problems[row["problem"]] += 1
            if progress and stats.rows >= next_report:
                stats.seconds = time.perf_counter() - started
                progress(stats)
                next_report += progress_every
        if pending:
            writer.write_table(pa.concat_tables(pending))
    stats.seconds = time.perf_counter() - started
    return stats
