"""Stream one source through language detection into a Parquet file."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from itertools import accumulate
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from luth_assets.lib.lid_cascade import LidOptions, map_batches
from luth_assets.lib.shards import Shard, ShardPlan, plan_shard, shard_chunks
from luth_assets.lib.source_config import SourceConfig
from luth_assets.stages.sources.raw_rows import PER_TURN, detect_chunk
from luth_assets.stages.sources.settings import LanguageIdConfig

# Detected batches are gathered into row groups of about this many bytes: one row group per small
# detection batch would make the file's metadata (kept in memory until the file is closed) grow
# with the number of rows; much larger groups would leave a long write after the last detection.
ROW_GROUP_BYTES = 8 << 20

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


def batch_table(columns: dict[str, list]) -> pa.Table:
    """The Arrow table of one `raw_rows.detect_chunk` result (its `PER_TURN` columns come flat)."""
    offsets = pa.array(list(accumulate(columns["turns"], initial=0)), pa.int32())
    flat = {"messages": pa.StructArray.from_arrays(
                [pa.array(columns["role"], pa.string()), pa.array(columns["content"], pa.string())],
                fields=list(MESSAGE)),
            "turn_languages": pa.array(columns["turn_languages"], pa.string()),
            "turn_language_probs": pa.array(columns["turn_language_probs"], pa.float64())}
    lists = {name: pa.ListArray.from_arrays(offsets, flat[name], type=RAW_SCHEMA.field(name).type)
             for name in PER_TURN}
    return pa.Table.from_pydict({name: lists[name] if name in lists else columns[name]
                                 for name in RAW_SCHEMA.names}, schema=RAW_SCHEMA)


def write_raw_table(
    name: str | Shard,
    source: SourceConfig,
    lid: LanguageIdConfig,
    out_path: str | Path,
    progress: Callable[[RawTableStats], None] | None = None,
    progress_every: int = 50_000,
    target_language: str = "fr",
    plan: ShardPlan | None = None,
) -> RawTableStats:
    """Read `source` (or one shard of it: `name` a `Shard` and its `plan`), detect each turn's
    language and write the rows to `out_path` as they come.

    The workers do each batch's per-row work (`raw_rows.detect_chunk`: parsing the records, for
    jsonl, normalising them, detection); this process reads the records (a jsonl file's lines as
    bytes: JSON is parsed in the workers), builds the Arrow tables from the columns the workers
    send back (`batch_table`) and hands the row groups to a writer thread (pyarrow writes without
    the GIL), so the work spreads over all cores.
    Memory stays bounded by a few batches and two row groups (`ROW_GROUP_BYTES`) whatever the
    size of the source.
    """
    stats = RawTableStats()
    started = time.perf_counter()
    next_report = progress_every
    shard = name if isinstance(name, Shard) else Shard(name)
    chunks = shard_chunks(source, plan or plan_shard(source, shard), lid.batch_size)
    task = partial(detect_chunk, shard.source, source, RAW_SCHEMA.names)
    pending: list[pa.Table] = []
    pending_bytes = 0
    with (pq.ParquetWriter(str(out_path), RAW_SCHEMA, compression="zstd") as writer,
          ThreadPoolExecutor(1) as write_thread):
        writing: Future | None = None

        def flush() -> Future:
            if writing is not None:
                writing.result()  # one row group written at a time: memory stays bounded
            return write_thread.submit(writer.write_table, pa.concat_tables(pending))

        options = LidOptions.from_config(lid, target_language)
        for columns, counts in map_batches(task, chunks, options, workers=lid.workers):
            table = batch_table(columns)
            pending.append(table)
            pending_bytes += table.nbytes
            if pending_bytes >= ROW_GROUP_BYTES:
                writing = flush()
                pending, pending_bytes = [], 0
            stats.rows += table.num_rows
            stats.turns += counts["turns"]
            for key in ("languages", "decided_by", "problems"):
                getattr(stats, key).update(counts[key])
            if progress and stats.rows >= next_report:
                stats.seconds = time.perf_counter() - started
                progress(stats)
                next_report += progress_every
        if pending:
            writing = flush()
        if writing is not None:
            writing.result()
    stats.seconds = time.perf_counter() - started
    return stats

