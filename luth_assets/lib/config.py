"""The run configuration: one YAML file naming a run's inputs.

`LUTH_CONFIG` names the file (default `data_lake/landing/luth.yaml`, the demo) and
`LUTH_LAKE_ROOT` the lake root (default `data_lake`). Both are read when the definitions are
built, never at import time. Validation errors name the offending key, e.g.
``sources.aya.mapping.prompt: field required``.

Each pipeline stage owns one section model below; unknown keys are errors everywhere so that a
typo never silently falls back to a default.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from luth_assets.lib.llm.settings import LLMSettings
from luth_assets.lib.strict import StrictModel
from luth_assets.stages.curation.settings import CurationConfig
from luth_assets.stages.evaluation.settings import EvaluationConfig
from luth_assets.stages.merging.settings import MergingConfig
from luth_assets.stages.scholar.settings import ScholarConfig
from luth_assets.stages.training.settings import TrainingConfig
from luth_assets.stages.translation.settings import TranslationConfig

DEFAULT_CONFIG = "data_lake/landing/luth.yaml"
DEFAULT_LAKE_ROOT = "data_lake"


class ConfigError(ValueError):
    """A run configuration that cannot be used; the message names the file and the key."""


# --------------------------------------------------------------------------- sources (issue 2)

SourceFormat = Literal["jsonl", "json", "parquet", "csv"]


class FieldMapping(StrictModel):
    """How a source's fields become chat `messages`.

    Exactly one shape is used:
    - `messages`: a field holding a list of turns (SmolTalk2, OpenAssistant, ShareGPT);
      `role_key`/`content_key` name the keys inside a turn and `roles` maps role values.
    - `prompt` + `response`: single-turn pairs (Aya: inputs/targets).
    - `instruction` (+ optional `input`) + `output`: Alpaca-style rows.
    """

    id: str | None = Field(None, description="field holding the source row id; default: row number")
    messages: str | None = None
    role_key: str = "role"
    content_key: str = "content"
    roles: dict[str, str] = Field(
        default_factory=lambda: {
            "user": "user", "human": "user", "prompter": "user",
            "assistant": "assistant", "gpt": "assistant", "bot": "assistant",
            "system": "system",
        },
        description="source role value -> user/assistant/system",
    )
    prompt: str | None = None
    response: str | None = None
    instruction: str | None = None
    input: str | None = None
    output: str | None = None
    system: str | None = Field(None, description="optional field holding a system prompt")

    @model_validator(mode="after")
    def _one_shape(self) -> FieldMapping:
        shapes = {
            "messages": self.messages is not None,
            "prompt/response": self.prompt is not None or self.response is not None,
            "instruction/output": self.instruction is not None or self.output is not None,
        }
        chosen = [name for name, used in shapes.items() if used]
        if len(chosen) != 1:
            raise ValueError(
                "set exactly one of: messages | prompt+response | instruction(+input)+output; "
                f"got {chosen or 'none'}"
            )
        if chosen == ["prompt/response"] and not (self.prompt and self.response):
            raise ValueError("prompt and response must both be set")
        if chosen == ["instruction/output"] and not (self.instruction and self.output):
            raise ValueError("instruction and output must both be set")
        return self

    def required_fields(self) -> list[str]:
        """Fields every row must have (a missing one is an error naming file, row and field)."""
        names = [self.messages, self.prompt, self.response, self.instruction, self.output]
        return [n for n in names if n]


class SourceConfig(StrictModel):
    uri: str = Field(description="local file, glob, or hf://datasets/<owner>/<name>/<file>")
    format: SourceFormat
    mapping: FieldMapping
    license: str | None = None
    description: str | None = None


class LanguageIdConfig(StrictModel):
    min_probability: float = Field(0.80, ge=0.0, le=1.0, description="per-turn probability floor")
    min_chars: int = Field(8, ge=0, description="a turn shorter than this is rejected too_short")
    confirm_function_words: bool = Field(
        True, description="also require one function word of the target language in the row "
        "(catches languages langdetect has no profile for, e.g. Latin read as French)")
    seed: int = 0
    workers: int = Field(0, ge=0, description="detection processes; 0 = all cores")
    batch_size: int = Field(256, ge=1, description="rows per detection batch (one task for a worker)")
    backend: Literal["cascade", "langdetect", "fasttext"] = Field(
        "cascade", description="cascade: fastText lid.176 decides, rows doubtful for the target "
        "language go to langdetect; langdetect: langdetect alone; fasttext: fastText alone")
    fasttext_min_probability: float | None = Field(
        None, ge=0.0, le=1.0, description="cascade: a turn fastText puts in the target language "
        "below this probability goes to langdetect; default (null) = min_probability")
    fasttext_min_margin: float = Field(
        0.1, ge=0.0, le=1.0, description="cascade: a turn with the target language in fastText's "
        "top two and their probabilities closer than this goes to langdetect")

    @model_validator(mode="after")
    def _cascade_floor(self) -> LanguageIdConfig:
        floor = self.fasttext_min_probability
        if floor is not None and floor < self.min_probability:
            raise ValueError(
                f"fasttext_min_probability ({floor}) is below min_probability "
                f"({self.min_probability}): fastText's answers in between would be rejected "
                "low_confidence instead of going to langdetect")
        return self


class RunConfig(StrictModel):
    target_language: str = Field("fr", min_length=2, max_length=8)
    sources: dict[str, SourceConfig] = Field(default_factory=dict)
    language_id: LanguageIdConfig = Field(default_factory=LanguageIdConfig)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    # later stages: each section model lives in luth_assets/stages/<stage>/settings.py
    translation: TranslationConfig = Field(default_factory=TranslationConfig)
    scholar: ScholarConfig = Field(default_factory=ScholarConfig)
    curation: CurationConfig = Field(default_factory=CurationConfig)
    training: TrainingConfig = Field(default_factory=TrainingConfig)
    merging: MergingConfig = Field(default_factory=MergingConfig)
    evaluation: EvaluationConfig = Field(default_factory=EvaluationConfig)

    @field_validator("sources")
    @classmethod
    def _source_names(cls, value: dict[str, SourceConfig]) -> dict[str, SourceConfig]:
        for name in value:
            if not name.replace("_", "").replace("-", "").isalnum():
                raise ValueError(f"source name {name!r} must be letters, digits, '_' or '-'")
        return value


# ------------------------------------------------------------------------------ loading


class Settings(StrictModel):
    """Where the run configuration and the lake are; resolved from the environment once."""

    config_path: Path
    lake_root: str

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        return cls(
            config_path=Path(env.get("LUTH_CONFIG") or DEFAULT_CONFIG),
            lake_root=env.get("LUTH_LAKE_ROOT") or DEFAULT_LAKE_ROOT,
        )

    def load(self) -> RunConfig:
        return load_config(self.config_path)


def _format_errors(path: Path, err: ValidationError) -> str:
    lines = [f"invalid run configuration {path}:"]
    for item in err.errors():
        key = ".".join(str(p) for p in item["loc"]) or "<root>"
        msg = item["msg"]
        if item["type"] == "extra_forbidden":
            msg = "unknown key"
        lines.append(f"  {key}: {msg}")
    return "\n".join(lines)


def parse_config(data: Any, path: Path | str = "<config>") -> RunConfig:
    path = Path(path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"invalid run configuration {path}: top level must be a mapping")
    try:
        return RunConfig.model_validate(data)
    except ValidationError as err:
        raise ConfigError(_format_errors(path, err)) from None


def load_config(path: Path | str) -> RunConfig:
    """Read and validate a run configuration; relative paths resolve from the file's folder."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(
            f"run configuration {path} not found (set LUTH_CONFIG to a YAML file; "
            f"the demo one is {DEFAULT_CONFIG})"
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise ConfigError(f"invalid YAML in run configuration {path}: {err}") from None
    config = parse_config(data, path)
    return _resolve_relative_uris(config, path.parent)


def _resolve_relative_uris(config: RunConfig, base: Path) -> RunConfig:
    sources = {}
    for name, source in config.sources.items():
        uri = source.uri
        if "://" not in uri and not Path(uri).is_absolute():
            uri = str((base / uri).resolve())
        sources[name] = source.model_copy(update={"uri": uri})
    update = {"sources": sources, "llm": config.llm.with_base(base)}
    for name in STAGE_SECTIONS:
        update[name] = getattr(config, name).with_base(base)
    return config.model_copy(update=update)


STAGE_SECTIONS = ("translation", "scholar", "curation", "training", "merging", "evaluation")
