"""Configuration of the LLM layer: the `llm:` section of the run configuration.

Secrets never live here: the key is read from the environment variable the section names
(`GEMINI_API_KEY` by default) when the provider is built.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from luth_assets.lib.llm.types import GenerationParams

ProviderName = Literal["gemini", "openai_compatible", "replay", "transformers"]

DEFAULT_MODELS: dict[str, str] = {
    "gemini": "gemini-2.5-flash",
    "openai_compatible": "Qwen/Qwen3-32B",
    "replay": "replay",
    "transformers": "",
}
DEFAULT_KEY_ENV: dict[str, str] = {
    "gemini": "GEMINI_API_KEY",
    "openai_compatible": "OPENAI_API_KEY",
}
GEMINI_BASE_URL_ENV = "LUTH_GEMINI_BASE_URL"
OPENAI_BASE_URL_ENV = "LUTH_OPENAI_BASE_URL"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ModelPrice(_Strict):
    """USD per million tokens."""

    input_per_million: float = Field(ge=0.0)
    output_per_million: float = Field(ge=0.0)


def default_prices() -> dict[str, ModelPrice]:
    # List prices (USD / 1M tokens, standard tier, text). Estimates only; override in the config.
    return {
        "gemini-2.5-flash": ModelPrice(input_per_million=0.30, output_per_million=2.50),
        "gemini-2.5-flash-lite": ModelPrice(input_per_million=0.10, output_per_million=0.40),
        "gemini-2.5-pro": ModelPrice(input_per_million=1.25, output_per_million=10.0),
        "gemini-2.0-flash": ModelPrice(input_per_million=0.10, output_per_million=0.40),
    }


class RetrySettings(_Strict):
    max_retries: int = Field(4, ge=0, description="retries after the first attempt")
    backoff_initial_s: float = Field(1.0, ge=0.0)
    backoff_max_s: float = Field(60.0, ge=0.0)
    backoff_multiplier: float = Field(2.0, ge=1.0)
    jitter: float = Field(0.5, ge=0.0, le=1.0,
                          description="the delay is scaled by a uniform factor in [1-jitter, 1]")
    max_retry_after_s: float = Field(300.0, ge=0.0, description="cap on a server's Retry-After")


class CacheSettings(_Strict):
    enabled: bool = True
    flush_rows: int = Field(256, ge=1, description="write a shard after this many new answers")
    flush_seconds: float = Field(10.0, gt=0.0, description="... or after this many seconds")


class TransformersSettings(_Strict):
    """Local generation with `transformers` (llm.provider: transformers, llm.model: a checkpoint
    folder, or a hub id already in the local Hugging Face cache)."""

    device: str = Field("auto", description="auto (cuda if available, else cpu), cpu, cuda, cuda:1")
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = Field(
        "auto", description="auto: bfloat16 on CUDA, float32 on CPU")
    batch_size: int = Field(8, ge=1, description="prompts generated together (left padded)")
    batch_wait_s: float = Field(0.01, ge=0.0,
                                description="how long a batch waits for more prompts")
    max_new_tokens: int = Field(512, ge=1, description="when a request sets no max_output_tokens")
    trust_remote_code: bool = Field(False, description="run code shipped with the checkpoint")
    allow_download: bool = Field(
        False, description="let a hub id missing from the local cache be downloaded "
        "(never when HF_HUB_OFFLINE=1)")
    chat_template_kwargs: dict[str, str | bool | int | float] = Field(
        default_factory=dict, description="extra chat-template variables, "
        "e.g. {enable_thinking: false} for Qwen3")


# ------------------------------------------------------------------ per-step overrides
# The LLM steps of the pipeline (key under `llm.steps`) and the stage name each one's calls carry
# (ops/llm_calls `stage`, replay files). The stage names are the ones the stages use.
LLM_STEPS: dict[str, str] = {
    "translate": "translated_prompts",
    "regenerate": "regenerated_responses",
    "quality_judge": "quality_judge",
    "cleaning_judge": "cleaning_judge",
    "scholar_questions": "scholar_questions",
    "scholar_answers": "scholar_answers",
    "scholar_clean": "scholar_clean",
    "scholar_vision": "scholar_vision",
}
STEP_OF_STAGE: dict[str, str] = {stage: step for step, stage in LLM_STEPS.items()}
LLMStep = Literal["translate", "regenerate", "quality_judge", "cleaning_judge",
                  "scholar_questions", "scholar_answers", "scholar_clean", "scholar_vision"]


class StepLLMSettings(_Strict):
    """`llm.steps.<step>`: what one LLM step uses instead of the `llm:` defaults. Unset keys keep
    the `llm:` value (provider, model, endpoint) or the stage's own generation parameters."""

    provider: ProviderName | None = None
    model: str | None = Field(None, description="default: llm.model when the provider is the "
                              "same, else the provider's default model")
    base_url: str | None = None
    api_key_env: str | None = None
    temperature: float | None = Field(None, ge=0.0, le=2.0)
    top_p: float | None = Field(None, gt=0.0, le=1.0)
    max_output_tokens: int | None = Field(None, ge=1)
    thinking: bool | None = Field(
        None, description="false: ask the model not to think (openai_compatible and transformers "
        "send chat_template_kwargs.enable_thinking=false, as the authors did with Qwen3-32B)")
    extra_body: dict[str, Any] | None = Field(
        None, description="extra fields merged into the request body (openai_compatible)")
    truncation_retry_max_output_tokens: int | None = Field(
        None, ge=1, description="an answer cut by the output token limit is asked once more "
        "with this limit (when above the request's own); default: llm.truncation_retry_max_"
        "output_tokens")

    def params(self, base: GenerationParams) -> GenerationParams:
        """The stage's generation parameters with this step's values on top."""
        update = {k: v for k, v in {
            "temperature": self.temperature, "top_p": self.top_p,
            "max_output_tokens": self.max_output_tokens, "thinking": self.thinking,
            "extra_body": self.extra_body}.items() if v is not None}
        return base.model_copy(update=update) if update else base


class LLMSettings(_Strict):
    provider: ProviderName = "replay"
    model: str | None = Field(None, description="default: per provider (gemini-2.5-flash, ...)")
    base_url: str | None = Field(
        None, description="provider endpoint; LUTH_GEMINI_BASE_URL / LUTH_OPENAI_BASE_URL win")
    api_key_env: str | None = Field(
        None, description="environment variable holding the key (GEMINI_API_KEY by default)")
    replay_path: Path | None = Field(None, description="JSONL of authored answers (replay)")
    concurrency: int = Field(16, ge=1)
    requests_per_minute: float | None = Field(None, gt=0.0)
    tokens_per_minute: float | None = Field(None, gt=0.0)
    timeout_s: float = Field(120.0, gt=0.0, description="per-call timeout")
    retry: RetrySettings = Field(default_factory=RetrySettings)
    cache: CacheSettings = Field(default_factory=CacheSettings)
    prices: dict[str, ModelPrice] = Field(default_factory=default_prices)
    max_consecutive_connection_errors: int = Field(
        20, ge=1, description="stop the run (provider unreachable) after this many connection "
        "failures in a row before any success")
    progress_every_s: float = Field(30.0, gt=0.0)
    max_error_rate: float = Field(
        0.5, ge=0.0, le=1.0, description="share of a batch's rows whose call failed (HTTP error, "
        "timeout, connection, empty answer, malformed body) above which the asset fails, after "
        "writing what it has")
    transformers: TransformersSettings = Field(default_factory=TransformersSettings)
    truncation_retry_max_output_tokens: int | None = Field(
        None, ge=1, description="an answer cut by the output token limit (finish reason length / "
        "MAX_TOKENS) is asked once more with this max_output_tokens when it is above the "
        "request's own limit; unset (the default): the row is rejected `truncated`. "
        "llm.steps.<step>.truncation_retry_max_output_tokens wins")
    # per-step overrides and the run's prices (luth plan, ops/llm_calls cost)
    steps: dict[LLMStep, StepLLMSettings] = Field(
        default_factory=dict, description="per-step overrides: translate, regenerate, "
        "quality_judge, cleaning_judge, scholar_questions, scholar_answers, scholar_clean")
    pricing: dict[str, ModelPrice] = Field(
        default_factory=dict, description="USD per million input/output tokens per model; wins "
        "over the built-in list prices. Every key must be a model the run uses")

    @model_validator(mode="after")
    def _known_priced_models(self) -> LLMSettings:
        used = self.used_models()
        for model in self.pricing:
            if model not in used:
                raise ValueError(
                    f"pricing.{model}: unknown model (the run uses: {', '.join(sorted(used))}; "
                    "set it as llm.model or llm.steps.<step>.model first)")
        return self

    def step(self, stage_or_step: str) -> StepLLMSettings | None:
        """The override of a step, by step name or by the stage name its calls carry."""
        return self.steps.get(STEP_OF_STAGE.get(stage_or_step, stage_or_step))  # type: ignore[call-overload]

    def for_step(self, stage_or_step: str) -> LLMSettings:
        """These settings with the step's provider, model, endpoint and key variable."""
        over = self.step(stage_or_step)
        if over is None:
            return self
        update: dict[str, Any] = {}
        if over.truncation_retry_max_output_tokens is not None:
            update["truncation_retry_max_output_tokens"] = over.truncation_retry_max_output_tokens
        if any((over.provider, over.model, over.base_url, over.api_key_env)):
            provider = over.provider or self.provider
            same = provider == self.provider
            update.update({
                "provider": provider,
                "model": over.model or (self.model if same else None),
                "base_url": over.base_url or (self.base_url if same else None),
                "api_key_env": over.api_key_env or (self.api_key_env if same else None),
            })
        return self.model_copy(update=update) if update else self

    def used_models(self) -> set[str]:
        """Every model a step of the run calls (llm.model and each step's)."""
        return {self.resolved_model()} | {self.for_step(step).resolved_model()
                                          for step in LLM_STEPS}

    def effective_prices(self) -> dict[str, ModelPrice]:
        return {**self.prices, **self.pricing}

    def resolved_model(self) -> str:
        return self.model or DEFAULT_MODELS[self.provider]

    def resolved_key_env(self) -> str | None:
        return self.api_key_env or DEFAULT_KEY_ENV.get(self.provider)

    def with_base(self, base: Path) -> LLMSettings:
        """Resolve relative paths against the config file's folder: `replay_path`, and for the
        transformers provider a relative `model` folder that exists there."""
        update: dict = {}
        if self.replay_path is not None and not self.replay_path.is_absolute():
            update["replay_path"] = (base / self.replay_path).resolve()
        if self.provider == "transformers" and self.model and not Path(self.model).is_absolute():
            local = base / self.model
            if local.exists():
                update["model"] = str(local.resolve())
        return self.model_copy(update=update) if update else self
