"""Answers that end a row without a usable text: failures remembered as final in the cache
(``FINAL:<reason>``: a safety block, a 400, a cut answer with no text) and answers cut by the
output token limit."""

from __future__ import annotations

from luth_assets.lib.llm.errors import Blocked, ProviderCallError, Truncated
from luth_assets.lib.llm.types import ProviderResponse, is_truncated

FINAL_MARK = "FINAL:"  # finish_reason prefix of a cached final failure ("FINAL:blocked")


def is_final(response: ProviderResponse) -> bool:
    return (response.finish_reason or "").startswith(FINAL_MARK)


def truncated_failure(response: ProviderResponse | None, err: ProviderCallError | None
                      ) -> ProviderCallError | None:
    """The `truncated` failure of an answer cut by the token limit (a cut answer, a provider's
    Truncated, or one remembered as final in the cache), else None."""
    if err is not None:
        return err if err.reason == Truncated.reason else None
    if response is None:
        return None
    if is_final(response):
        final = final_error(response)
        return final if final.reason == Truncated.reason else None
    if is_truncated(response.finish_reason):
        return Truncated(f"the answer was cut by the output token limit (finish reason "
                         f"{response.finish_reason})", raw_text=response.text,
                         finish_reason=response.finish_reason)
    return None


def final_error(response: ProviderResponse) -> ProviderCallError:
    reason = (response.finish_reason or "").removeprefix(FINAL_MARK)
    if reason == "blocked":
        return Blocked(response.text or "blocked")
    err = ProviderCallError(response.text or reason)
    err.reason = reason
    return err
