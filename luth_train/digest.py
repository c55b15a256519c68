"""Content hash of a model folder's files, shared by training records and merge results."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path


def files_sha256(files: Iterable[Path]) -> str:
    """sha256 over each existing file's name and bytes, in the order given (missing ones skipped)."""
    h = hashlib.sha256()
    for p in files:
        if not p.is_file():
            continue
        h.update(p.name.encode() + b"\0")
        with p.open("rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
    return h.hexdigest()
