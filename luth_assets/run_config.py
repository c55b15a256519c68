"""The run configuration: one YAML file naming a run's inputs, above the stages.

`LUTH_CONFIG` names the file (default `data_lake/landing/luth.yaml`, the demo) and
`LUTH_LAKE_ROOT` the lake root (default `data_lake`). Both are read when the definitions are
built, never at import time. Validation errors name the offending key, e.g.
``sources.aya.mapping.prompt: field required``.

Each pipeline stage owns its section model (`luth_assets/stages/<stage>/settings.py`); this
module assembles them into `RunConfig` and loads the file. Unknown keys are errors everywhere so
that a typo never silently falls back to a default.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from luth_assets.lib.confinement import SourceOutsideRoots
from luth_assets.lib.llm.settings import LLMSettings
from luth_assets.lib.source_config import (
    LakeConfig,
    SourceConfig,
    check_source_name,
    confine_sources,
    resolve_source_uris,
)
from luth_assets.lib.strict import StrictModel
from luth_assets.plan.post_training_settings import PostTrainingConfig
from luth_assets.plan.settings import PlanConfig
from luth_assets.stages.curation.settings import CurationConfig
from luth_assets.stages.evaluation.settings import EvaluationConfig
from luth_assets.stages.merging.settings import MergingConfig
from luth_assets.stages.scholar.settings import ScholarConfig
from luth_assets.stages.sources.settings import LanguageIdConfig
from luth_assets.stages.training.settings import TrainingConfig
from luth_assets.stages.translation.settings import TranslationConfig

DEFAULT_CONFIG = "data_lake/landing/luth.yaml"
DEFAULT_LAKE_ROOT = "data_lake"


def detector_languages() -> list[str]:
    """The codes langdetect has a profile for (what `target_language` may be)."""
    import langdetect

    return sorted(p.name for p in (Path(langdetect.__file__).parent / "profiles").iterdir())


class ConfigError(ValueError):
    """A run configuration that cannot be used; the message names the file and the key."""


class RunConfig(StrictModel):
    target_language: str = Field("fr", min_length=2, max_length=8)
    lake: LakeConfig = Field(default_factory=LakeConfig)  # what sources may be read from
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
    plan: PlanConfig = Field(default_factory=PlanConfig)  # `luth plan` assumptions
    # optional: the Luth-2 recipe after the SFT (RL specialists, distillation), as `luth plan` prices it
    post_training: PostTrainingConfig = Field(default_factory=PostTrainingConfig)

    @field_validator("target_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        known = detector_languages()
        if value not in known:
            raise ValueError(f"{value!r} is not a language the detector knows; one of "
                             f"{', '.join(known)}")
        return value

    @field_validator("sources")
    @classmethod
    def _source_names(cls, value: dict[str, SourceConfig]) -> dict[str, SourceConfig]:
        for name in value:
            check_source_name(name)
        return value

    @model_validator(mode="after")
    def _judged_sources_exist(self) -> RunConfig:
        known = set(self.sources) | set(self.translation.sources)
        for judge in ("quality", "cleaning"):
            for name in getattr(self.translation.judges, judge).sources or []:
                if name not in known:
                    raise ValueError(f"translation.judges.{judge}.sources: unknown source {name!r} "
                                     f"(sources: {', '.join(sorted(known)) or 'none'})")
        return self


class Settings(StrictModel):
    """Where the run configuration and the lake are; resolved from the environment once."""

    config_path: Path
    lake_root: str
    executor: str | None = None    # LUTH_EXECUTOR (luth_assets/executors.py)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        return cls(
            config_path=Path(env.get("LUTH_CONFIG") or DEFAULT_CONFIG),
            lake_root=env.get("LUTH_LAKE_ROOT") or DEFAULT_LAKE_ROOT,
            executor=env.get("LUTH_EXECUTOR") or None,
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
    if data is None:
        raise ConfigError(f"run configuration {path} is empty: it needs at least `sources:` "
                          f"(the demo one, {DEFAULT_CONFIG}, is a complete example)")
    config = _resolve_relative_uris(parse_config(data, path), path.parent)
    try:
        confine_sources(config.sources, config.lake, path.parent.absolute())
        confine_sources(config.translation.sources, config.lake, path.parent.absolute(),
                        "translation.sources")
    except SourceOutsideRoots as err:
        raise ConfigError(f"run configuration {path}: {err}") from None
    return config


def _resolve_relative_uris(config: RunConfig, base: Path) -> RunConfig:
    update = {"sources": resolve_source_uris(config.sources, base), "llm": config.llm.with_base(base)}
    for name in STAGE_SECTIONS:
        update[name] = getattr(config, name).with_base(base)
    return config.model_copy(update=update)


STAGE_SECTIONS = ("translation", "scholar", "curation", "training", "merging", "evaluation", "plan")
