"""Content-addressed cache of provider answers, in the lake under ``ops/llm_cache/``.

Each shard is a Parquet file written atomically (temporary name beside it, then
``os.replace``), one shard per batch of new answers, so a crash loses only the answers not yet
flushed (the calls in flight plus at most one batch, and the client flushes on cancel/error).
A lake root with a scheme (``s3://``, ``gs://``, ``memory://`` ...) goes through fsspec
(`universal_pathlib`): a shard is uploaded to a hidden staging key, then copied onto its final
key (`luth_assets.lib.object_store`), so a reader sees the whole shard or none of it; the
filesystem's own package (s3fs, gcsfs) must be installed.
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

from luth_assets.lib.lake import write_parquet_atomic
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
    """The cache folder of a lake: a local `Path`, or a `UPath` for a lake root with a scheme."""
    text = str(lake_root).removeprefix("file://")
    if "://" in text:
        from upath import UPath

        try:
            return UPath(text) / CACHE_TABLE
        except (ImportError, ValueError) as err:
            raise ValueError(f"cannot open the LLM cache at {text!r}: {err} (install the "
                             "fsspec filesystem for this scheme, e.g. s3fs or gcsfs)") from None
    return Path(text) / CACHE_TABLE


def _as_path(folder):
    if hasattr(folder, "protocol") and hasattr(folder, "glob"):   # a UPath already
        return folder
    text = str(folder).removeprefix("file://")
    if "://" in text:
        from upath import UPath

        return UPath(text)
    return Path(text)


def _is_local(folder) -> bool:
    return isinstance(folder, Path) and type(folder).__module__.startswith("pathlib")


def _shards(folder) -> list:
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.glob("*.parquet") if not p.name.startswith(".")),
                  key=lambda p: p.name)


def _read_shard(path, columns: list[str] | None = None) -> pl.DataFrame:
    if _is_local(path):
        return pl.read_parquet(path, columns=columns)
    with path.open("rb") as handle:
        return pl.read_parquet(handle, columns=columns)


def _write_shard(folder, frame: pl.DataFrame) -> None:
    """A new shard, atomically: local -> temporary file + os.replace; object store -> one PUT."""
    name = f"part-{time.time_ns()}-{uuid.uuid4().hex[:8]}.parquet"
    folder.mkdir(parents=True, exist_ok=True)
    if not _is_local(folder):  # staging key, then server-side copy (object_store)
        write_parquet_atomic(frame, str(folder / name))
        return
    final, tmp = folder / name, folder / f".{name}.tmp"
    try:
        frame.write_parquet(tmp)
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            tmp.unlink()


class LLMCache:
    def __init__(self, folder: str | os.PathLike, *, flush_rows: int = 256,
                 flush_seconds: float = 10.0):
        self.folder = _as_path(folder)
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
        shards = _shards(self.folder)
        if not shards:
            return
        frame = pl.concat(
            [_read_shard(p, columns=["cache_key", "text", "finish_reason", "input_tokens",
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

    def flush_due(self) -> bool:
        with self._lock:
            return bool(self._pending) and (
                len(self._pending) >= self.flush_rows
                or time.monotonic() - self._last_flush >= self.flush_seconds)

    def put(self, key: str, provider: str, model: str, request_json: str,
            response: ProviderResponse, *, autoflush: bool = True) -> None:
        """Remember an answer; with `autoflush`, write a shard here when one is due (the
        client passes False and flushes from a worker thread, off its event loop)."""
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
        if due and autoflush:
            self.flush()

    def take_pending(self) -> list[dict]:
        """Hand over the answers not yet written (for `write`, e.g. from a worker thread)."""
        with self._lock:
            rows, self._pending = self._pending, []
            self._last_flush = time.monotonic()
        return rows

    def flush(self) -> int:
        """Write pending answers as one new shard (atomically). Returns rows written."""
        return self.write(self.take_pending())

    def write(self, rows: list[dict]) -> int:
        """Write answers taken with `take_pending` as one new shard; on failure they go back
        to the pending list for the next flush."""
        if not rows:
            return 0
        frame = pl.DataFrame(rows, schema=SCHEMA)
        try:
            _write_shard(self.folder, frame)
        except BaseException:
            with self._lock:  # keep them for the next flush
                self._pending[:0] = rows
            raise
        self.shards_written += 1
        return len(rows)

    def compact(self) -> Path | None:
        """Merge every shard into one (newest answer per key); returns the new shard."""
        self.flush()
        shards = _shards(self.folder)
        if len(shards) <= 1:
            return shards[0] if shards else None
        frame = (pl.concat([_read_shard(p) for p in shards], how="vertical_relaxed")
                 .sort("created_at").unique("cache_key", keep="last", maintain_order=True))
        _write_shard(self.folder, frame)
        for p in shards:
            p.unlink()
        new = [p for p in _shards(self.folder) if p.name not in {s.name for s in shards}]
        return new[0] if new else None
