"""Gemini through the real `google-genai` client (Gemini Developer API, REST).

The client's own retries are switched off (`HttpRetryOptions(attempts=1)`): the LLM client
owns retries, backoff and accounting so that every HTTP call is counted.

Speed: `client.aio.models.generate_content` spends ~4-5 ms of CPU per call turning pydantic
request and response objects into REST dicts and back (its config converter walks every field
of `GenerateContentConfig` for every call). At concurrency 32 that CPU, paid on one event loop,
was the whole gap to the ideal throughput (see benchmarks/llm_throughput.py). So the provider
asks the SDK's own converter for the REST form of each distinct configuration (system
instruction, generation parameters, response schema) once, memoises it, and sends each call
through the same client's HTTP layer (`client.aio._api_client.async_request`: base URL, API
version, key header, timeout, connection pool, error mapping to `google.genai.errors`), reading
the REST answer directly. One shared client and connection pool per provider.
"""

from __future__ import annotations

import json
from typing import Any

from luth_assets.lib.llm.errors import (
    BadResponse,
    Blocked,
    CallTimeout,
    ConnectionFailure,
    EmptyOutput,
    ProviderCallError,
    RateLimited,
    ServerFailure,
    Truncated,
    parse_retry_after,
)
from luth_assets.lib.llm.providers.base import redact
from luth_assets.lib.llm.types import LLMRequest, ProviderResponse, is_truncated

REST_MEMO_SIZE = 1024   # distinct configurations remembered
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
        self._rest_memo: dict[tuple, tuple[str, dict[str, Any]]] = {}
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
        if p.thinking is False:  # 2.5 Flash can skip thinking; 2.5 Pro refuses (HTTP 400)
            kwargs["thinking_config"] = t.ThinkingConfig(thinking_budget=0)
        if request.response_schema is not None:
            kwargs["response_mime_type"] = "application/json"
            kwargs["response_schema"] = request.response_schema
        return t.GenerateContentConfig(**{k: v for k, v in kwargs.items() if v is not None})

    def _rest_base(self, request: LLMRequest) -> tuple[str, dict[str, Any]]:
        """(path, REST body without `contents`) for this request's configuration, converted by
        the SDK's own converter once per distinct configuration and memoised."""
        system = tuple(m.content for m in request.messages if m.role == "system")
        memo_key = (system, request.params.model_dump_json(), request.response_schema)
        found = self._rest_memo.get(memo_key)
        if found is None:
            from google.genai import _common, models

            t = self._types
            params = t._GenerateContentParameters(
                model=self.model, contents=[t.Content(role="user", parts=[t.Part(text="")])],
                config=self._config(request))
            body = models._GenerateContentParameters_to_mldev(
                self._client.aio._api_client, params, None, params)
            path = "{model}:generateContent".format_map(body.pop("_url"))
            for name in ("contents", "config", "_query"):
                body.pop(name, None)
            body = _common.encode_unserializable_types(_common.convert_to_dict(body))
            if len(self._rest_memo) >= REST_MEMO_SIZE:   # e.g. a system prompt per row
                self._rest_memo.clear()
            found = self._rest_memo[memo_key] = (path, body)
        return found

    @staticmethod
    def _rest_contents(request: LLMRequest) -> list[dict[str, Any]]:
        return [{"role": "model" if m.role == "assistant" else "user", "parts": _parts(m)}
                for m in request.messages if m.role != "system"]

    async def generate(self, request: LLMRequest) -> ProviderResponse:
        from google.genai import errors as genai_errors

        path, base = self._rest_base(request)
        body = dict(base, contents=self._rest_contents(request))
        try:
            response = await self._client.aio._api_client.async_request("post", path, body, None)
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
        try:
            answer = json.loads(response.body) if response.body else {}
        except (ValueError, RecursionError):
            raise BadResponse("gemini answered with a body that is not JSON: "
                              f"{_excerpt(response.body)}") from None
        return read_answer(answer)

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

    async def aclose(self) -> None:
        try:
            await self._client.aio.aclose()
        except Exception:  # noqa: BLE001 - closing is best effort
            pass


def _parts(message) -> list[dict[str, Any]]:
    """The REST parts of one message: its text, then each image as ``inlineData`` (base64), the
    form `types.Part.from_bytes(data=..., mime_type=...)` takes on the wire."""
    parts: list[dict[str, Any]] = [{"text": message.content}]
    parts += [{"inlineData": {"mimeType": image.mime_type, "data": image.base64()}}
              for image in message.images]
    return parts


def _excerpt(value: Any, limit: int = 120) -> str:
    text = " ".join((value if isinstance(value, str) else repr(value)).split())
    return text[:limit] + ("..." if len(text) > limit else "")


def _object(value: Any, what: str) -> dict[str, Any]:
    """`value` if it is a JSON object (or absent: {}), else a BadResponse naming `what`."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadResponse(f"gemini answer: {what} is not an object: {_excerpt(value)}")
    return value


def _count(value: Any) -> int:
    try:
        return max(0, int(value or 0))
    except (TypeError, ValueError):
        return 0


def read_answer(answer: Any) -> ProviderResponse:
    """A `generateContent` REST answer (camelCase JSON) -> text, finish reason, token counts.
    Blocks, empty and cut answers raise their kinds; a body of another shape (a list, a candidate
    whose content is not an object, parts without text) is a :class:`BadResponse`."""
    answer = _object(answer, "the body")
    usage = _object(answer.get("usageMetadata"), "usageMetadata")
    tin = _count(usage.get("promptTokenCount"))
    tout = _count(usage.get("candidatesTokenCount")) + _count(usage.get("thoughtsTokenCount"))
    block = _object(answer.get("promptFeedback"), "promptFeedback").get("blockReason")
    if block:
        raise Blocked(f"prompt blocked: {block}")
    candidates = answer.get("candidates") or []
    if not isinstance(candidates, list):
        raise BadResponse(f"gemini answer: candidates is not a list: {_excerpt(candidates)}")
    if not candidates:
        raise EmptyOutput("no candidates in the answer")
    candidate = _object(candidates[0], "candidates[0]")
    finish = candidate.get("finishReason")
    finish = finish if isinstance(finish, str) else None
    if finish in BLOCK_FINISH_REASONS:
        raise Blocked(f"answer blocked: finishReason {finish}")
    parts = _object(candidate.get("content"), "candidates[0].content").get("parts") or []
    if not isinstance(parts, list):
        raise BadResponse(f"gemini answer: content.parts is not a list: {_excerpt(parts)}")
    texts = []
    for part in parts:
        part = _object(part, "a content part")
        if part.get("thought"):
            continue
        text = part.get("text")
        if text is not None and not isinstance(text, str):
            raise BadResponse(f"gemini answer: a part's text is not a string: {_excerpt(text)}")
        texts.append(text or "")
    text = "".join(texts)
    if not text:
        if is_truncated(finish):  # thinking used the whole output budget
            raise Truncated(f"cut by the token limit before any answer (finishReason {finish})",
                            finish_reason=finish)
        raise EmptyOutput(f"empty answer (finishReason {finish})")
    return ProviderResponse(text=text, finish_reason=finish, input_tokens=tin, output_tokens=tout)
