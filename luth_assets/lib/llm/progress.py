"""Progress of long LLM work: log lines at intervals (Dagster log, a logger) and a bar on a
terminal. Pass the result as ``LLMClient(..., progress=log_progress(context.log, stage=...))``.

The client calls the callback with a :class:`Progress` every ``reporter.every_s`` seconds (0.5 s
when a bar is drawn, else the log interval) and once at the end; the reporter writes a log line
every ``every_s`` seconds and always the last one.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

BAR_REFRESH_S = 0.5


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    requests: int
    cache_hits: int
    rejected: int
    seconds: float


class _Logger(Protocol):
    def info(self, msg: str, *args: Any) -> None: ...


def describe(stage: str, p: Progress) -> str:
    """One line: `translated_prompts: 1200/5000 rows (24%), 1180 requests, ...`."""
    rate = p.done / p.seconds if p.seconds > 0 else 0.0
    share = f" ({100 * p.done / p.total:.0f}%)" if p.total else ""
    left = ""
    if 0 < p.done < p.total and rate > 0:
        left = f", ~{(p.total - p.done) / rate:.0f}s left"
    prefix = f"{stage}: " if stage else ""
    return (f"{prefix}{p.done}/{p.total} rows{share}, {p.requests} requests, {p.cache_hits} "
            f"cached, {p.rejected} rejected, {p.seconds:.0f}s ({rate:.1f} rows/s){left}")


class ProgressReporter:
    """A ``progress=`` callback: a log line every ``every_s`` seconds (and at the end) to
    ``log`` (Dagster's ``context.log``, a ``logging.Logger``, or any ``str -> None``); with
    ``bar`` (default: stderr is a terminal) also a tqdm bar on stderr."""

    def __init__(self, log: _Logger | Callable[[str], None] | None, *, stage: str = "",
                 every_s: float = 30.0, bar: bool | None = None):
        self._log = log.info if hasattr(log, "info") else log
        self.stage = stage
        self.log_every_s = every_s
        self.bar = sys.stderr.isatty() if bar is None else bar
        self.every_s = min(BAR_REFRESH_S, every_s) if self.bar else every_s
        self._last_log: float | None = None
        self._tqdm = None
        self.lines: list[str] = []       # what was logged (handy in tests and metadata)

    def __call__(self, p: Progress) -> None:
        if self.bar:
            self._draw(p)
        now = time.monotonic()
        final = p.done >= p.total
        if final or self._last_log is None or now - self._last_log >= self.log_every_s - 1e-3:
            self._last_log = now
            line = describe(self.stage, p)
            self.lines.append(line)
            if self._log is not None:
                self._log(line)
        if final:
            self.close()

    def _draw(self, p: Progress) -> None:
        if self._tqdm is None:
            from tqdm import tqdm

            self._tqdm = tqdm(total=p.total, desc=self.stage or "llm", unit="row",
                              file=sys.stderr, dynamic_ncols=True, leave=True)
        self._tqdm.n = p.done
        self._tqdm.set_postfix(requests=p.requests, cached=p.cache_hits, rejected=p.rejected,
                               refresh=False)
        self._tqdm.refresh()

    def close(self) -> None:
        if self._tqdm is not None:
            self._tqdm.close()
            self._tqdm = None


def log_progress(log: _Logger | Callable[[str], None] | None, *, stage: str = "",
                 every_s: float = 30.0, bar: bool | None = None) -> ProgressReporter:
    """The ``progress=`` callback stages pass to :class:`LLMClient`::

        client = LLMClient(provider, settings=s, cache=cache,
                           progress=log_progress(context.log, stage="translated_prompts",
                                                 every_s=s.progress_every_s))
    """
    return ProgressReporter(log, stage=stage, every_s=every_s, bar=bar)
