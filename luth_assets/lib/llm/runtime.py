"""Run a stage's LLM requests and account for them (plain Python, no Dagster).

:func:`run_llm` answers one batch of requests for a stage: provider, lake cache, progress, replay
coverage. :class:`AssetLLMRunner` is what an asset gets from the `llm` resource: a callable
``run(requests, stage)`` that runs a batch, appends its accounting to ``ops/llm_calls`` (with the
asset, run and partition) and collects the metadata the asset reports. A batch whose share of
failed calls is above ``llm.max_error_rate`` fails the asset (:class:`ErrorRateExceeded`, the
message counting the failures by kind) after its calls are recorded and its answers cached.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from luth_assets.lib.llm import (
    LLMCache,
    LLMClient,
    LLMError,
    LLMRequest,
    LLMSettings,
    RunOutput,
    build_provider,
    log_progress,
)
from luth_assets.lib.llm.accounting import record_llm_calls, summary_metadata


class ReplayCoverageError(LLMError):
    """The replay provider has no authored answer for some requests of a stage."""


class ErrorRateExceeded(LLMError):
    """More of a batch's calls failed than `llm.max_error_rate` allows (an outage, a bad key)."""


# reject reasons that mean the call failed (not an answer the stage turned down)
CALL_ERROR_REASONS = ("provider_error", "rate_limited", "server_error", "timeout",
                      "connection_error", "empty_output", "bad_response", "unexpected_error")


def error_rate_problem(summary, max_error_rate: float) -> str | None:
    """The failure message when the share of rows whose call failed is above `max_error_rate`."""
    failed = {r: n for r, n in summary.failures_by_reason.items() if r in CALL_ERROR_REASONS}
    n_failed = sum(failed.values())
    if summary.rows == 0 or n_failed / summary.rows <= max_error_rate:
        return None
    kinds = ", ".join(f"{reason} {n}" for reason, n in sorted(failed.items(), key=lambda x: -x[1]))
    attempts = ", ".join(f"{k} {n}" for k, n in summary.errors_by_kind.items())
    return (f"LLM stage {summary.stage!r}: {n_failed} of {summary.rows} rows failed their call "
            f"({n_failed / summary.rows:.0%} > llm.max_error_rate {max_error_rate:.0%}): {kinds}"
            f"{f' (failed attempts, retries included: {attempts})' if attempts else ''}. "
            "The answers received are cached and the calls are in ops/llm_calls; re-run once "
            "the provider answers")


def run_llm(settings: LLMSettings, lake_root: str | os.PathLike, requests: Sequence[LLMRequest],
            *, stage: str, log: Callable[[str], None] = print,
            env: Mapping[str, str] | None = None) -> RunOutput:
    """Answer every request (cache first), logging progress every `llm.progress_every_s` (and a
    bar on a terminal). `env` holds the provider's key and endpoints (the `llm` resource passes
    them; None reads the process environment). A replay miss is an error naming the stage and the
    sample_ids (the demo's authored answers must cover every call)."""
    provider = build_provider(settings, env)
    cache = LLMCache.in_lake(lake_root, flush_rows=settings.cache.flush_rows,
                             flush_seconds=settings.cache.flush_seconds) \
        if settings.cache.enabled else None
    client = LLMClient(provider, settings=settings, cache=cache,
                       progress=log_progress(log, stage=stage,
                                             every_s=settings.progress_every_s))

    async def go() -> RunOutput:
        try:
            return await client.arun(requests, stage=stage)
        finally:
            await client.aclose()

    out = asyncio.run(go())
    missing = [r.sample_id for r in out.results if r.reason == "replay_miss"]
    if missing:
        raise ReplayCoverageError(
            f"replay answers missing for stage {stage!r}: {len(missing)} sample_id(s), e.g. "
            f"{', '.join(missing[:5])}. Add lines {{\"stage\": \"{stage}\", \"sample_id\": ..., "
            f"\"text\" | \"output\": ...}} under {settings.replay_path}")
    s = out.summary
    log(f"{stage}: {s.ok} ok, {s.rejected} rejected {s.failures_by_reason or ''}; "
        f"{s.requests} requests, {s.cache_hits} cache hits, {s.retries} retries, "
        f"{s.input_tokens}+{s.output_tokens} tokens, ~${s.estimated_cost_usd:.4f}")
    return out


class AssetLLMRunner:
    """``run(requests, stage)`` for one asset materialisation: answers the batch, records it in
    ``ops/llm_calls`` and keeps flat metadata (``<stage>/requests``, ...) in :attr:`metadata`."""

    def __init__(self, settings: LLMSettings, lake_root: str | os.PathLike, *, asset: str,
                 run_id: str, partition: str | None = None,
                 log: Callable[[str], None] = print, env: Mapping[str, str] | None = None,
                 env_for: Callable[[LLMSettings], Mapping[str, str]] | None = None,
                 defer_failure: bool = False):
        self.settings = settings
        self.lake_root = lake_root
        self.asset = asset
        self.run_id = run_id
        self.partition = partition
        self.log = log
        self.env = env
        self.env_for = env_for
        self.metadata: dict[str, Any] = {}
        # above llm.max_error_rate: raise at once, or (defer_failure) keep the message in
        # `failure` for an asset that writes its tables first and then fails
        self.defer_failure = defer_failure
        self.failure: str | None = None

    def __call__(self, requests: Sequence[LLMRequest], stage: str) -> RunOutput:
        settings, requests = step_requests(self.settings, requests, stage)
        env = self.env_for(settings) if self.env_for is not None else self.env
        out = run_llm(settings, self.lake_root, requests, stage=stage, log=self.log, env=env)
        record_llm_calls(self.lake_root, out.summary, asset=self.asset, run_id=self.run_id,
                         partition=self.partition)
        self.metadata.update(summary_metadata(out.summary, prefix=stage))
        problem = error_rate_problem(out.summary, self.settings.max_error_rate)
        if problem is not None:
            if not self.defer_failure:
                raise ErrorRateExceeded(problem)
            self.log(problem)
            self.failure = self.failure or problem
        return out


def step_requests(settings: LLMSettings, requests: Sequence[LLMRequest], stage: str
                  ) -> tuple[LLMSettings, list[LLMRequest]]:
    """The settings a stage's calls use (`llm.steps.<step>` over `llm:`) and its requests with
    the step's generation parameters; both enter the cache key (provider, model, params)."""
    over = settings.step(stage)
    if over is None:
        return settings, list(requests)
    return settings.for_step(stage), [
        r.model_copy(update={"params": over.params(r.params)}) for r in requests]
