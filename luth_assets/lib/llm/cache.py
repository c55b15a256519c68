"""Content-addressed cache of provider answers, in the lake under ``ops/llm_cache/``.

Each shard is a Parquet file written atomically (temporary name beside it, then
``os.replace``), one shard per batch of new answers, so a crash loses only the answers not yet
flushed (the calls in flight plus at most one batch, and the client flushes on cancel/error).
Reading a cache loads every shard's keys and answers; when a key appears twice the newest
shard wins. Only completed provider answers are stored (text, finish reason, tokens), never a
transient failure, never a key or header.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from luth_assets.lib.llm.types import ProviderResponse

CACHE_TABLE = "ops/llm_cache"

SCHEMA = {
    "cache_key": pl.String,
    "provider": pl.String,
    "model": pl.String,
    "request": pl.String,
    "text": pl.String,
    "finish_reason": pl.String,
    "input_tokens": pl.Int64,
    "output_tokens": pl.Int64,
    "created_at": pl.Float64,
}


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    response: ProviderResponse


def cache_dir(lake_root: str | os.PathLike) -> Path:
    text = str(lake_root).removeprefix("file://")
    if "://" in text:
        raise NotImplementedError(
            f"the LLM cache needs a local lake root for now, got {lake_root!r}")
    return Path(text) / CACHE_TABLE


class LLMCache:
    def __init__(self, folder: str | os.PathLike, *, flush_rows: int = 256,
                 flush_seconds: float = 10.0):
        self.folder = Path(folder)
        self.flush_rows = flush_rows
        self.flush_seconds = flush_seconds
        self._answers: dict[str, ProviderResponse] = {}
        self._pending: list[dict] = []
        self._last_flush = time.monotonic()
        self._lock = threading.Lock()
        self.shards_written = 0
        self._load()

    @classmethod
    def in_lake(cls, lake_root: str | os.PathLike, **kwargs) -> LLMCache:
        return cls(cache_dir(lake_root), **kwargs)

    def _load(self) -> None:
        if not self.folder.is_dir():
            return
        shards = sorted(p for p in self.folder.glob("*.parquet") if not p.name.startswith("."))
        if not shards:
            return
        frame = pl.concat(
            [pl.read_parquet(p, columns=["cache_key", "text", "finish_reason", "input_tokens",
                                         "output_tokens", "created_at"]) for p in shards],
            how="vertical_relaxed",
        ).sort("created_at")
        for key, text, finish, tin, tout in zip(
            frame["cache_key"].to_list(), frame["text"].to_list(),
            frame["finish_reason"].to_list(), frame["input_tokens"].to_list(),
            frame["output_tokens"].to_list(), strict=True,
        ):
            self._answers[key] = ProviderResponse(
                text=text or "", finish_reason=finish, input_tokens=tin or 0,
                output_tokens=tout or 0)

    def __len__(self) -> int:
        return len(self._answers)

    def __contains__(self, key: str) -> bool:
        return key in self._answers

    def get(self, key: str) -> ProviderResponse | None:
        return self._answers.get(key)

    def put(self, key: str, provider: str, model: str, request_json: str,
            response: ProviderResponse) -> None:
        with self._lock:
            self._answers[key] = response
            self._pending.append({
                "cache_key": key, "provider": provider, "model": model,
                "request": request_json, "text": response.text,
                "finish_reason": response.finish_reason,
                "input_tokens": response.input_tokens, "output_tokens": response.output_tokens,
                "created_at": time.time(),
            })
            due = (len(self._pending) >= self.flush_rows
                   or time.monotonic() - self._last_flush >= self.flush_seconds)
        if due:
            self.flush()

    def flush(self) -> int:
        """Write pending answers as one new shard (atomically). Returns rows written."""
        with self._lock:
            rows, self._pending = self._pending, []
            self._last_flush = time.monotonic()
        if not rows:
            return 0
        frame = pl.DataFrame(rows, schema=SCHEMA)
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"part-{time.time_ns()}-{uuid.uuid4().hex[:8]}.parquet"
        final = self.folder / name
        tmp = self.folder / f".{name}.tmp"
        try:
            frame.write_parquet(tmp)
            os.replace(tmp, final)
        except BaseException:
            with self._lock:  # keep them for the next flush
                self._pending[:0] = rows
            raise
        finally:
            if tmp.exists():
                tmp.unlink()
        self.shards_written += 1
        return len(rows)

    def compact(self) -> Path | None:
        """Merge every shard into one (newest answer per key); returns the new shard."""
        self.flush()
        shards = sorted(p for p in self.folder.glob("*.parquet") if not p.name.startswith("."))
        if len(shards) <= 1:
            return shards[0] if shards else None
        frame = (pl.concat([pl.read_parquet(p) for p in shards], how="vertical_relaxed")
                 .sort("created_at").unique("cache_key", keep="last", maintain_order=True))
        name = f"part-{time.time_ns()}-{uuid.uuid4().hex[:8]}.parquet"
        tmp = self.folder / f".{name}.tmp"
        frame.write_parquet(tmp)
        os.replace(tmp, self.folder / name)
        for p in shards:
            p.unlink()
        return self.folder / name
