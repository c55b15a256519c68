"""Starting a materialisation safely: the writer locks, Dagster's storage, leftovers of a kill.

:func:`begin_materialize` is what `luth materialize` calls before running anything:

1. take the writer lock of the lake and of ``DAGSTER_HOME`` (:mod:`luth_assets.lib.locks`): a
   second materialize stops with ``another materialize is running (pid N)``;
2. open the Dagster instance and create its SQLite storages while holding the lock, so two
   processes never run the storage's schema migrations at once (that produced two alembic heads);
3. remove what a killed run left in the lake (:func:`clean_leftovers`): staged Parquet files
   under ``.staging/`` and temporary files of atomic writes whose writing process is gone;
4. mark runs this command started and that are still ``STARTED`` failed
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

from luth_assets.lib.lake import is_local, local_path
from luth_assets.lib.locks import pid_alive, writer_lock

LAUNCHED_BY_TAG = "luth/launched_by"
ORPHAN_STATUSES = (dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
                   dg.DagsterRunStatus.STARTED)
# `<name>.<pid>-<hex>.parquet` (staging) and `.<name>.<pid>-<hex>.tmp` (atomic writes)
_PID_NAME = re.compile(r"\.(\d+)-[0-9a-f]{8,12}\.(?:parquet|tmp)$")
LEGACY_AGE_S = 600.0  # a leftover without a pid in its name is removed once this old


def begin_materialize(lake_root: str, dagster_home: str | None = None,
                      log: Callable[[str], None] = print) -> dg.DagsterInstance:
    """Take the writer locks, open the instance (storage created once), clean up after kills.
    Raises :class:`~luth_assets.lib.locks.WriterBusy` when another materialize holds a lock."""
    home = dagster_home if dagster_home is not None else os.environ.get("DAGSTER_HOME")
    if is_local(lake_root):
        writer_lock(local_path(lake_root))
    if home:
        writer_lock(home)
        instance = open_instance(home)
    else:
        instance = dg.DagsterInstance.ephemeral()
        log("DAGSTER_HOME is not set: runs are not kept for the UI (make demo sets it)")
    removed = clean_leftovers(lake_root)
    if removed:
        log(f"removed {len(removed)} file(s) left by an interrupted run (.staging/, temporary writes)")
    failed = fail_orphaned_runs(instance)
    if failed:
        log(f"marked {len(failed)} interrupted run(s) failed: {', '.join(failed)}")
    return instance


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


def clean_leftovers(lake_root: str, now: float | None = None) -> list[Path]:
    """Remove staged and temporary files whose writer is gone (returns what was removed)."""
    if not is_local(lake_root):
        return []
    root = local_path(lake_root)
    now = time.time() if now is None else now
    candidates = list((root / ".staging").glob("*")) if (root / ".staging").is_dir() else []
    if root.is_dir():
        candidates += [p for p in root.rglob(".*.tmp") if ".dagster" not in p.parts]
    removed = []
    for path in candidates:
        if not path.is_file():
            continue
        match = _PID_NAME.search(path.name)
        if match:
            if int(match.group(1)) == os.getpid() or pid_alive(int(match.group(1))):
                continue
        else:
            try:
                if now - path.stat().st_mtime < LEGACY_AGE_S:
                    continue
            except FileNotFoundError:
                continue
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed
