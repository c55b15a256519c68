"""Every run that writes to the lake holds the lake's lease, whatever launched it.

Two places take it, both keyed by the Dagster run:

- **the run's executor** (:func:`leased_executor`, wrapped around whichever executor the code
  location uses): for a run launched by the UI, the daemon, a sensor or `execute_job`, the run
  worker joins the lease before the first step starts, renews it while the run lives and leaves
  when the run ends. Step processes (multiprocess executor) and step pods (k8s) run inside that.
- **the lake's IO manager and `LakeResource`** when they start in a process (`setup_for_execution`):
  an in-process run (`luth materialize`, `dagster.materialize`) has no run worker of its own, and a
  step process re-joins under its run, re-entrantly (same holder, same run id).

The holder is the run's writer: the tag ``luth/writer`` when set (`luth materialize` sets it to
its command, which holds the lease for all its runs), else the backfill the run belongs to (its
runs write disjoint partitions and may run side by side), else the run id; a re-execution is
always a writer of its own. Any other writer is
refused with :class:`~luth_assets.lib.locks.WriterBusy` naming the holder.

File names of staged tables carry the owning run (:func:`owner_token`), so the writer starting a
fresh tenure of the lease removes those of runs no longer alive (`instance.clean_leftovers`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import dagster as dg
from dagster._core.executor.base import Executor  # the executor interface Dagster runs

from luth_assets.lib.lease import Lease, Member, host_id, live_runs

WRITER_TAG = "luth/writer"
BACKFILL_TAG = "dagster/backfill"

_HELD: dict[tuple[str, str], list] = {}  # (lake root, member key) -> [Lease, joins]
_OWNER: list[str] = []  # run ids of this process's joined runs, latest last


def run_token(run_id: str) -> str:
    return "r" + run_id.replace("-", "")


def owner_token() -> str:
    """What staged file names carry as their owner: the current run, else this process's pid."""
    return run_token(_OWNER[-1]) if _OWNER else str(os.getpid())


def writer_of(tags: Mapping[str, str], run_id: str, parent_run_id: str | None = None) -> str:
    """The holder a run writes for. A re-execution (launched from the UI) inherits its parent's
    tags but is a writer of its own, never part of the command or backfill it re-runs."""
    if parent_run_id:
        return f"run {run_id}"
    if tags.get(WRITER_TAG):
        return tags[WRITER_TAG]
    if tags.get(BACKFILL_TAG):
        return f"backfill {tags[BACKFILL_TAG]}"
    return f"run {run_id}"


def _norm(root: str) -> str:
    return root if "://" in str(root) else str(Path(root).absolute())


def join(root: str, holder: str, run_id: str = "", log: Callable[[str], None] = print) -> Lease:
    """This process writes to `root` for `holder` (re-entrant); cleans leftovers on a fresh
    tenure and keeps the lease renewed until :func:`leave`."""
    root = _norm(root)
    key = f"{run_token(run_id) if run_id else 'cmd'}@{host_id()}:{os.getpid()}"
    held = _HELD.get((root, key))
    if held is not None:
        held[1] += 1
        if run_id:
            _OWNER.append(run_id)
        return held[0]
    lease = Lease(root, holder, Member(key, run_id), log=log).acquire()
    _HELD[(root, key)] = [lease, 1]
    if run_id:
        _OWNER.append(run_id)
    if lease.fresh:
        from luth_assets.lib.instance import clean_leftovers

        doc = lease.store.read()[0]
        removed = clean_leftovers(root, live=live_runs(doc) | ({run_id} if run_id else set()))
        if removed:
            log(f"removed {len(removed)} file(s) left by an interrupted run (staged tables, "
                "temporary writes)")
    lease.start_heartbeat()
    return lease


def leave(root: str, run_id: str = "") -> None:
    root = _norm(root)
    key = f"{run_token(run_id) if run_id else 'cmd'}@{host_id()}:{os.getpid()}"
    if run_id and run_id in _OWNER:
        _OWNER.reverse()
        _OWNER.remove(run_id)
        _OWNER.reverse()
    held = _HELD.get((root, key))
    if held is None:
        return
    held[1] -= 1
    if held[1] <= 0:
        del _HELD[(root, key)]
        held[0].release()


def check(root: str) -> None:
    """Raise when a lease this process holds on `root` was lost (before a table is published)."""
    root = _norm(root)
    for (held_root, _), (lease, _) in list(_HELD.items()):
        if held_root == root:
            lease.check()


def join_for_resource(root: str, context: dg.InitResourceContext) -> str | None:
    """Join the lease for the run a resource starts in; the run id to leave with (None outside
    a run)."""
    run = getattr(context, "dagster_run", None)
    if run is None:
        return None
    stored = context.instance.get_run_by_id(run.run_id) if context.instance is not None else None
    if stored is not None and stored.is_finished:  # resources opened to read a finished run's
        return None                                # outputs (`execute_job`'s result): no writer
    log = context.log.info if context.log is not None else print
    join(root, writer_of(run.tags, run.run_id, run.parent_run_id), run.run_id, log=log)
    return run.run_id


class LeasedExecutor(Executor):
    """Delegates to the wrapped executor, inside the run's lease (see the module docstring)."""

    def __init__(self, inner: Executor, root: str):
        self._inner, self._root = inner, root

    @property
    def retries(self):
        return self._inner.retries

    @property
    def step_dependency_config(self):
        return self._inner.step_dependency_config

    def execute(self, plan_context, execution_plan) -> Iterator:
        run = plan_context.dagster_run
        join(self._root, writer_of(run.tags, run.run_id, run.parent_run_id), run.run_id,
             log=plan_context.log.info)
        try:
            yield from self._inner.execute(plan_context, execution_plan)
        finally:
            leave(self._root, run.run_id)


def leased_executor(inner: dg.ExecutorDefinition, root: str) -> dg.ExecutorDefinition:
    """`inner` (same name, config and requirements) whose runs hold the lease of `root`."""
    def create(init_context):
        return LeasedExecutor(inner.executor_creation_fn(init_context), root)

    return dg.ExecutorDefinition(name=inner.name, config_schema=inner.config_schema,
                                 requirements=inner.get_requirements, executor_creation_fn=create,
                                 description=inner.description)
