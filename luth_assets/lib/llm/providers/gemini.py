"""Gemini through the real `google-genai` client (Gemini Developer API, REST).

The client's own retries are switched off (`HttpRetryOptions(attempts=1)`): the LLM client
owns retries, backoff and accounting so that every HTTP call is counted.
"""

from __future__ import annotations

from luth_assets.lib.llm.errors import (
    Blocked,
    CallTimeout,
    ConnectionFailure,
    EmptyOutput,
    ProviderCallError,
    RateLimited,
    ServerFailure,
    parse_retry_after,
)
from luth_assets.lib.llm.providers.base import redact
from luth_assets.lib.llm.types import LLMRequest, ProviderResponse

BLOCK_FINISH_REASONS = {
    "SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "RECITATION", "IMAGE_SAFETY",
    "LANGUAGE",
}


class GeminiProvider:
    name = "gemini"
    cacheable = True

    def __init__(self, model: str, api_key: str, *, base_url: str | None = None,
                 timeout_s: float = 120.0):
        from google import genai
        from google.genai import types

        self.model = model
        self.base_url = base_url
        self._key = api_key
        self._types = types
        self._client = genai.Client(
            api_key=api_key,
            http_options=types.HttpOptions(
                base_url=base_url,
                timeout=max(1, int(timeout_s * 1000)),
                retry_options=types.HttpRetryOptions(attempts=1),
            ),
        )

    def __repr__(self) -> str:
        return f"GeminiProvider(model={self.model!r}, base_url={self.base_url!r})"

    def _config(self, request: LLMRequest):
        t = self._types
        system = "\n\n".join(m.content for m in request.messages if m.role == "system")
        p = request.params
        kwargs = {
            "system_instruction": system or None,
            "temperature": p.temperature,
            "top_p": p.top_p,
            "max_output_tokens": p.max_output_tokens,
            "seed": p.seed,
        }
        if request.response_schema is not None:
            kwargs["response_mime_type"] = "application/json"
            kwargs["response_schema"] = request.response_schema
        return t.GenerateContentConfig(**{k: v for k, v in kwargs.items() if v is not None})

    def _contents(self, request: LLMRequest):
        t = self._types
        return [
            t.Content(role="model" if m.role == "assistant" else "user",
                      parts=[t.Part(text=m.content)])
            for m in request.messages if m.role != "system"
        ]

    async def generate(self, request: LLMRequest) -> ProviderResponse:
        from google.genai import errors as genai_errors

        try:
            response = await self._client.aio.models.generate_content(
                model=self.model, contents=self._contents(request), config=self._config(request))
        except genai_errors.APIError as err:
            raise self._map_api_error(err) from None
        except TimeoutError:
            raise CallTimeout("gemini call timed out") from None
        except (ConnectionError, OSError) as err:
            raise ConnectionFailure(redact(f"cannot reach gemini: {err}", self._key)) from None
        except Exception as err:  # aiohttp.ClientError and friends
            if type(err).__module__.startswith(("aiohttp", "httpx")):
                raise ConnectionFailure(
                    redact(f"cannot reach gemini: {type(err).__name__}: {err}", self._key)
                ) from None
            raise
        return self._read(response)

    def _map_api_error(self, err) -> ProviderCallError:
        code = getattr(err, "code", None)
        headers = getattr(getattr(err, "response", None), "headers", None) or {}
        retry_after = parse_retry_after(headers.get("Retry-After") if headers else None)
        message = redact(f"gemini HTTP {code}: {getattr(err, 'message', None) or err}", self._key)
        if code == 429:
            return RateLimited(message, status=code, retry_after=retry_after)
        if code == 408:
            return CallTimeout(message, status=code, retry_after=retry_after)
        if code is not None and code >= 500:
            return ServerFailure(message, status=code, retry_after=retry_after)
        return ProviderCallError(message, status=code)

    def _read(self, response) -> ProviderResponse:
        usage = response.usage_metadata
        tin = (usage.prompt_token_count or 0) if usage else 0
        tout = ((usage.candidates_token_count or 0) + (usage.thoughts_token_count or 0)
                if usage else 0)
        feedback = response.prompt_feedback
        if feedback is not None and feedback.block_reason:
            raise Blocked(f"prompt blocked: {_enum_name(feedback.block_reason)}")
        if not response.candidates:
            raise EmptyOutput("no candidates in the answer")
        candidate = response.candidates[0]
        finish = _enum_name(candidate.finish_reason)
        if finish in BLOCK_FINISH_REASONS:
            raise Blocked(f"answer blocked: finishReason {finish}")
        parts = (candidate.content.parts if candidate.content else None) or []
        text = "".join(p.text for p in parts if p.text and not p.thought)
        if not text:
            raise EmptyOutput(f"empty answer (finishReason {finish})")
        return ProviderResponse(text=text, finish_reason=finish, input_tokens=tin,
                                output_tokens=tout)

    async def aclose(self) -> None:
        try:
            await self._client.aio.aclose()
        except Exception:  # noqa: BLE001 - closing is best effort
            pass


def _enum_name(value) -> str | None:
    if value is None:
        return None
    return getattr(value, "name", None) or str(value)
