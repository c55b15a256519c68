"""Providers behind one interface, and the factory that builds one from the settings."""

from __future__ import annotations

import os
from collections.abc import Mapping

from luth_assets.lib.llm.errors import ConfigurationError
from luth_assets.lib.llm.providers.base import Provider
from luth_assets.lib.llm.settings import GEMINI_BASE_URL_ENV, OPENAI_BASE_URL_ENV, LLMSettings

__all__ = ["Provider", "build_provider"]


def build_provider(settings: LLMSettings, env: Mapping[str, str] | None = None) -> Provider:
    """Build the configured provider; a missing key or URL is a clear error (no secret in it)."""
    env = os.environ if env is None else env
    model = settings.resolved_model()
    if settings.provider == "gemini":
        from luth_assets.lib.llm.providers.gemini import GeminiProvider

        key_env = settings.resolved_key_env()
        key = env.get(key_env or "")
        if not key:
            raise ConfigurationError(
                f"llm.provider is gemini but {key_env} is not set (export the API key, or use "
                "llm.provider: replay for the offline demo)")
        base_url = env.get(GEMINI_BASE_URL_ENV) or settings.base_url
        return GeminiProvider(model, key, base_url=base_url, timeout_s=settings.timeout_s)
    if settings.provider == "openai_compatible":
        from luth_assets.lib.llm.providers.openai_compatible import OpenAICompatibleProvider

        base_url = env.get(OPENAI_BASE_URL_ENV) or settings.base_url
        if not base_url:
            raise ConfigurationError(
                f"llm.provider is openai_compatible but no base URL: set llm.base_url or "
                f"{OPENAI_BASE_URL_ENV} (e.g. http://127.0.0.1:8000/v1 for vLLM)")
        key_env = settings.resolved_key_env()
        return OpenAICompatibleProvider(model, base_url=base_url,
                                        api_key=env.get(key_env or "") or None,
                                        timeout_s=settings.timeout_s)
    if settings.provider == "replay":
        from luth_assets.lib.llm.providers.replay import ReplayProvider

        if settings.replay_path is None:
            raise ConfigurationError("llm.provider is replay but llm.replay_path is not set")
        return ReplayProvider(settings.replay_path, model=model)
    if settings.provider == "transformers":
        from luth_assets.lib.llm.providers.local_model import TransformersProvider

        return TransformersProvider(settings.model, settings.transformers, env=env)
    raise ConfigurationError(f"unknown llm.provider {settings.provider!r}")
