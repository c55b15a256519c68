"""One `luth materialize` per Dagster home: an advisory file lock.

`luth materialize` takes :func:`writer_lock` on ``$DAGSTER_HOME/.luth-materialize.lock`` before it
opens Dagster's storage, so two commands never create (migrate) the SQLite storages at once; a
second one fails at once with ``another materialize is running (pid N)``. The lock is the kernel's
(``flock``), so it goes away with the process that held it, however that process ended. The lake
itself is guarded by its lease (`luth_assets.lib.lease`), which every writer takes. Queries
(`luth sql`) take neither.

Within one process the lock is re-entrant (a test calling the command twice keeps it).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

LOCK_NAME = ".luth-materialize.lock"

_HELD: dict[str, int] = {}  # lock path -> open file descriptor, for this process


class WriterBusy(RuntimeError):
    """Another writer holds the home's lock or the lake's lease; the message names it."""


def holder_pid(path: str | os.PathLike) -> int | None:
    """The pid written in a lock file (None when absent or unreadable)."""
    try:
        return int(Path(path).read_text(encoding="ascii").strip() or "x")
    except (OSError, ValueError):
        return None


def writer_lock(folder: str | os.PathLike, what: str = "materialize") -> Path:
    """Take the writer lock of `folder` for this process (until it exits or :func:`release`)."""
    path = Path(folder) / LOCK_NAME
    key = str(path.resolve())
    if key in _HELD:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        pid = holder_pid(path)
        raise WriterBusy(f"another {what} is running (pid {pid if pid else 'unknown'}) on "
                         f"{Path(folder)}: wait for it to finish (lock {path})") from None
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode("ascii"))
    os.fsync(fd)
    _HELD[key] = fd
    return path


def release(folder: str | os.PathLike) -> None:
    key = str((Path(folder) / LOCK_NAME).resolve())
    fd = _HELD.pop(key, None)
    if fd is not None:
        os.close(fd)  # closing the descriptor drops the flock


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True
