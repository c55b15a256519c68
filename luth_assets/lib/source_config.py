"""A chat source in the run configuration: where it is and how its fields become `messages`.

Shared by the sources stage (multilingual sets) and the translation stage (English seed sets):
both name their inputs with the same `uri` / `format` / `mapping` entries.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from luth_assets.lib.strict import StrictModel

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
    expected_rows: int | None = Field(
        None, ge=0, description="rows this source is expected to keep through the stage's "
        "filters (the paper's count); `luth plan` uses it for a hub source and the stage's output "
        "table warns in its metadata when more than 5% off. Required for hf:// sources")
    expected_input_rows: int | None = Field(
        None, ge=0, description="rows the source holds before any filter (the published "
        "dataset's size: the whole split, every language); `luth plan` counts the first step of a "
        "hub source on it (language-ID slice, translation, judge inputs), and `expected_rows` "
        "on what the last filter keeps. Unset: `expected_rows` stands in (the plan says so)")
    shards: int = Field(1, ge=1, le=1024, description="partitions of this source (by file for a "
                        "glob, by row ranges for one file): luth_assets/lib/shards.py")
    exclude_when: dict[str, str | int | float | bool] = Field(
        default_factory=dict, description="rows whose field equals the value are rejected "
        "`excluded:<field>` (e.g. {bad_entry: true} for OpenHermes-FR, as the authors did)")

    @model_validator(mode="after")
    def _hub_needs_expected_rows(self) -> SourceConfig:
        if self.uri.startswith("hf://") and self.expected_rows is None:
            raise ValueError(
                f"expected_rows: required for a hub source ({self.uri}): `luth plan` never reads "
                "the hub, so it needs the row count this source is expected to keep")
        if (self.expected_input_rows is not None and self.expected_rows is not None
                and self.expected_input_rows < self.expected_rows):
            raise ValueError(
                f"expected_input_rows ({self.expected_input_rows}) is below expected_rows "
                f"({self.expected_rows}): the filters cannot keep more rows than they read")
        return self

    def excluded_by(self, record: dict) -> str | None:
        """The first `exclude_when` field whose value this record has, else None."""
        for field, value in self.exclude_when.items():
            if field in record and record[field] == value:
                return field
        return None


def check_source_name(name: str) -> None:
    if not str(name).replace("_", "").replace("-", "").isalnum():
        raise ValueError(f"source name {name!r} must be letters, digits, '_' or '-'")


def validate_sources(value: Any) -> dict[str, SourceConfig]:
    """A mapping name -> source entry, validated; every problem is named `name.key: message`."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError("must be a mapping of source name -> source")
    out: dict[str, SourceConfig] = {}
    problems: list[str] = []
    for name, entry in value.items():
        try:
            check_source_name(name)
        except ValueError as err:
            problems.append(str(err))
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


def resolve_source_uris(sources: dict[str, SourceConfig], base: Path) -> dict[str, SourceConfig]:
    """Relative local `uri`s resolved against the run configuration's folder."""
    resolved = {}
    for name, source in sources.items():
        uri = source.uri
        if "://" not in uri and not Path(uri).is_absolute():
            uri = str((base / uri).resolve())
        resolved[name] = source.model_copy(update={"uri": uri})
    return resolved


class LakeConfig(StrictModel):
    """The run configuration's `lake:` section: what the pipeline may read from this machine."""

    allowed_roots: list[str] | None = Field(
        None, description="folders (relative to the run configuration's folder) whose files a "
        "source `uri` may name; URI prefixes (`gs://bucket/`) allowed too. hf:// and s3:// URIs are "
        "allowed by scheme. Default: the landing folder (the run configuration's folder)")

    def roots(self, base: Path) -> tuple[list[Path], list[str]]:
        """(local folders, URI prefixes) allowed, folders resolved against `base`."""
        entries = self.allowed_roots if self.allowed_roots is not None else ["."]
        folders = [Path(e).expanduser() if Path(e).expanduser().is_absolute()
                   else base / Path(e).expanduser() for e in entries if "://" not in e]
        return folders, [e for e in entries if "://" in e]


def confine_sources(sources: dict[str, SourceConfig], lake: LakeConfig, base: Path,
                    section: str = "sources") -> None:
    """Refuse, before anything is opened, a source outside `lake.allowed_roots`."""
    from luth_assets.lib.confinement import confine_uri

    folders, prefixes = lake.roots(base)
    for name, source in sources.items():
        confine_uri(f"{section}.{name}", source.uri, folders, prefixes)
