"""An ordered process pool whose workers start without the parent's main module.

A worker started with `spawn` first re-runs the parent's `__main__`: under `luth materialize` that
is the `luth` CLI, and in a step of a run launched from the UI or the daemon it is the `dagster`
CLI. Each worker then imported Dagster and our definitions before doing any work (about 1 s of
CPU per worker on top of its own ~0.45 s start, per partition and per core). Our tasks are
module-level functions of this package, so the workers never need the parent's main module:
`ordered_map` hides it while the workers start.
"""

from __future__ import annotations

import functools
import multiprocessing
import sys
import types
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager, nullcontext
from typing import Any


def defined_in_main(task: Callable[..., Any]) -> bool:
    """Whether `task` (or the function a `functools.partial` wraps) lives in `__main__`: a
    worker can only unpickle it after importing the main module."""
    while isinstance(task, functools.partial):
        task = task.func
    return getattr(task, "__module__", None) == "__main__"


@contextmanager
def main_module_hidden() -> Iterator[None]:
    """While processes are spawned in this block they do not re-run the parent's `__main__`
    (spawn reads what to re-run from `sys.modules["__main__"]` as it starts each process)."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is None:
            del sys.modules["__main__"]
        else:
            sys.modules["__main__"] = main


def ordered_map(task: Callable[..., Any], items: Iterable[Any], workers: int, args: tuple = (),
                initializer: Callable[..., None] | None = None,
                initargs: tuple = ()) -> Iterator[Any]:
    """``task(item, *args)`` for each item, in the items' order, over `workers` spawned processes
    (spawn, not fork: the caller may be a threaded Dagster process). At most ``2 × workers`` items
    are in flight, so memory does not grow with the number of items."""
    context = multiprocessing.get_context("spawn")
    hide_main = not any(defined_in_main(f) for f in (task, initializer) if f is not None)
    with ProcessPoolExecutor(workers, mp_context=context, initializer=initializer,
                             initargs=initargs) as pool:
        pending: deque[Future] = deque()
        for item in items:
            # the pool starts a worker at each of its first submissions, until it has `workers`
            starting = hide_main and len(pending) < workers
            with main_module_hidden() if starting else nullcontext():
                pending.append(pool.submit(task, item, *args))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
