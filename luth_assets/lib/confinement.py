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


REMOTE_SCHEMES = ("hf://", "s3://")  # allowed by scheme: never a file of this machine
ALLOWED_ROOTS_KEY = "lake.allowed_roots"


class SourceOutsideRoots(ValueError):
    """A source that lies outside every allowed root; the message names it and the setting."""


def confine_uri(name: str, uri: str, roots: list[Path], extra_prefixes: list[str]) -> None:
    """Refuse `uri` (a source's, already resolved against the configuration's folder) unless it
    is a hub or S3 URI, starts with a URI prefix of `lake.allowed_roots`, or is a local path (a
    glob: its fixed folder) whose real path, symlinks resolved, lies inside one of `roots`."""
    if uri.startswith(REMOTE_SCHEMES) or any(uri.startswith(p) for p in extra_prefixes):
        return
    if "://" in uri and not uri.startswith("file://"):
        raise SourceOutsideRoots(
            f"source {name}: {uri} uses a scheme that is not allowed (hf:// and s3:// are); "
            f"add its prefix to `{ALLOWED_ROOTS_KEY}` to read it")
    path = uri.removeprefix("file://")
    target = glob_base(path) if any(ch in path for ch in "*?[") else Path(path)
    real = target.resolve()
    if not any(real.is_relative_to(root.resolve()) for root in roots):
        shown = f"{path} (resolves to {real})" if str(real) != str(Path(path)) else path
        raise SourceOutsideRoots(
            f"source {name}: {shown} is outside the allowed roots "
            f"({', '.join(str(r) for r in roots)}); refused before it is opened. Add its folder "
            f"to `{ALLOWED_ROOTS_KEY}` in the run configuration to read it")
