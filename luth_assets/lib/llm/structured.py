"""Structured answers: validation against the request's pydantic model, and the one repair
request sent when an answer does not validate."""

from __future__ import annotations

import json

from pydantic import ValidationError

from luth_assets.lib.llm.errors import ProviderCallError
from luth_assets.lib.llm.types import LLMRequest, Message


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


def invalid_output(problem: str, raw_text: str) -> ProviderCallError:
    err = InvalidOutput(f"invalid structured output: {problem}")
    err.raw_text = raw_text
    return err


def validate_answer(request: LLMRequest, text: str) -> tuple[dict | None, str | None]:
    try:
        value = request.response_schema.model_validate_json(text)
    except ValidationError as err:
        return None, _validation_summary(err)
    return value.model_dump(mode="json"), None


def is_valid_answer(request: LLMRequest, text: str) -> bool:
    return validate_answer(request, text)[1] is None
