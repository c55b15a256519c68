"""The `translation:` section of the run configuration.

Stage: English seed prompts, translation into the target language, regenerated answers, judges.

```yaml
translation:
  sources:                    # English seed sets; same shape as the top-level `sources:`
    tulu_math:
      uri: hf://datasets/allenai/tulu-3-sft-personas-math/data/*.parquet
      format: parquet
      mapping: {id: id, messages: messages}
  limit: 2000                 # at most this many rows per source (null: all)
  prompts: ours               # ours | authors: the authors' strings, True/False judges (French only)
  translate: {temperature: 0.2}
  regenerate: {temperature: 0.7}
  judge: {temperature: 0.0}
  shards: 4                   # optional: translated, regenerated and judged rows in 4 partitions
  judges:                     # which sources each judge reviews (null: every candidate)
    quality: {sources: [openhermes_fr]}
    cleaning: {sources: [tulu3_persona_instruct]}
```
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator

from luth_assets.lib.llm.types import GenerationParams
from luth_assets.lib.source_config import SourceConfig, resolve_source_uris, validate_sources
from luth_assets.lib.strict import StrictModel


class JudgeScope(StrictModel):
    sources: list[str] | None = Field(
        None, description="sources (gathered or seed source names) whose rows this judge "
        "reviews; null: every candidate; []: none (rows pass this judge unreviewed)")

    def applies(self, source: str) -> bool:
        return self.sources is None or source in self.sources


class JudgesConfig(StrictModel):
    quality: JudgeScope = Field(default_factory=JudgeScope)
    cleaning: JudgeScope = Field(default_factory=JudgeScope)


class TranslationConfig(StrictModel):
    """Settings of the translation stage. Unknown keys are errors."""

    sources: dict[str, SourceConfig] = Field(
        default_factory=dict,
        description="English seed sources by name, each like a top-level `sources:` entry "
        "(uri, format, mapping, license, description); validated as SourceConfig")
    source_language: str = Field("en", min_length=2, max_length=8,
                                 description="language of the seed prompts")
    limit: int | None = Field(None, ge=1, description="at most this many rows per seed source")
    max_prompt_chars: int = Field(
        12000, ge=1, description="a longer seed prompt is rejected `prompt_too_long` (no call)")
    translate: GenerationParams = Field(
        default_factory=lambda: GenerationParams(temperature=0.2))
    regenerate: GenerationParams = Field(
        default_factory=lambda: GenerationParams(temperature=0.7))
    judge: GenerationParams = Field(default_factory=lambda: GenerationParams(temperature=0.0))
    shards: int = Field(
        1, ge=1, le=1024, description="partitions of the LLM stages (translated_prompts, "
        "regenerated_responses, judged_samples): each row goes to the shard of its input's "
        "sample_id (luth_assets/lib/shards.py: row_shard); 1: unpartitioned")
    prompts: Literal["ours", "authors"] = Field(
        "ours", description="prompt set of the four LLM steps: ours (instructions parameterised by "
        "the target language, JSON verdicts with the issue and a reason) or authors (their "
        "strings byte for byte, judges answering True/False parsed as theirs; French only): "
        "luth_assets/stages/translation/prompt_sets.py")
    judges: JudgesConfig = Field(
        default_factory=JudgesConfig,
        description="which sources each judge reviews (the authors: quality on OpenHermes-FR, "
        "cleaning on Tulu-3 persona instruct)")

    @field_validator("sources", mode="before")
    @classmethod
    def _validate_sources(cls, value: Any) -> dict[str, SourceConfig]:
        sources = validate_sources(value)
        sharded = [f"{name}.shards: the seed sources are read whole (shards apply to the "
                   "top-level sources)" for name, s in sources.items() if s.shards > 1]
        if sharded:
            raise ValueError("; ".join(sharded))
        return sources

    def with_base(self, base: Path) -> TranslationConfig:
        """Resolve relative source paths against the run configuration's folder."""
        return self.model_copy(update={"sources": resolve_source_uris(self.sources, base)})
