"""How long the client waits before retrying a failed call."""

from __future__ import annotations

import random

from luth_assets.lib.llm.settings import RetrySettings


def backoff_delay(attempt: int, retry: RetrySettings, retry_after: float | None,
                  rng: random.Random) -> float:
    """Delay before retry number `attempt + 1`: exponential with jitter, never shorter than the
    server's Retry-After (capped)."""
    base = min(retry.backoff_max_s, retry.backoff_initial_s * retry.backoff_multiplier ** attempt)
    delay = base * (1.0 - retry.jitter * rng.random())
    if retry_after is not None:
        delay = max(delay, min(retry_after, retry.max_retry_after_s))
    return delay
