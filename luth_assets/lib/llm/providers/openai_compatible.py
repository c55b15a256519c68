"""An OpenAI-compatible endpoint (vLLM serving Qwen3-32B, as the Luth authors did)."""

from __future__ import annotations

import re

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

THINK_BLOCK = re.compile(r"^\s*<think>.*?(?:</think>|$)\s*", re.DOTALL)


def strip_thinking(text: str) -> str:
    """The answer without a leading ``<think>...</think>`` block (Qwen3 writes one, empty when
    thinking is off); an unclosed block (cut by the token limit) leaves nothing."""
    return THINK_BLOCK.sub("", text, count=1)


def request_extra_body(params) -> dict | None:
    """`extra_body` of a call: the step's extra fields, and chat_template_kwargs.enable_thinking
    when `thinking` is set (vLLM passes it to Qwen3's chat template)."""
    body = dict(params.extra_body or {})
    if params.thinking is not None:
        kwargs = dict(body.get("chat_template_kwargs") or {})
        kwargs["enable_thinking"] = params.thinking
        body["chat_template_kwargs"] = kwargs
    return body or None


def chat_message(message) -> dict:
    """One chat message; a message with images sends its text and one ``image_url`` part per
    image as a base64 data URL (what vLLM's OpenAI-compatible server takes for a VLM)."""
    if not message.images:
        return {"role": message.role, "content": message.content}
    parts: list[dict] = [{"type": "text", "text": message.content}] if message.content else []
    parts += [{"type": "image_url", "image_url": {"url": image.data_url()}}
              for image in message.images]
    return {"role": message.role, "content": parts}


class OpenAICompatibleProvider:
    name = "openai_compatible"
    cacheable = True

    def __init__(self, model: str, *, base_url: str, api_key: str | None = None,
                 timeout_s: float = 120.0):
        import openai

        self.model = model
        self.base_url = base_url
        self._key = api_key or "EMPTY"
        self._openai = openai
        self._client = openai.AsyncOpenAI(base_url=base_url, api_key=self._key,
                                          timeout=timeout_s, max_retries=0)

    def __repr__(self) -> str:
        return f"OpenAICompatibleProvider(model={self.model!r}, base_url={self.base_url!r})"

    async def generate(self, request: LLMRequest) -> ProviderResponse:
        oa = self._openai
        p = request.params
        kwargs: dict = {
            "model": self.model,
            "messages": [chat_message(m) for m in request.messages],
        }
        if p.temperature is not None:
            kwargs["temperature"] = p.temperature
        if p.top_p is not None:
            kwargs["top_p"] = p.top_p
        if p.max_output_tokens is not None:
            kwargs["max_tokens"] = p.max_output_tokens
        if p.seed is not None:
            kwargs["seed"] = p.seed
        extra_body = request_extra_body(p)
        if extra_body:
            kwargs["extra_body"] = extra_body
        if request.response_schema is not None:
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": request.response_schema.__name__,
                                "schema": request.schema_json()},
            }
        try:
            response = await self._client.chat.completions.create(**kwargs)
        except oa.APITimeoutError:
            raise CallTimeout("openai-compatible call timed out") from None
        except oa.APIConnectionError as err:
            raise ConnectionFailure(redact(f"cannot reach {self.base_url}: {err}", self._key)) \
                from None
        except oa.APIStatusError as err:
            code = err.status_code
            retry_after = parse_retry_after(err.response.headers.get("retry-after"))
            message = redact(f"openai-compatible HTTP {code}: {err.message}", self._key)
            if code == 429:
                raise RateLimited(message, status=code, retry_after=retry_after) from None
            if code >= 500:
                raise ServerFailure(message, status=code, retry_after=retry_after) from None
            raise ProviderCallError(message, status=code) from None
        except (oa.APIResponseValidationError, ValueError) as err:  # a 200 whose body is not JSON
            raise BadResponse(redact(
                f"openai-compatible answer is not a chat completion: {type(err).__name__}: {err}",
                self._key)) from None
        return read_completion(response)  # the client scrubs the key from its errors

    async def aclose(self) -> None:
        await self._client.close()


def _excerpt(value, limit: int = 120) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return text[:limit] + ("..." if len(text) > limit else "")


def read_completion(response) -> ProviderResponse:
    """A chat completion -> text, finish reason, token counts. Whatever the body (an HTML page the
    client hands back as a string, a JSON of another shape, a choice without its message) the
    answer is a :class:`BadResponse`; blocks, empty and cut answers raise their own kinds."""
    choices = getattr(response, "choices", None)
    if not isinstance(choices, list):
        raise BadResponse("openai-compatible answer is not a chat completion (no `choices` "
                          f"list): {_excerpt(response)}")
    if not choices:
        raise EmptyOutput("no choices in the answer")
    choice = choices[0]
    finish = getattr(choice, "finish_reason", None)
    finish = finish if isinstance(finish, str) else None
    if finish == "content_filter":
        raise Blocked("answer blocked: finish_reason content_filter")
    message = getattr(choice, "message", None)
    content = getattr(message, "content", None) if message is not None else None
    if message is None or not isinstance(content, str | None):
        raise BadResponse("openai-compatible answer has a choice without a message text: "
                          f"{_excerpt(choice)}")
    text = strip_thinking(content or "")
    if not text.strip():
        if is_truncated(finish):  # the token limit came before any answer (a long <think>)
            raise Truncated(f"cut by the token limit before any answer (finish_reason {finish})",
                            raw_text=content or None, finish_reason=finish)
        raise EmptyOutput(f"empty answer (finish_reason {finish})")
    usage = getattr(response, "usage", None)
    return ProviderResponse(
        text=text, finish_reason=finish,
        input_tokens=_count(getattr(usage, "prompt_tokens", None)),
        output_tokens=_count(getattr(usage, "completion_tokens", None)),
    )


def _count(value) -> int:
    return value if isinstance(value, int) and value >= 0 else 0
