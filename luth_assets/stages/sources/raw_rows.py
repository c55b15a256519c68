"""The per-batch work of the raw table, done in the detection workers: normalise one chunk of
source records into rows (a jsonl file's lines come as bytes and are parsed here, by
`normalise_chunk`) and detect their languages. It imports neither pyarrow nor pandas (their
import would double a worker's start, about half a second); `raw_table` builds the Arrow tables
(about 1 µs a row) and writes them."""

from __future__ import annotations

from collections import Counter
from typing import Any

from luth_assets.lib.lid_cascade import LidOptions, detect_row_batch
from luth_assets.lib.source_config import SourceConfig
from luth_assets.lib.source_reading import SourceChunk, normalise_chunk

# the list columns that `detect_chunk` sends flat, one value a turn
PER_TURN = ("messages", "turn_languages", "turn_language_probs")


def detect_chunk(name: str, source: SourceConfig, columns: list[str], chunk: SourceChunk,
                 options: LidOptions) -> tuple[dict[str, list[Any]], dict[str, Any]]:
    """The chunk's rows with their languages as `columns` (name -> one value per row: this
    unpickles in half the time of one dict per row), and their counts for `RawTableStats`. The
    `PER_TURN` columns come flat, one value a turn (`messages` as `role` and `content`), with
    `turns`, each row's turn count: no list or dict a turn to unpickle, nor for the garbage
    collector to scan, in the process that builds the tables."""
    rows = detect_row_batch(normalise_chunk(name, source, chunk), options)
    turns = [len(row["messages"]) for row in rows]
    counts = {"turns": sum(turns),
              "languages": Counter(row["language"] for row in rows),
              "decided_by": Counter(row["language_decided_by"] for row in rows),
              "problems": Counter(row["problem"] for row in rows if row["problem"])}
    result = {column: [row[column] for row in rows] for column in columns if column not in PER_TURN}
    return result | {
        "turns": turns,
        "role": [turn["role"] for row in rows for turn in row["messages"]],
        "content": [turn["content"] for row in rows for turn in row["messages"]],
        "turn_languages": [value for row in rows for value in row["turn_languages"]],
        "turn_language_probs": [value for row in rows for value in row["turn_language_probs"]],
    }, counts
