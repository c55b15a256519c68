"""The provider interface: one async call, one answer or one ProviderCallError."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from luth_assets.lib.llm.types import LLMRequest, ProviderResponse


@runtime_checkable
class Provider(Protocol):
    name: str          # "gemini", "openai_compatible", "replay", ...
    model: str
    cacheable: bool    # False for providers whose answers cost nothing (replay)

    async def generate(self, request: LLMRequest) -> ProviderResponse:
        """Make one call. Raise a ProviderCallError subclass on failure (never retry here)."""
        ...

    async def aclose(self) -> None:
        ...


def redact(text: str, secret: str | None) -> str:
    """Remove a secret from a text (error messages echo what servers send back)."""
    if secret and len(secret) >= 4:
        text = text.replace(secret, "***")
    return text
