"""Run one batch of LLM requests for a stage: provider, lake cache, progress, replay coverage.

Plain Python (no Dagster): an asset calls :func:`run_llm` with the run configuration's `llm:`
section and gets a :class:`~luth_assets.lib.llm.RunOutput` (one result per request, keyed by
``sample_id``). The provider is built and closed inside one event loop per call.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Sequence

from luth_assets.lib.llm import (
    LLMCache,
    LLMClient,
    LLMRequest,
    LLMSettings,
    RunOutput,
    log_progress,
)
from luth_assets.lib.llm.errors import LLMError
from luth_assets.lib.llm.providers import build_provider


class ReplayCoverageError(LLMError):
    """The replay provider has no authored answer for some requests of a stage."""


def run_llm(settings: LLMSettings, lake_root: str | os.PathLike, requests: Sequence[LLMRequest],
            *, stage: str, log: Callable[[str], None] = print) -> RunOutput:
    """Answer every request (cache first), logging progress every `llm.progress_every_s` (and a
    bar on a terminal). A replay miss is an error naming the stage and the
    sample_ids (the demo's authored answers must cover every call)."""
    provider = build_provider(settings)
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
