"""Shards as partitions: a source with `shards: N` becomes N partitions of its bronze table.

Partition keys: the source name when it has one shard (the default, so a configuration without
`shards:` keeps its partitions), else ``<name>.<i>of<N>`` (``aya.1of4`` ... ``aya.4of4``; source
names cannot hold a dot, so the key is unambiguous).

How a source is split:
- several files (a glob) and at least as many files as shards: by file, file k goes to shard
  k mod N (sorted file order);
- otherwise (one large file): by row ranges, shard i reading rows [i*R/N, (i+1)*R/N) of each file,
  where R is the file's row count (Parquet: its metadata; jsonl: lines; csv/json: one counting pass).

The LLM stages (`translation.shards: N`) are split by row instead: a row belongs to shard
``row_shard(sample_id, N)`` of its input (the first 8 hex digits of the id modulo N), and each shard
is a partition ``<i>of<N>`` of translated_prompts, regenerated_responses and judged_samples; the
shard of a translated row follows it (regenerated shard i reads translated shard i).

Row ids, sample ids and row numbers are those of the unsharded read, so 1 shard and N shards give
the same rows, and re-running one shard rewrites only that shard's partition file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl

from luth_assets.lib.source_config import SourceConfig
from luth_assets.lib.source_reading import SourceChunk, iter_records, resolve_files, source_chunks


@dataclass(frozen=True)
class Shard:
    source: str
    index: int = 0      # 0-based
    count: int = 1

    @property
    def key(self) -> str:
        return self.source if self.count == 1 else f"{self.source}.{self.index + 1}of{self.count}"


def source_shards(name: str, source: SourceConfig) -> list[Shard]:
    return [Shard(name, i, source.shards) for i in range(source.shards)]


def shard_keys(sources: dict[str, SourceConfig]) -> list[str]:
    """Every partition key of a set of sources (sorted by source, then shard order)."""
    return [s.key for name in sorted(sources) for s in source_shards(name, sources[name])]


def parse_shard_key(key: str, sources: dict[str, SourceConfig]) -> Shard:
    """The shard a partition key names; a key that names no configured shard is an error."""
    name, _, part = key.partition(".")
    source = sources.get(name)
    shards = source_shards(name, source) if source is not None else []
    for shard in shards:
        if shard.key == key:
            return shard
    raise KeyError(f"partition {key!r} names no shard of the configured sources "
                   f"({', '.join(shard_keys(sources))})")


def count_rows(path: str, fmt: str) -> int:
    """Rows (for jsonl: lines, the row numbering the reader uses) of one source file."""
    if fmt == "parquet" and not path.startswith("hf://"):
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows
    if fmt == "jsonl" and not path.startswith("hf://"):
        return line_starts(path, [])[1]
    last = -1
    for batch in iter_records(path, fmt, 4096):
        last = batch[-1][0]
    return last + 1


def line_starts(path: str, lines: list[int]) -> tuple[dict[int, int], int]:
    """({line number: byte offset where it starts} for `lines` (0-based) that exist, lines in the
    file (newlines + 1, the reader's numbering)), in one pass over the bytes."""
    wanted = sorted(set(lines))
    starts = {0: 0} if wanted and wanted[0] == 0 else {}
    pending = [n for n in wanted if n > 0]
    seen, offset = 0, 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            count = block.count(b"\n")
            while pending and pending[0] <= seen + count:  # line k starts after the k-th newline
                position = -1
                for _ in range(pending[0] - seen):
                    position = block.index(b"\n", position + 1)
                starts[pending.pop(0)] = offset + position + 1
            seen += count
            offset += len(block)
    return starts, seen + 1


@dataclass(frozen=True)
class ShardPlan:
    files: list[str]                       # the files this shard reads
    rows: dict[str, range] | None = None   # per file, the row numbers it keeps (None: all)
    split: str = "none"                    # none | file | rows
    # per jsonl file: (first byte, end byte or -1, first line) of its row range
    spans: dict[str, tuple[int, int, int]] | None = None


def plan_shard(source: SourceConfig, shard: Shard) -> ShardPlan:
    files = resolve_files(source.uri)
    if shard.count == 1:
        return ShardPlan(files)
    if len(files) >= shard.count:
        return ShardPlan(files[shard.index::shard.count], split="file")
    rows, spans = {}, {}
    for path in files:
        total = count_rows(path, source.format)
        rows[path] = range(shard.index * total // shard.count,
                           (shard.index + 1) * total // shard.count)
        if source.format == "jsonl" and not path.startswith("hf://"):
            # the shard seeks to its lines instead of reading the file from the start
            starts, _ = line_starts(path, [rows[path].start, rows[path].stop])
            spans[path] = (starts.get(rows[path].start, -1), starts.get(rows[path].stop, -1),
                           rows[path].start)
    return ShardPlan(files, rows, split="rows", spans=spans or None)


def shard_chunks(source: SourceConfig, plan: ShardPlan, batch_size: int) -> Iterator[SourceChunk]:
    """`source_chunks` restricted to one shard (same ids as the unsharded read)."""
    keep = plan.rows
    return source_chunks(source, batch_size, files=plan.files, spans=plan.spans,
                         keep=(lambda path, n: n in keep[path]) if keep else None)


def row_shard_keys(count: int) -> list[str]:
    """Partition keys of an LLM stage split in `count` shards (``1of4`` ... ``4of4``)."""
    return [f"{i}of{count}" for i in range(1, count + 1)]


def row_shard_index(key: str, count: int) -> int:
    """The 0-based shard a ``<i>of<N>`` partition key names; an unknown key is an error."""
    keys = row_shard_keys(count)
    if key not in keys:
        raise KeyError(f"partition {key!r} is not a shard of {count} ({', '.join(keys)})")
    return keys.index(key)


def row_shard(column: str, count: int) -> pl.Expr:
    """The 0-based shard of each row, from its 16-hex-digit id in `column` (stable: it depends on
    the id only, so a row keeps its shard across runs and machines)."""
    return pl.col(column).str.slice(0, 8).str.to_integer(base=16) % count


def rows_of_shard(frame: pl.DataFrame | pl.LazyFrame, column: str, key: str | None,
                  count: int) -> pl.DataFrame | pl.LazyFrame:
    """The rows of `frame` in the shard `key` names (all rows when the stage is not sharded)."""
    if key is None or count == 1:
        return frame
    return frame.filter(row_shard(column, count) == row_shard_index(key, count))
