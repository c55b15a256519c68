"""The LLM client: every call of every LLM stage goes through `LLMClient.arun`.

- bounded concurrency (a semaphore around each HTTP call; rows backing off hold no slot),
- a rate limit in requests and tokens per minute (token buckets, corrected by real usage;
  :mod:`.rate_limit`),
- retries with exponential backoff and jitter on 429 / 5xx / timeouts / connection errors /
  empty answers, honouring ``Retry-After``, with a per-call timeout (:mod:`.backoff`),
- structured answers validated with the request's pydantic model, one repair attempt, then a
  reject with reason ``invalid_output`` keeping the raw text (:mod:`.structured`),
- answers cut by the output token limit rejected ``truncated`` (the partial text kept), after
  one call with ``truncation_retry_max_output_tokens`` where the step sets it,
- whatever a provider's client raises for one call (a body that is not JSON, an HTML page, a
  wrong shape: ``bad_response``; anything else: ``unexpected_error``) is that row's failure,
  never the batch's,
- a content-addressed cache (see :mod:`.cache`) consulted before any call and written as
  answers arrive, flushed on cancel or error,
- accounting (:class:`CallSummary`, :mod:`.call_summary`).

Every input row ends as exactly one :class:`LLMResult` (ok or rejected + reason), keyed by its
``sample_id`` and returned in input order.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from luth_assets.lib.llm.backoff import backoff_delay
from luth_assets.lib.llm.cache import LLMCache
from luth_assets.lib.llm.call_summary import CallSummary, RunOutput, estimate_cost
from luth_assets.lib.llm.errors import (
    Blocked,
    CallTimeout,
    ConnectionFailure,
    LLMError,
    ProviderCallError,
    ProviderUnavailable,
    Truncated,
    UnexpectedError,
)
from luth_assets.lib.llm.progress import Progress
from luth_assets.lib.llm.providers.base import Provider, redact
from luth_assets.lib.llm.rate_limit import RateLimiter, estimate_tokens
from luth_assets.lib.llm.settings import LLMSettings
from luth_assets.lib.llm.structured import invalid_output, is_valid_answer, repair_request, validate_answer
from luth_assets.lib.llm.types import (
    LLMRequest,
    LLMResult,
    ProviderResponse,
    cache_key,
    is_truncated,
    request_fingerprint,
)
from luth_assets.lib.llm.verdicts import FINAL_MARK, final_error, is_final, truncated_failure

# answers that are final for *this request* and are cached so a re-run does not pay for them
# again: safety blocks, and 400 INVALID_ARGUMENT (the request itself is refused)
FINAL_STATUSES = {400}
AUTH_STATUSES = {401, 403}
FREE_PROVIDERS = {"replay", "transformers"}  # no bill: cost 0 is a known figure


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
    token_retries: int = 0   # calls made again with a larger output token limit
    errors: Counter = field(default_factory=Counter)

    @property
    def repairs(self) -> int:
        return max(0, self.calls - 1 - self.token_retries)



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
            if hit is not None and not truncated_failure(hit, None) and (
                    request.response_schema is None or is_final(hit)
                    or is_valid_answer(request, hit.text)):
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
        if err is None and response is not None and is_final(response):
            err = final_error(response)
        if err is not None:
            return LLMResult(status="rejected", reason=err.reason,
                             raw_text=getattr(err, "raw_text", None),
                             finish_reason=getattr(err, "finish_reason", None),
                             error=self._scrub(str(err)), **common)
        assert response is not None
        common["finish_reason"] = response.finish_reason
        if request.response_schema is None:
            return LLMResult(status="ok", text=response.text, **common)
        parsed, problem = validate_answer(request, response.text)
        if problem is None:
            return LLMResult(status="ok", text=response.text, parsed=parsed,
                             repaired=row.repairs > 0, **common)
        return LLMResult(status="rejected", reason="invalid_output", raw_text=response.text,
                         error=self._scrub(problem), **common)

    async def _call(self, request: LLMRequest, key: str, row: _RowStats
                    ) -> tuple[ProviderResponse | None, ProviderCallError | None]:
        """One logical call: cache, else the provider with retries; an answer cut by the token
        limit is rejected `truncated` (or asked again with a larger limit where the step allows
        it); then, for a structured request whose answer does not validate, one repair call (also
        cached)."""
        response, err = await self._call_once(request, key, row)
        if truncated_failure(response, err) is not None:
            request, response, err = await self._retry_truncated(request, row, response, err)
        if err is not None or request.response_schema is None or is_final(response):
            return response, err
        parsed, problem = validate_answer(request, response.text)
        if problem is None:
            return response, None
        fixed = repair_request(request, response.text, problem)
        fixed_key = cache_key(self.provider.name, self.provider.model, fixed)
        repaired, err2 = await self._call_once(fixed, fixed_key, row)
        err2 = truncated_failure(repaired, err2) or err2
        if err2 is None and not is_final(repaired):
            _, problem2 = validate_answer(request, repaired.text)
            if problem2 is None:
                return repaired, None
            problem = f"{problem}; after repair: {problem2}"
        else:
            problem = f"{problem}; repair call failed: {err2 or repaired.text}"
        return None, invalid_output(problem, response.text)

    async def _retry_truncated(self, request: LLMRequest, row: _RowStats,
                               response: ProviderResponse | None, err: ProviderCallError | None
                               ) -> tuple[LLMRequest, ProviderResponse | None,
                                          ProviderCallError | None]:
        """A cut answer: once more with `truncation_retry_max_output_tokens` when that is set and
        above the request's own limit; else (or cut again) the row's failure is `truncated`."""
        cut = truncated_failure(response, err)
        limit = self.settings.truncation_retry_max_output_tokens
        current = request.params.max_output_tokens
        if limit is None or (current is not None and limit <= current):
            return request, None, cut
        bigger = request.model_copy(update={
            "params": request.params.model_copy(update={"max_output_tokens": limit})})
        row.token_retries += 1
        response, err = await self._call_once(
            bigger, cache_key(self.provider.name, self.provider.model, bigger), row)
        again = truncated_failure(response, err)
        if again is None:
            return bigger, response, err
        again.args = (f"{again} (also with max_output_tokens {limit})",)
        return bigger, None, again

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
                except Exception as caught:  # noqa: BLE001 - any client error is this row's
                    err = UnexpectedError(self._scrub(
                        f"{self.provider.name} call raised {type(caught).__name__}: {caught}"))
            if err is None:
                self._any_success = True
                self._conn_errors = 0
                self._limiter.settle(estimate, response.input_tokens + response.output_tokens)
                row.input_tokens += response.input_tokens
                row.output_tokens += response.output_tokens
                if is_truncated(response.finish_reason):  # a failed attempt, though cached
                    row.errors[Truncated.reason] += 1
                self._store(key, request, response)
                return response, None
            row.errors[err.reason] += 1
            if isinstance(err, Blocked | Truncated) or err.status in FINAL_STATUSES:
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
        cost, known = estimate_cost(self.provider.model, self.settings.effective_prices(), tin,
                                    tout)
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
            repairs=sum(s.repairs for s in stats.values()),
            failures_by_reason=dict(sorted(reasons.items())),
            errors_by_kind=dict(sorted(errors.items())),
            input_tokens=tin, output_tokens=tout,
            cached_input_tokens=sum(s.cached_input_tokens for s in stats.values()),
            cached_output_tokens=sum(s.cached_output_tokens for s in stats.values()),
            estimated_cost_usd=round(cost, 6),
            price_known=known or self.provider.name in FREE_PROVIDERS,
            wall_seconds=round(wall, 4), started_at=started,
        )


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
