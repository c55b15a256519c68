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
  translate: {temperature: 0.2}
  regenerate: {temperature: 0.7}
  judge: {temperature: 0.0}
```
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator

from luth_assets.lib.llm.types import GenerationParams
from luth_assets.lib.strict import StrictModel


class TranslationConfig(StrictModel):
    """Settings of the translation stage. Unknown keys are errors."""

    sources: dict[str, Any] = Field(
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

    @field_validator("sources", mode="before")
    @classmethod
    def _validate_sources(cls, value: Any) -> dict[str, Any]:
        # SourceConfig lives in luth_assets.lib.config, which imports this module: look it up
        # when validating (the module is loaded by then), not at import time.
        from luth_assets.lib.config import SourceConfig

        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ValueError("must be a mapping of source name -> source")
        out: dict[str, Any] = {}
        problems: list[str] = []
        for name, entry in value.items():
            if not str(name).replace("_", "").replace("-", "").isalnum():
                problems.append(f"{name}: source name must be letters, digits, '_' or '-'")
                continue
            if isinstance(entry, SourceConfig):
                out[name] = entry
                continue
            try:
                out[name] = SourceConfig.model_validate(entry)
            except ValidationError as err:
                for item in err.errors():
                    key = ".".join(str(p) for p in item["loc"]) or "<root>"
                    msg = "unknown key" if item["type"] == "extra_forbidden" else item["msg"]
                    problems.append(f"{name}.{key}: {msg}")
        if problems:
            raise ValueError("; ".join(problems))
        return out

    def with_base(self, base: Path) -> TranslationConfig:
        """Resolve relative source paths against the run configuration's folder."""
        sources = {}
        for name, source in self.sources.items():
            uri = source.uri
            if "://" not in uri and not Path(uri).is_absolute():
                uri = str((base / uri).resolve())
            sources[name] = source.model_copy(update={"uri": uri})
        return self.model_copy(update={"sources": sources})
