"""What changed in the landing folder since the last look (plain Python, no Dagster).

The landing sensor and `luth materialize` (:func:`partitions.register_partitions`) both call
:func:`scan` to pair the PDFs and decide which exam partitions to add, which to request, and which
are stale (a file modified or removed: its content hash, hence its key, is gone).

The cursor is JSON: ``{"files": {relative path: [size, mtime_ns, sha256]}, "exams": [keys]}``.
``files`` spares re-hashing unchanged files; ``exams`` are the pairs already requested.

The folder may change while it is read (a file removed, or still being copied, between the
listing and its hash): the scan is tried again at once, and if the folder is still moving the
result says so in ``unsettled`` and changes nothing (no partition added, none dropped, the cursor
kept): the next sensor tick (or materialize) reads it again.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from luth_assets.lib.lake import local_path
from luth_assets.stages.scholar.pairing import Hasher, Pairing, pair_landing

SCAN_ATTEMPTS = 2   # a folder still moving after this many reads waits for the next tick

# partitioned tables of the stage: their file for a stale partition is removed with it
PARTITIONED_TABLES = ("bronze/exam_pdfs", "silver/exam_texts", "silver/exam_quarantine",
                      "silver/scholar_items", "silver/scholar_items_rejects")


@dataclass
class LandingScan:
    pairing: Pairing
    add: list[str] = field(default_factory=list)        # keys to register as partitions
    request: list[str] = field(default_factory=list)    # keys to run
    stale: list[str] = field(default_factory=list)      # registered keys no longer in landing
    files_changed: bool = False
    cursor: str = "{}"
    unsettled: str | None = None   # why this scan changed nothing (the folder moved while read)


def read_cursor(cursor: str | None) -> dict:
    if not cursor:
        return {"files": {}, "exams": []}
    data = json.loads(cursor)
    return {"files": data.get("files", {}), "exams": data.get("exams", [])}


def scan(landing: str | Path, cursor: str | None, registered: set[str],
         done: set[str] | None = None, defaults: dict | None = None) -> LandingScan:
    """Pair the landing folder and compare with what is registered and already seen.

    `registered`: the current dynamic partitions; `done`: partitions already materialised
    (their items exist), which a first tick does not request again."""
    state = read_cursor(cursor)
    for _ in range(SCAN_ATTEMPTS):
        hasher = Hasher(state["files"])
        try:
            pairing = pair_landing(landing, hasher, defaults)
            break
        except OSError as err:  # FileNotFoundError, LandingChanged: a file moved while read
            moved = f"{type(err).__name__}: {err}".replace(f"{landing}/", "")
    else:
        return LandingScan(pairing=Pairing(pairs=[], unpaired=[]), cursor=cursor or "{}",
                           unsettled=f"the landing folder changed while it was read ({moved}); "
                           "read again next time")
    files = {rel: hasher.known[rel] for rel in sorted(hasher.known)
             if Path(landing, rel).is_file()}
    current = [p.exam_id for p in pairing.pairs]
    seen = set(state["exams"]) | set(done or ())
    return LandingScan(
        pairing=pairing,
        add=[k for k in current if k not in registered],
        request=[k for k in current if k not in seen],
        stale=sorted(registered - set(current)),
        files_changed=files != state["files"],
        cursor=json.dumps({"files": files, "exams": sorted(current)}, sort_keys=True),
    )


def drop_partition_files(lake_root: str | os.PathLike, keys: list[str]) -> list[Path]:
    """Remove the stage's lake files of stale partitions (so views do not count them)."""
    removed = []
    root = local_path(lake_root)
    for table in PARTITIONED_TABLES:
        for key in keys:
            path = root / table / f"{key}.parquet"
            if path.is_file():
                path.unlink()
                removed.append(path)
    return removed
