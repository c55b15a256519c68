"""Stream one source through language detection into a Parquet file."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from luth_assets.lib.language_id import detect_languages
from luth_assets.lib.shards import Shard, ShardPlan, plan_shard, read_shard_batches
from luth_assets.lib.source_config import SourceConfig
from luth_assets.stages.sources.settings import LanguageIdConfig

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
])


@dataclass
class RawTableStats:
    rows: int = 0
    turns: int = 0
    seconds: float = 0.0
    languages: Counter = field(default_factory=Counter)
    problems: Counter = field(default_factory=Counter)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def write_raw_table(
    name: str | Shard,
    source: SourceConfig,
    lid: LanguageIdConfig,
    out_path: str | Path,
    progress: Callable[[RawTableStats], None] | None = None,
    progress_every: int = 50_000,
    plan: ShardPlan | None = None,
) -> RawTableStats:
    """Read `source` (or one shard of it: `name` a `Shard` and its `plan`), detect each turn's
    language and write the rows to `out_path` as they come.

    Memory stays bounded by a few batches whatever the size of the source.
    """
    stats = RawTableStats()
    started = time.perf_counter()
    next_report = progress_every
    shard = name if isinstance(name, Shard) else Shard(name)
    batches = read_shard_batches(shard, source, plan or plan_shard(source, shard), lid.batch_size)
    with pq.ParquetWriter(str(out_path), RAW_SCHEMA, compression="zstd") as writer:
        for rows in detect_languages(batches, workers=lid.workers, seed=lid.seed):
            writer.write_table(pa.Table.from_pylist(rows, schema=RAW_SCHEMA))
            stats.rows += len(rows)
            for row in rows:
                stats.turns += len(row["messages"])
                stats.languages[row["language"]] += 1
                if row["problem"]:
                    stats.problems[row["problem"]] += 1
            if progress and stats.rows >= next_report:
                stats.seconds = time.perf_counter() - started
                progress(stats)
                next_report += progress_every
    stats.seconds = time.perf_counter() - started
    return stats
