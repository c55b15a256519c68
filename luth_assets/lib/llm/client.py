"""The LLM client: every call of every LLM stage goes through `LLMClient.arun`.

- bounded concurrency (a semaphore around each HTTP call; rows backing off hold no slot),
- a rate limit in requests and tokens per minute (token buckets, corrected by real usage),
- retries with exponential backoff and jitter on 429 / 5xx / timeouts / connection errors /
  empty answers, honouring ``Retry-After``, with a per-call timeout,
- structured answers validated with the request's pydantic model, one repair attempt, then a
  reject with reason ``invalid_output`` keeping the raw text,
- a content-addressed cache (see :mod:`.cache`) consulted before any call and written as
  answers arrive, flushed on cancel or error,
- accounting (:class:`CallSummary`).

Every input row ends as exactly one :class:`LLMResult` (ok or rejected + reason), keyed by its
``sample_id`` and returned in input order.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from luth_assets.lib.llm.cache import LLMCache
from luth_assets.lib.llm.errors import (
    Blocked,
    CallTimeout,
    ConnectionFailure,
    LLMError,
    ProviderCallError,
    ProviderUnavailable,
)
from luth_assets.lib.llm.providers.base import Provider, redact
from luth_assets.lib.llm.settings import LLMSettings, ModelPrice, RetrySettings
from luth_assets.lib.llm.types import (
    LLMRequest,
    LLMResult,
    Message,
    ProviderResponse,
    cache_key,
    request_fingerprint,
)

FINAL_MARK = "FINAL:"  # finish_reason prefix of a cached final failure ("FINAL:blocked")
# answers that are final for *this request* and are cached so a re-run does not pay for them
# again: safety blocks, and 400 INVALID_ARGUMENT (the request itself is refused)
FINAL_STATUSES = {400}
AUTH_STATUSES = {401, 403}
FREE_PROVIDERS = {"replay", "transformers"}  # no bill: cost 0 is a known figure


# ----------------------------------------------------------------------------- accounting


class CallSummary(BaseModel):
    """Accounting of one run (one asset materialisation). Written as a row of `ops/llm_calls`
    and as Dagster metadata. Holds no secret."""

    model_config = ConfigDict(extra="forbid")

    stage: str
    provider: str
    model: str
    rows: int = 0
    ok: int = 0
    rejected: int = 0
    requests: int = Field(0, description="HTTP calls made (retries and repairs included)")
    cache_hits: int = Field(0, description="calls answered from the cache")
    retries: int = 0
    repairs: int = 0
    failures_by_reason: dict[str, int] = Field(default_factory=dict,
                                               description="rejected rows per reason")
    errors_by_kind: dict[str, int] = Field(default_factory=dict,
                                           description="failed calls per kind (incl. retried)")
    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = Field(0, description="tokens of cached answers (not paid again)")
    cached_output_tokens: int = 0
    estimated_cost_usd: float = 0.0
    price_known: bool = True
    wall_seconds: float = 0.0
    started_at: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.wall_seconds if self.wall_seconds > 0 else float("inf")

    def to_row(self) -> dict[str, Any]:
        """A flat row for the `ops/llm_calls` table (dicts as JSON text)."""
        row = self.model_dump()
        row["failures_by_reason"] = json.dumps(self.failures_by_reason, sort_keys=True)
        row["errors_by_kind"] = json.dumps(self.errors_by_kind, sort_keys=True)
        return row


def estimate_cost(model: str, prices: dict[str, ModelPrice], tin: int, tout: int
                  ) -> tuple[float, bool]:
    price = prices.get(model)
    if price is None:  # "models/gemini-2.5-flash-001" -> longest known prefix
        bare = model.removeprefix("models/")
        matches = [name for name in prices if bare.startswith(name)]
        price = prices[max(matches, key=len)] if matches else None
    if price is None:
        return 0.0, False
    return (tin * price.input_per_million + tout * price.output_per_million) / 1e6, True


@dataclass(repr=False)
class RunOutput:
    results: list[LLMResult]        # input order
    summary: CallSummary

    def __repr__(self) -> str:
        # short on purpose: asyncio reprs a finished task's result, and a full repr of 20,000
        # results took seconds
        s = self.summary
        return (f"RunOutput(stage={s.stage!r}, rows={s.rows}, ok={s.ok}, rejected={s.rejected}, "
                f"requests={s.requests}, cache_hits={s.cache_hits})")

    def by_id(self) -> dict[str, LLMResult]:
        return {r.sample_id: r for r in self.results}

    def to_frame(self):
        """Results as a Polars frame (structured answers as JSON text)."""
        import polars as pl

        rows = []
        for r in self.results:
            row = r.model_dump()
            row["parsed"] = None if r.parsed is None else json.dumps(r.parsed, ensure_ascii=False)
            rows.append(row)
        return pl.DataFrame(rows, schema=RESULT_SCHEMA)


def _result_schema():
    import polars as pl

    return {
        "sample_id": pl.String, "stage": pl.String, "status": pl.String, "reason": pl.String,
        "text": pl.String, "parsed": pl.String, "raw_text": pl.String, "error": pl.String,
        "provider": pl.String, "model": pl.String, "cache_key": pl.String,
        "cache_hit": pl.Boolean, "requests": pl.Int64, "retries": pl.Int64,
        "repaired": pl.Boolean, "input_tokens": pl.Int64, "output_tokens": pl.Int64,
        "finish_reason": pl.String,
    }


RESULT_SCHEMA = _result_schema()


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    requests: int
    cache_hits: int
    rejected: int
    seconds: float


# ----------------------------------------------------------------------------- rate limit


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


def estimate_tokens(request: LLMRequest) -> float:
    chars = sum(len(m.content) for m in request.messages)
    return chars / 4.0 + (request.params.max_output_tokens or 512)


def backoff_delay(attempt: int, retry: RetrySettings, retry_after: float | None,
                  rng: random.Random) -> float:
    """Delay before retry number `attempt + 1`: exponential with jitter, never shorter than the
    server's Retry-After (capped)."""
    base = min(retry.backoff_max_s, retry.backoff_initial_s * retry.backoff_multiplier ** attempt)
    delay = base * (1.0 - retry.jitter * rng.random())
    if retry_after is not None:
        delay = max(delay, min(retry_after, retry.max_retry_after_s))
    return delay


# ----------------------------------------------------------------------------- client


@dataclass
class _RowStats:
    requests: int = 0
    retries: int = 0
    cache_hits: int = 0
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0
    cached_output_tokens: int = 0
    errors: Counter = field(default_factory=Counter)


class InvalidOutput(ProviderCallError):
    reason = "invalid_output"


def _validation_summary(err: ValidationError, limit: int = 5) -> str:
    items = err.errors(include_input=False, include_url=False)
    parts = [f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}" for e in items[:limit]]
    more = f" (+{len(items) - limit} more)" if len(items) > limit else ""
    return "; ".join(parts) + more


def repair_request(request: LLMRequest, raw_text: str, problem: str) -> LLMRequest:
    """The one repair attempt: the same conversation, the invalid answer, and what is wrong."""
    schema = json.dumps(request.schema_json(), ensure_ascii=False)
    note = (
        f"Your previous answer is not valid for the required JSON schema: {problem}. "
        f"Answer again with only one JSON object matching this schema, nothing else: {schema}"
    )
    messages = (*request.messages, Message(role="assistant", content=raw_text),
                Message(role="user", content=note))
    return request.model_copy(update={"messages": messages})


class LLMClient:
    def __init__(self, provider: Provider, *, settings: LLMSettings | None = None,
                 cache: LLMCache | None = None,
                 progress: Callable[[Progress], None] | None = None,
                 seed: int | None = None):
        self.provider = provider
        self.settings = settings or LLMSettings()
        self.cache = cache if (cache is not None and provider.cacheable) else None
        self.progress = progress
        self._rng = random.Random(seed)

    def __repr__(self) -> str:
        return f"LLMClient(provider={self.provider!r}, cache={self.cache is not None})"

    # -- public ------------------------------------------------------------------------

    def run(self, requests: Iterable[LLMRequest], *, stage: str | None = None) -> RunOutput:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(self.arun(requests, stage=stage))
        raise RuntimeError("LLMClient.run called inside an event loop; await arun() instead")

    async def arun(self, requests: Iterable[LLMRequest], *, stage: str | None = None
                   ) -> RunOutput:
        started = time.time()
        t0 = time.monotonic()
        requests = list(requests)
        _check_unique(requests)
        stage = stage if stage is not None else (requests[0].stage if requests else "")
        self._sem = asyncio.Semaphore(self.settings.concurrency)
        self._limiter = RateLimiter(self.settings.requests_per_minute,
                                    self.settings.tokens_per_minute)
        self._conn_errors = 0
        self._any_success = False
        self._flushing: asyncio.Future | None = None
        self._tally = {"seen": 0, "requests": 0, "cache_hits": 0, "rejected": 0}
        prov, model = self.provider.name, self.provider.model

        results: dict[str, LLMResult] = {}
        stats: dict[str, _RowStats] = {}
        todo: list[tuple[LLMRequest, str]] = []
        for request in requests:  # warm path: cached answers resolved without any task
            key = cache_key(prov, model, request)
            hit = self.cache.get(key) if self.cache is not None else None
            if hit is not None and (request.response_schema is None or _is_final(hit)
                                    or _valid(request, hit.text)):
                row = _RowStats(cache_hits=1, calls=1, cached_input_tokens=hit.input_tokens,
                                cached_output_tokens=hit.output_tokens)
                stats[request.sample_id] = row
                results[request.sample_id] = self._finish(request, key, hit, None, row)
            else:
                todo.append((request, key))

        last_report = time.monotonic()
        # a progress callback may say how often it wants to be called (a bar: twice a second)
        report_every = getattr(self.progress, "every_s", None) or self.settings.progress_every_s
        pending: set[asyncio.Task] = set()
        # finished tasks arrive on a queue (O(1) per row; asyncio.wait over every pending task
        # costs O(pending) per wake-up)
        finished: asyncio.Queue[asyncio.Task] = asyncio.Queue()
        in_flight_rows = max(64, self.settings.concurrency * 8)
        try:
            it = iter(todo)
            exhausted = False
            while True:
                while not exhausted and len(pending) < in_flight_rows:
                    item = next(it, None)
                    if item is None:
                        exhausted = True
                        break
                    task = asyncio.create_task(self._process(*item))
                    task.add_done_callback(finished.put_nowait)
                    pending.add(task)
                if not pending:
                    break
                done = [await finished.get()]
                while not finished.empty():
                    done.append(finished.get_nowait())
                pending.difference_update(done)
                for task in done:
                    if task.exception() is not None:  # ProviderUnavailable / bugs propagate,
                        for other in done:  # after the batch's other errors are retrieved
                            other.exception()
                        raise task.exception()
                    result, row = task.result()
                    results[result.sample_id] = result
                    stats[result.sample_id] = row
                if self.progress and time.monotonic() - last_report >= report_every:
                    last_report = time.monotonic()
                    self.progress(self._progress(results, stats, len(requests), t0))
        finally:
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)
            if self._flushing is not None:
                await asyncio.gather(self._flushing, return_exceptions=True)
            if self.cache is not None:
                self.cache.flush()
        if self.progress:
            self.progress(self._progress(results, stats, len(requests), t0))
        ordered = [results[r.sample_id] for r in requests]
        summary = self._summary(stage, ordered, stats, time.monotonic() - t0, started)
        return RunOutput(results=ordered, summary=summary)

    async def aclose(self) -> None:
        await self.provider.aclose()

    # -- one row -----------------------------------------------------------------------

    async def _process(self, request: LLMRequest, key: str) -> tuple[LLMResult, _RowStats]:
        row = _RowStats()
        response, err = await self._call(request, key, row)
        return self._finish(request, key, response, err, row), row

    def _finish(self, request: LLMRequest, key: str, response: ProviderResponse | None,
                err: ProviderCallError | None, row: _RowStats) -> LLMResult:
        common = dict(
            sample_id=request.sample_id, stage=request.stage, provider=self.provider.name,
            model=self.provider.model, cache_key=key, cache_hit=row.requests == 0 and
            row.cache_hits > 0, requests=row.requests, retries=row.retries,
            input_tokens=row.input_tokens + row.cached_input_tokens,
            output_tokens=row.output_tokens + row.cached_output_tokens,
        )
        if err is None and response is not None and _is_final(response):
            err = _final_error(response)
        if err is not None:
            return LLMResult(status="rejected", reason=err.reason,
                             raw_text=getattr(err, "raw_text", None),
                             error=self._scrub(str(err)), **common)
        assert response is not None
        common["finish_reason"] = response.finish_reason
        if request.response_schema is None:
            return LLMResult(status="ok", text=response.text, **common)
        parsed, problem = _validate(request, response.text)
        if problem is None:
            return LLMResult(status="ok", text=response.text, parsed=parsed,
                             repaired=row.calls > 1, **common)
        return LLMResult(status="rejected", reason="invalid_output", raw_text=response.text,
                         error=self._scrub(problem), **common)

    async def _call(self, request: LLMRequest, key: str, row: _RowStats
                    ) -> tuple[ProviderResponse | None, ProviderCallError | None]:
        """One logical call: cache, else the provider with retries; then, for a structured
        request whose answer does not validate, one repair call (also cached)."""
        response, err = await self._call_once(request, key, row)
        if err is not None or request.response_schema is None or _is_final(response):
            return response, err
        parsed, problem = _validate(request, response.text)
        if problem is None:
            return response, None
        fixed = repair_request(request, response.text, problem)
        fixed_key = cache_key(self.provider.name, self.provider.model, fixed)
        repaired, err2 = await self._call_once(fixed, fixed_key, row)
        if err2 is None and not _is_final(repaired):
            _, problem2 = _validate(request, repaired.text)
            if problem2 is None:
                return repaired, None
            problem = f"{problem}; after repair: {problem2}"
        else:
            problem = f"{problem}; repair call failed: {err2 or repaired.text}"
        return None, _invalid(problem, response.text)

    async def _call_once(self, request: LLMRequest, key: str, row: _RowStats
                         ) -> tuple[ProviderResponse | None, ProviderCallError | None]:
        row.calls += 1
        if self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None:
                row.cache_hits += 1
                row.cached_input_tokens += hit.input_tokens
                row.cached_output_tokens += hit.output_tokens
                return hit, None
        retry = self.settings.retry
        estimate = estimate_tokens(request)
        attempt = 0
        while True:
            await self._limiter.acquire(estimate)
            async with self._sem:
                row.requests += 1
                try:
                    async with asyncio.timeout(self.settings.timeout_s):
                        response = await self.provider.generate(request)
                    err = None
                except TimeoutError:
                    err = CallTimeout(f"no answer within {self.settings.timeout_s:g} s")
                except ProviderCallError as caught:
                    err = caught
                except (asyncio.CancelledError, LLMError):
                    raise
                except Exception as caught:  # a bug or an unexpected client error: stop
                    raise LLMError(self._scrub(
                        f"{self.provider.name} call failed for sample_id "
                        f"{request.sample_id!r}: {type(caught).__name__}: {caught}")) from None
            if err is None:
                self._any_success = True
                self._conn_errors = 0
                self._limiter.settle(estimate, response.input_tokens + response.output_tokens)
                row.input_tokens += response.input_tokens
                row.output_tokens += response.output_tokens
                self._store(key, request, response)
                return response, None
            row.errors[err.reason] += 1
            if isinstance(err, Blocked) or err.status in FINAL_STATUSES:
                # final for this request: remember it, a re-run gets the same verdict for free
                self._store(key, request, ProviderResponse(
                    text=self._scrub(str(err)), finish_reason=FINAL_MARK + err.reason))
                return None, err
            if err.status in AUTH_STATUSES:
                raise ProviderUnavailable(self._scrub(
                    f"{self.provider.name} refused the credentials ({err}); check the API key "
                    "variable named in llm.api_key_env")) from None
            if isinstance(err, ConnectionFailure) and not self._any_success:
                self._conn_errors += 1
                if self._conn_errors >= self.settings.max_consecutive_connection_errors:
                    raise ProviderUnavailable(self._scrub(
                        f"{self.provider.name} unreachable: {self._conn_errors} connection "
                        f"failures in a row and no answer yet ({err}). Offline? Check the base "
                        "URL, or use llm.provider: replay")) from None
            if not err.retryable or attempt >= retry.max_retries:
                if attempt:
                    err = type(err)(f"{err} (after {attempt + 1} attempts)", status=err.status)
                return None, err
            row.retries += 1
            await asyncio.sleep(backoff_delay(attempt, retry, err.retry_after, self._rng))
            attempt += 1

    def _store(self, key: str, request: LLMRequest, response: ProviderResponse) -> None:
        if self.cache is None:
            return
        self.cache.put(key, self.provider.name, self.provider.model,
                       request_fingerprint(self.provider.name, self.provider.model, request),
                       response, autoflush=False)
        # a shard is written in a worker thread: a slow disk or object store never stalls the
        # event loop (one flush at a time; the run's end waits for it and flushes the rest)
        if (self._flushing is None or self._flushing.done()) and self.cache.flush_due():
            # the batch is taken now, so a shard holds what was due when it was asked for
            self._flushing = asyncio.get_running_loop().run_in_executor(
                None, self.cache.write, self.cache.take_pending())

    # -- helpers -----------------------------------------------------------------------

    def _scrub(self, text: str) -> str:
        return redact(text, getattr(self.provider, "_key", None))

    def _progress(self, results, stats, total, t0) -> Progress:
        # running totals, updated per new row: a bar asks twice a second, and summing 500,000
        # rows each time would steal the event loop
        tally = self._tally
        for sample_id in itertools.islice(results, tally["seen"], None):
            row, result = stats[sample_id], results[sample_id]
            tally["requests"] += row.requests
            tally["cache_hits"] += row.cache_hits
            tally["rejected"] += result.status == "rejected"
        tally["seen"] = len(results)
        return Progress(done=len(results), total=total, requests=tally["requests"],
                        cache_hits=tally["cache_hits"], rejected=tally["rejected"],
                        seconds=time.monotonic() - t0)

    def _summary(self, stage, results, stats, wall, started) -> CallSummary:
        tin = sum(s.input_tokens for s in stats.values())
        tout = sum(s.output_tokens for s in stats.values())
        cost, known = estimate_cost(self.provider.model, self.settings.prices, tin, tout)
        errors: Counter = Counter()
        for s in stats.values():
            errors.update(s.errors)
        reasons = Counter(r.reason for r in results if r.status == "rejected")
        return CallSummary(
            stage=stage, provider=self.provider.name, model=self.provider.model,
            rows=len(results), ok=sum(1 for r in results if r.status == "ok"),
            rejected=sum(reasons.values()),
            requests=sum(s.requests for s in stats.values()),
            cache_hits=sum(s.cache_hits for s in stats.values()),
            retries=sum(s.retries for s in stats.values()),
            repairs=sum(max(0, s.calls - 1) for s in stats.values()),
            failures_by_reason=dict(sorted(reasons.items())),
            errors_by_kind=dict(sorted(errors.items())),
            input_tokens=tin, output_tokens=tout,
            cached_input_tokens=sum(s.cached_input_tokens for s in stats.values()),
            cached_output_tokens=sum(s.cached_output_tokens for s in stats.values()),
            estimated_cost_usd=round(cost, 6),
            price_known=known or self.provider.name in FREE_PROVIDERS,
            wall_seconds=round(wall, 4), started_at=started,
        )


def _is_final(response: ProviderResponse) -> bool:
    return (response.finish_reason or "").startswith(FINAL_MARK)


def _final_error(response: ProviderResponse) -> ProviderCallError:
    reason = (response.finish_reason or "").removeprefix(FINAL_MARK)
    if reason == "blocked":
        return Blocked(response.text or "blocked")
    err = ProviderCallError(response.text or reason)
    err.reason = reason
    return err


def _invalid(problem: str, raw_text: str) -> ProviderCallError:
    err = InvalidOutput(f"invalid structured output: {problem}")
    err.raw_text = raw_text
    return err


def _validate(request: LLMRequest, text: str) -> tuple[dict | None, str | None]:
    try:
        value = request.response_schema.model_validate_json(text)
    except ValidationError as err:
        return None, _validation_summary(err)
    return value.model_dump(mode="json"), None


def _valid(request: LLMRequest, text: str) -> bool:
    return _validate(request, text)[1] is None


def _check_unique(requests: list[LLMRequest]) -> None:
    seen: set[str] = set()
    dupes: list[str] = []
    for r in requests:
        if r.sample_id in seen:
            dupes.append(r.sample_id)
        seen.add(r.sample_id)
    if dupes:
        raise ValueError(f"duplicate sample_id in LLM requests: {sorted(set(dupes))[:10]} "
                         f"({len(dupes)} duplicates); results are keyed by sample_id")
