"""Files a scanned folder may hand out: only those whose resolved path lies inside the folder.

A symlink in a landing folder (``ln -s /elsewhere/x.pdf landing/exams/...``), a ``..`` in a
manifest or a glob pattern, or an absolute path would otherwise make the pipeline open a file the
folder's owner never put there. Every folder a sensor or a glob scans goes through
:func:`split_confined` (or :func:`is_inside`) before a file is opened.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

OUTSIDE_REASON = "outside_landing"


def is_inside(path: str | os.PathLike, folder: str | os.PathLike) -> bool:
    """Whether `path`, symlinks resolved, lies inside `folder` (also resolved)."""
    return Path(path).resolve().is_relative_to(Path(folder).resolve())


def split_confined(paths: Iterable[str | os.PathLike], folder: str | os.PathLike
                   ) -> tuple[list[Path], list[Path]]:
    """(inside, outside) of `paths` with respect to `folder`, order kept."""
    base = Path(folder).resolve()
    inside, outside = [], []
    for path in paths:
        (inside if Path(path).resolve().is_relative_to(base) else outside).append(Path(path))
    return inside, outside


def glob_base(pattern: str) -> Path:
    """The folder a glob pattern scans: its components before the first wildcard."""
    parts = Path(pattern).parts
    fixed = []
    for part in parts:
        if any(ch in part for ch in "*?["):
            break
        fixed.append(part)
    return Path(*fixed) if fixed else Path(".")
