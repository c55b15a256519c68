"""The client's rate limit: token buckets for requests and tokens per minute."""

from __future__ import annotations

import asyncio
import time

from luth_assets.lib.llm.types import LLMRequest


class _Bucket:
    def __init__(self, per_minute: float):
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, per_minute / 60.0)  # at most one second worth in a burst
        self.level = self.capacity
        self.stamp = time.monotonic()

    def _refill(self) -> None:
        now = time.monotonic()
        self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait_for(self, amount: float) -> float:
        self._refill()
        need = min(amount, self.capacity)  # one call bigger than a burst still goes, alone
        return 0.0 if self.level >= need else (need - self.level) / self.rate


class RateLimiter:
    """Requests-per-minute and tokens-per-minute buckets. Token use is estimated before a call
    and corrected with the real usage afterwards."""

    def __init__(self, requests_per_minute: float | None, tokens_per_minute: float | None):
        self._requests = _Bucket(requests_per_minute) if requests_per_minute else None
        self._tokens = _Bucket(tokens_per_minute) if tokens_per_minute else None
        self._lock = asyncio.Lock()

    @property
    def active(self) -> bool:
        return self._requests is not None or self._tokens is not None

    async def acquire(self, tokens: float) -> None:
        if not self.active:
            return
        async with self._lock:  # FIFO: the first waiter goes first
            while True:
                wait = 0.0
                if self._requests:
                    wait = max(wait, self._requests.wait_for(1))
                if self._tokens:
                    wait = max(wait, self._tokens.wait_for(tokens))
                if wait <= 0:
                    break
                await asyncio.sleep(wait)
            if self._requests:
                self._requests.level -= 1
            if self._tokens:
                self._tokens.level -= tokens

    def settle(self, estimated: float, actual: float) -> None:
        if self._tokens:
            self._tokens.level -= actual - estimated


IMAGE_TOKENS = 1548  # an A4 page at 150 dpi as Gemini counts it (6 tiles of 258); settled later


def estimate_tokens(request: LLMRequest) -> float:
    chars = sum(len(m.content) for m in request.messages)
    images = sum(len(m.images) for m in request.messages)
    return chars / 4.0 + images * IMAGE_TOKENS + (request.params.max_output_tokens or 512)
