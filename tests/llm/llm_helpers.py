"""Helpers shared by the LLM tests and the throughput benchmark."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from luth_assets.lib.llm import LLMRequest, Message
from luth_assets.lib.llm.settings import CacheSettings, LLMSettings, RetrySettings

FAKE_KEY = "LUTH-FAKE-KEY-7f3a9c0b5e1d"


class Verdict(BaseModel):
    verdict: str
    reason: str


def make_request(tag: str, *, structured: bool = False, stage: str = "test") -> LLMRequest:
    return LLMRequest(
        sample_id=tag, stage=stage,
        messages=[Message(role="system", content="Tu es un assistant."),
                  Message(role="user", content=f"Traduis ceci [id={tag}]")],
        response_schema=Verdict if structured else None,
    )


def fast_settings(**overrides) -> LLMSettings:
    base = dict(
        provider="gemini", concurrency=32, timeout_s=1.5,
        retry=RetrySettings(max_retries=3, backoff_initial_s=0.01, backoff_max_s=0.05,
                            max_retry_after_s=2.0),
        cache=CacheSettings(flush_rows=64, flush_seconds=0.5),
    )
    base.update(overrides)
    return LLMSettings(**base)


def all_bytes(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())
