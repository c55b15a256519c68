"""Starting a materialisation safely: the lake's lease, Dagster's storage, leftovers of a kill.

:func:`begin_materialize` is what `luth materialize` calls before running anything:

1. take the writer lock of ``DAGSTER_HOME`` (:mod:`luth_assets.lib.locks`): a second materialize
   on the same home stops with ``another materialize is running (pid N)``;
2. take the lake's lease (:mod:`luth_assets.lib.lease`) for this command: a writer already on the
   lake (another command, a run launched from the UI or the daemon, on any machine) refuses it,
   named; the command's runs carry its id in the ``luth/writer`` tag and share the lease;
3. open the Dagster instance and create its SQLite storages while holding the lock, so two
   processes never run the storage's schema migrations at once (that produced two alembic heads);
4. on a fresh lease, remove what a killed writer left (:func:`clean_leftovers`): staged tables and
   temporary files of atomic writes whose run (or process) is no longer alive, in the lake (local
   or object storage) and in the local work folder of a remote lake;
5. mark runs this command started and that are still ``STARTED`` failed
   (:func:`fail_orphaned_runs`): holding the lock of this Dagster home, no other `luth
   materialize` can be running them. Dagster's run monitoring does this for runs launched by a
   daemon; in-process runs have no daemon watching them.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from pathlib import Path

import dagster as dg

from luth_assets.lib import object_store
from luth_assets.lib.lake import is_local, local_path
from luth_assets.lib.locks import pid_alive, writer_lock

LAUNCHED_BY_TAG = "luth/launched_by"
ORPHAN_STATUSES = (dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
                   dg.DagsterRunStatus.STARTED)
# `<name>.<owner>-<hex>.parquet` (staging) and `.<name>.<owner>-<hex>.tmp` (atomic writes), the
# owner being `r<run id>` (a run) or a pid (outside a run)
_OWNED = re.compile(r"\.(?P<owner>\d+|r[0-9a-f]{32})-[0-9a-f]{8,12}(?:\.[A-Za-z0-9]+)+$")
LEGACY_AGE_S = 600.0  # a leftover without an owner in its name is removed once this old


def begin_materialize(lake_root: str, dagster_home: str | None = None,
                      log: Callable[[str], None] = print,
                      writer: str | None = None) -> dg.DagsterInstance:
    """Take the home's lock and the lake's lease (for `writer`), open the instance (storage
    created once), clean up after kills. Raises :class:`~luth_assets.lib.locks.WriterBusy` when
    another materialize holds the home or another writer the lake."""
    from luth_assets.lib import run_lease

    home = dagster_home if dagster_home is not None else os.environ.get("DAGSTER_HOME")
    if home:
        writer_lock(home)
    run_lease.join(lake_root, writer or f"luth materialize pid {os.getpid()}", log=log)
    if home:
        instance = open_instance(home)
    else:
        instance = dg.DagsterInstance.ephemeral()
        log("DAGSTER_HOME is not set: runs are not kept for the UI (make demo sets it)")
    failed = fail_orphaned_runs(instance)
    if failed:
        log(f"marked {len(failed)} interrupted run(s) failed: {', '.join(failed)}")
    return instance


def end_materialize(lake_root: str) -> None:
    """Leave the lake's lease taken by :func:`begin_materialize`."""
    from luth_assets.lib import run_lease

    run_lease.leave(lake_root)


def open_instance(home: str) -> dg.DagsterInstance:
    """The instance of `home`, its run, event and schedule storages created (and migrated) now,
    under the caller's lock, instead of lazily by whichever process touches them first."""
    os.makedirs(home, exist_ok=True)
    instance = dg.DagsterInstance.from_config(os.path.abspath(home))
    instance.get_runs(limit=1)
    instance.get_latest_materialization_event(dg.AssetKey(["luth", "storage_probe"]))
    instance.schedule_storage.all_instigator_state()  # type: ignore[union-attr]
    return instance


def fail_orphaned_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark failed every run `luth materialize` started that never finished (ids returned)."""
    runs = instance.get_runs(filters=dg.RunsFilter(statuses=list(ORPHAN_STATUSES),
                                                    tags={LAUNCHED_BY_TAG: "luth materialize"}))
    for run in runs:
        instance.report_run_failed(
            run, message="luth materialize: this run's process ended without finishing it "
            "(killed or crashed); marked failed when the next materialize started")
    return [run.run_id for run in runs]


def _stale(name: str, live: set[str], age_s: float | None, remote: bool) -> bool:
    """Whether a temporary file named `name` belongs to no live writer."""
    match = _OWNED.search(name)
    owner = match.group("owner") if match else None
    if owner and owner.startswith("r"):
        return owner[1:] not in {run.replace("-", "") for run in live}
    if owner and not remote:
        return int(owner) != os.getpid() and not pid_alive(int(owner))
    return age_s is not None and age_s >= LEGACY_AGE_S  # no owner (or another host's pid)


def clean_leftovers(lake_root: str, live: set[str] | frozenset[str] = frozenset(),
                    now: float | None = None) -> list[Path | str]:
    """Remove staged and temporary files whose writer is gone (returns what was removed).

    Called by the holder of a fresh lease: a file owned by a run is removed unless the run is in
    `live`; one owned by a pid when that process is gone (local files only); one with no owner
    once older than :data:`LEGACY_AGE_S`. On object storage, the hidden ``.tmp`` keys of the lake
    and the local work folder's ``.staging/`` are both cleaned."""
    now = time.time() if now is None else now
    if not is_local(lake_root):
        removed: list[Path | str] = _clean_local(object_store.local_cache(lake_root), live, now)
        return removed + _clean_remote(lake_root, live, now)
    root = local_path(lake_root)
    return _clean_local(root, live, now, rglob_tmp=True) if root.is_dir() else []


def _clean_local(root: Path, live, now: float, rglob_tmp: bool = False) -> list[Path | str]:
    candidates = list((root / ".staging").glob("*")) if (root / ".staging").is_dir() else []
    if rglob_tmp:
        candidates += [p for p in root.rglob(".*.tmp") if ".dagster" not in p.parts]
    removed: list[Path | str] = []
    for path in candidates:
        try:
            age = now - path.stat().st_mtime
        except FileNotFoundError:
            continue
        if path.is_file() and _stale(path.name, set(live), age, remote=False):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _clean_remote(root: str, live, now: float) -> list[Path | str]:
    fs, base = object_store.filesystem(root)
    fs.invalidate_cache()
    if not fs.exists(base):
        return []
    removed: list[Path | str] = []
    for path, info in fs.find(base, detail=True).items():
        name = path.rsplit("/", 1)[-1]
        if not (name.startswith(".") and name.endswith(".tmp")):
            continue
        modified = info.get("LastModified")
        age = now - modified.timestamp() if modified is not None else None
        if _stale(name, set(live), age, remote=True):
            fs.rm_file(path)
            removed.append(f"{root.split('://', 1)[0]}://{path}")
    fs.invalidate_cache()
    return removed
