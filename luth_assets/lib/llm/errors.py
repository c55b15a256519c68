"""Errors a provider raises for one call; the client maps them to retries or a reject reason."""

from __future__ import annotations

from datetime import UTC


class LLMError(Exception):
    """Base of every error of the LLM layer. Messages never carry an API key."""


class ProviderCallError(LLMError):
    """One call failed. ``reason`` is the reject reason if retries run out; ``retryable`` says
    whether the client tries again; ``retry_after`` (seconds) is the server's wish, if any."""

    reason = "provider_error"
    retryable = False

    def __init__(self, message: str, *, status: int | None = None,
                 retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class RateLimited(ProviderCallError):
    reason = "rate_limited"
    retryable = True


class ServerFailure(ProviderCallError):
    reason = "server_error"
    retryable = True


class CallTimeout(ProviderCallError):
    reason = "timeout"
    retryable = True


class ConnectionFailure(ProviderCallError):
    reason = "connection_error"
    retryable = True


class EmptyOutput(ProviderCallError):
    reason = "empty_output"
    retryable = True


class BadResponse(ProviderCallError):
    """The provider answered, but not what its API promises: a body that is not JSON, an HTML
    error page, a JSON of the wrong shape, missing fields. A proxy or a server in trouble; asked
    again."""

    reason = "bad_response"
    retryable = True


class Truncated(ProviderCallError):
    """The answer was cut by the output token limit (OpenAI ``finish_reason: "length"``, Gemini
    ``MAX_TOKENS``, the local model reaching ``max_new_tokens``). Final for this request; the
    client asks once more with a larger limit where the step allows it. ``raw_text`` keeps the
    partial answer."""

    reason = "truncated"

    def __init__(self, message: str, *, raw_text: str | None = None,
                 finish_reason: str | None = None, status: int | None = None):
        super().__init__(message, status=status)
        self.raw_text = raw_text
        self.finish_reason = finish_reason


class UnexpectedError(ProviderCallError):
    """The provider's client raised something no rule above covers (its type and message are
    kept in the row's error). Not retried; many of them in a batch fail the asset through
    ``llm.max_error_rate``."""

    reason = "unexpected_error"


class Blocked(ProviderCallError):
    """Safety/policy block: final (asking again gives the same answer)."""

    reason = "blocked"


class ReplayMiss(ProviderCallError):
    reason = "replay_miss"


class ProviderUnavailable(LLMError):
    """The provider cannot be reached at all (offline, wrong base URL): the run stops early with
    this instead of grinding every row through its retries."""


class ConfigurationError(LLMError):
    """A provider that cannot be built (missing key, unknown provider, ...)."""


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from datetime import datetime
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
