"""What `luth plan` counts from local files: rows, a sample of rows, token sizes, and the share
of a multilingual source the language-ID slice keeps (measured on the sample).

Nothing here reaches the network: hub sources are never opened (their published size,
`expected_input_rows`, stands in, else `expected_rows`), and the base tokenizer is only loaded
from the local Hugging Face cache or a local folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from luth_assets.lib.language_id import detect_languages
from luth_assets.lib.source_config import SourceConfig
from luth_assets.lib.source_reading import read_source_batches
from luth_assets.stages.sources.settings import LanguageIdConfig
from luth_assets.stages.sources.slicing import classify


def is_hub(source: SourceConfig) -> bool:
    return source.uri.startswith("hf://")


class TokenCounter:
    """Tokens of a text with the base model's tokenizer when it is on this machine, else
    characters / 4. `method` says which was used."""

    def __init__(self, base_model: str | None):
        self._tokenizer = None
        self.method = "chars/4"
        if base_model:
            self._tokenizer = _local_tokenizer(base_model)
            if self._tokenizer is not None:
                self.method = f"tokenizer:{base_model}"

    def __call__(self, text: str) -> int:
        if not text:
            return 0
        if self._tokenizer is None:
            return max(1, round(len(text) / 4))
        return len(self._tokenizer(text, add_special_tokens=False)["input_ids"])


def _hub_cache() -> Path:
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"])
    home = os.environ.get("HF_HOME") or Path.home() / ".cache" / "huggingface"
    return Path(home) / "hub"


def _local_tokenizer(name: str):
    """The tokenizer of a local folder or of a hub id already in the local cache; None otherwise
    (transformers is not even imported when neither is here). HF_HUB_OFFLINE is forced for the
    look-up so nothing is downloaded."""
    if not Path(name).is_dir() and not (_hub_cache() / f"models--{name.replace('/', '--')}").is_dir():
        return None
    previous = os.environ.get("HF_HUB_OFFLINE")
    os.environ["HF_HUB_OFFLINE"] = "1"
    try:
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(name, local_files_only=True)
    except Exception:  # noqa: BLE001 - not cached, not a folder, no tokenizer files: use chars/4
        return None
    finally:
        if previous is None:
            os.environ.pop("HF_HUB_OFFLINE", None)
        else:
            os.environ["HF_HUB_OFFLINE"] = previous


@dataclass
class SourceCount:
    """Rows of one source: counted (local) or published (hub), and a sample of them."""

    name: str
    rows: int
    method: str                        # counted | expected_input_rows | expected_rows
    problems: int = 0                  # rows the reader flags (no messages, excluded, ...)
    sample: list[dict] = field(default_factory=list)


def count_source(name: str, source: SourceConfig, sample_rows: int,
                 limit: int | None = None) -> SourceCount:
    """Count a local source's rows (streaming) and keep the first `sample_rows`; a hub source
    is not opened: its published size (`expected_input_rows`) is the count, else the rows it
    keeps (`expected_rows`), capped by `limit`."""
    if is_hub(source):
        published = source.expected_input_rows
        rows = int(published if published is not None else source.expected_rows or 0)
        rows = min(rows, limit) if limit is not None else rows
        return SourceCount(name, rows,
                           "expected_input_rows" if published is not None else "expected_rows")
    out = SourceCount(name, 0, "counted")
    for batch in read_source_batches(name, source):
        if limit is not None:
            batch = batch[: max(0, limit - out.rows)]
        out.rows += len(batch)
        out.problems += sum(1 for r in batch if r["problem"] is not None)
        room = sample_rows - len(out.sample)
        if room > 0:
            out.sample.extend(batch[:room])
        if limit is not None and out.rows >= limit:
            break
    return out


def slice_keep_share(sample: list[dict], target_language: str, cfg: LanguageIdConfig) -> float:
    """Share of the sample rows the language-ID slice keeps (the same rules as the stage)."""
    if not sample:
        return 0.0
    rows = [row for batch in detect_languages([sample], workers=1, seed=cfg.seed) for row in batch]
    frame = pl.DataFrame({
        "messages": [r["messages"] for r in rows], "problem": [r["problem"] for r in rows],
        "turn_languages": [r["turn_languages"] for r in rows],
        "turn_language_probs": [r["turn_language_probs"] for r in rows]},
        schema={"messages": pl.List(pl.Struct({"role": pl.String, "content": pl.String})),
                "problem": pl.String, "turn_languages": pl.List(pl.String),
                "turn_language_probs": pl.List(pl.Float64)})
    reasons = classify(frame.lazy(), target_language, cfg.min_probability, cfg.min_chars,
                       cfg.confirm_function_words).collect()["reason"]
    return reasons.null_count() / len(rows)


def turn_text(messages: list[dict], role: str) -> str:
    return "\n".join(m["content"] or "" for m in messages if m["role"] == role)


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def local_path(path: str | os.PathLike | None) -> Path | None:
    """A local folder or file that exists, else None."""
    if path is None:
        return None
    p = Path(str(path).removeprefix("file://"))
    return p if p.exists() else None
