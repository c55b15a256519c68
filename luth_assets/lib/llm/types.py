"""Request, response and result models of the LLM client layer (plain Python, no Dagster).

A stage builds one :class:`LLMRequest` per input row (keyed by its ``sample_id``); the client
answers every one of them with an :class:`LLMResult` whose ``status`` is ``ok`` or ``rejected``
(with a ``reason``). Nothing is dropped and nothing is keyed by completion order.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["system", "user", "assistant"]

# Reasons a row can be rejected with. `invalid_output` keeps the raw text of the answer.
REASONS = (
    "invalid_output",    # structured answer failed validation, also after one repair attempt
    "blocked",           # safety / policy block (finishReason SAFETY, promptFeedback.blockReason)
    "empty_output",      # no candidate / no text, after retries
    "rate_limited",      # 429 after all retries
    "server_error",      # 5xx after all retries
    "timeout",           # per-call timeout after all retries
    "connection_error",  # could not reach the provider after all retries
    "provider_error",    # a non-retryable error from the provider (4xx other than 429, ...)
    "bad_response",      # a body that is not what the API promises (not JSON, HTML, wrong shape)
    "truncated",         # the answer was cut by the output token limit (also after a larger one)
    "unexpected_error",  # the provider's client raised an exception no rule covers
    "replay_miss",       # the replay provider has no answer for (stage, sample_id)
)


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ImagePart(_Frozen):
    """An image sent with a message (a rendered exam page): its bytes and MIME type. The cache
    key holds the bytes' sha256, never the bytes."""

    mime_type: str = "image/png"
    data: bytes = Field(repr=False, min_length=1)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def base64(self) -> str:
        return base64.b64encode(self.data).decode("ascii")

    def data_url(self) -> str:
        return f"data:{self.mime_type};base64,{self.base64()}"


class Message(_Frozen):
    role: Role
    content: str
    images: tuple[ImagePart, ...] = Field(
        (), description="images sent after the text (multimodal models: Gemini, a VLM on vLLM)")


class GenerationParams(_Frozen):
    temperature: float | None = Field(None, ge=0.0, le=2.0)
    top_p: float | None = Field(None, gt=0.0, le=1.0)
    max_output_tokens: int | None = Field(None, ge=1)
    seed: int | None = None
    thinking: bool | None = Field(None, description="false: ask a thinking model not to think")
    extra_body: dict[str, Any] | None = Field(
        None, description="extra request-body fields (openai_compatible)")


class LLMRequest(BaseModel):
    """One call to make. ``sample_id`` keys the result; ``stage`` names the asset (accounting,
    replay look-up). The cache key covers provider, model, messages, schema and params only, so
    identical requests from two stages share one answer."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    sample_id: str = Field(min_length=1)
    stage: str = ""
    messages: tuple[Message, ...] = Field(min_length=1)
    response_schema: type[BaseModel] | None = None
    params: GenerationParams = Field(default_factory=GenerationParams)

    def schema_json(self) -> dict[str, Any] | None:
        return None if self.response_schema is None else _schema_of(self.response_schema)


@lru_cache(maxsize=256)
def _schema_of(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()


def cache_key(provider: str, model: str, request: LLMRequest) -> str:
    """sha256 over provider, model and the full request (messages, schema JSON, params)."""
    return hashlib.sha256(request_fingerprint(provider, model, request).encode("utf-8")).hexdigest()


# one encoder for every fingerprint (json.dumps with options builds a new one per call)
_FINGERPRINT_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def request_fingerprint(provider: str, model: str, request: LLMRequest) -> str:
    payload = {
        "provider": provider,
        "model": model,
        "messages": [_message_fingerprint(m) for m in request.messages],
        "schema": request.schema_json(),
        "params": request.params.model_dump(exclude_none=True),
    }
    return _FINGERPRINT_ENCODER.encode(payload)


def _message_fingerprint(message: Message) -> list:
    """[role, content], plus [mime type, sha256] per image when the message carries images (a
    text-only message keeps the key it always had)."""
    if not message.images:
        return [message.role, message.content]
    return [message.role, message.content, [[i.mime_type, i.sha256] for i in message.images]]


def has_images(request: LLMRequest) -> bool:
    return any(m.images for m in request.messages)


# finish reasons saying the answer was cut by the output token limit: OpenAI-compatible servers
# and the local transformers provider ("length"), Gemini ("MAX_TOKENS")
TRUNCATION_FINISH_REASONS = frozenset({"length", "MAX_TOKENS"})


def is_truncated(finish_reason: str | None) -> bool:
    return finish_reason in TRUNCATION_FINISH_REASONS


class ProviderResponse(_Frozen):
    """What a provider returned for one successful HTTP call."""

    text: str
    finish_reason: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0


class LLMResult(_Frozen):
    sample_id: str
    stage: str
    status: Literal["ok", "rejected"]
    reason: str | None = None
    text: str | None = Field(None, description="the answer (JSON text for a structured call)")
    parsed: dict[str, Any] | None = Field(None, description="validated structured answer")
    raw_text: str | None = Field(None, description="raw answer kept for an invalid_output reject")
    error: str | None = Field(None, description="what went wrong (never holds a secret)")
    provider: str
    model: str
    cache_key: str
    cache_hit: bool = False
    requests: int = Field(0, description="HTTP calls made for this row (retries, repair included)")
    retries: int = 0
    repaired: bool = False
    input_tokens: int = 0
    output_tokens: int = 0
    finish_reason: str | None = None
