"""The per-batch work of the raw table, done in the detection workers: normalise one chunk of
source records into rows and detect their languages. It imports neither pyarrow nor pandas (their
import would double a worker's start, about half a second); `raw_table` builds the Arrow tables
(about 1 µs a row) and writes them."""

from __future__ import annotations

from collections import Counter
from typing import Any

from luth_assets.lib.lid_cascade import LidOptions, detect_row_batch
from luth_assets.lib.source_config import SourceConfig
from luth_assets.lib.source_reading import SourceChunk, normalise_chunk


def detect_chunk(name: str, source: SourceConfig, columns: list[str], chunk: SourceChunk,
                 options: LidOptions) -> tuple[dict[str, list[Any]], dict[str, Any]]:
    """The chunk's rows with their languages as `columns` (name -> one value per row: this
    unpickles in half the time of one dict per row), and their counts for `RawTableStats`."""
    rows = detect_row_batch(normalise_chunk(name, source, chunk), options)
    counts = {"turns": sum(len(row["messages"]) for row in rows),
              "languages": Counter(row["language"] for row in rows),
              "decided_by": Counter(row["language_decided_by"] for row in rows),
              "problems": Counter(row["problem"] for row in rows if row["problem"])}
    return {column: [row[column] for row in rows] for column in columns}, counts
