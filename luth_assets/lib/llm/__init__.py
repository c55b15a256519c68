"""The LLM client layer (plain Python, no Dagster): providers, client, cache, accounting.

Typical use from a stage::

    settings = run_config.llm
    provider = build_provider(settings)   # gemini / openai_compatible / transformers / replay
    cache = LLMCache.in_lake(lake_root, flush_rows=settings.cache.flush_rows)
    client = LLMClient(provider, settings=settings, cache=cache,
                       progress=log_progress(context.log, stage="translated_prompts",
                                             every_s=settings.progress_every_s))
    out = client.run(requests, stage="translated_prompts")  # one LLMResult per sample_id
    out.to_frame(); out.summary.to_row()
"""

from luth_assets.lib.llm.cache import CACHE_TABLE, LLMCache
from luth_assets.lib.llm.call_summary import CallSummary, RunOutput, estimate_cost
from luth_assets.lib.llm.client import LLMClient
from luth_assets.lib.llm.errors import (
    ConfigurationError,
    LLMError,
    ProviderCallError,
    ProviderUnavailable,
)
from luth_assets.lib.llm.progress import Progress, ProgressReporter, log_progress
from luth_assets.lib.llm.providers import Provider, build_provider
from luth_assets.lib.llm.rate_limit import RateLimiter
from luth_assets.lib.llm.settings import LLMSettings, ModelPrice
from luth_assets.lib.llm.types import (
    REASONS,
    GenerationParams,
    ImagePart,
    LLMRequest,
    LLMResult,
    Message,
    ProviderResponse,
    cache_key,
)

__all__ = [
    "CACHE_TABLE", "REASONS", "CallSummary", "ConfigurationError", "GenerationParams", "ImagePart",
    "LLMCache", "LLMClient", "LLMError", "LLMRequest", "LLMResult", "LLMSettings", "Message",
    "ModelPrice", "Progress", "ProgressReporter", "Provider", "ProviderCallError", "ProviderResponse",
    "ProviderUnavailable", "RateLimiter", "RunOutput", "build_provider", "cache_key",
    "estimate_cost", "log_progress",
]
