"""The `ops/llm_calls` table: one row per LLM run of an asset materialisation (plain Python).

Every LLM asset (translation, regeneration, the two judges, the scholar stage's extractors)
records its :class:`~luth_assets.lib.llm.CallSummary` with :func:`record_llm_calls`, which
writes ONE small Parquet file ``<lake>/ops/llm_calls/<stage>-<run_id>-<ns>.parquet`` (atomic
rename). The table is the union of those files: append-only, so a re-materialisation adds a row
and never rewrites history, and two stages (or two processes) never write the same file. DuckDB
sees it as the view ``ops.llm_calls``; :func:`read_llm_calls` reads it with Polars. No file
holds a secret: a summary has counts, tokens, cost and times only.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any

import polars as pl

from luth_assets.lib import object_store
from luth_assets.lib.lake import is_local, local_path, read_table, table_parquet_files, write_parquet_atomic
from luth_assets.lib.llm import CallSummary

LLM_CALLS_TABLE = "ops/llm_calls"

LLM_CALLS_SCHEMA = {
    "recorded_at": pl.Float64, "run_id": pl.String, "asset": pl.String,
    "partition": pl.String, "stage": pl.String, "provider": pl.String, "model": pl.String,
    "rows": pl.Int64, "ok": pl.Int64, "rejected": pl.Int64, "requests": pl.Int64,
    "cache_hits": pl.Int64, "retries": pl.Int64, "repairs": pl.Int64,
    "failures_by_reason": pl.String, "errors_by_kind": pl.String,
    "input_tokens": pl.Int64, "output_tokens": pl.Int64,
    "cached_input_tokens": pl.Int64, "cached_output_tokens": pl.Int64,
    "estimated_cost_usd": pl.Float64, "price_known": pl.Boolean,
    "wall_seconds": pl.Float64, "started_at": pl.Float64,
}


def llm_calls_dir(lake_root: str | os.PathLike) -> Path:
    return local_path(lake_root) / LLM_CALLS_TABLE


def llm_calls_row(summary: CallSummary, *, asset: str, run_id: str,
                  partition: str | None = None) -> dict[str, Any]:
    row = summary.to_row()
    row.update(recorded_at=time.time(), run_id=run_id, asset=asset, partition=partition)
    return {name: row.get(name) for name in LLM_CALLS_SCHEMA}


def record_llm_calls(lake_root: str | os.PathLike, summary: CallSummary, *, asset: str,
                     run_id: str, partition: str | None = None) -> Path | str:
    """Append one row (this run's accounting) to `ops/llm_calls`; returns the file written."""
    row = llm_calls_row(summary, asset=asset, run_id=run_id, partition=partition)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{summary.stage}-{run_id}")
    name = f"{safe}-{time.time_ns()}.parquet"
    path = llm_calls_dir(lake_root) / name if is_local(lake_root) \
        else object_store.join(str(lake_root), LLM_CALLS_TABLE, name)
    write_parquet_atomic(pl.DataFrame([row], schema=LLM_CALLS_SCHEMA), path)
    return path


def read_llm_calls(lake_root: str | os.PathLike) -> pl.DataFrame:
    """Every recorded row, oldest first (empty frame with the schema when none)."""
    if not table_parquet_files(lake_root, LLM_CALLS_TABLE.split("/")):
        return pl.DataFrame(schema=LLM_CALLS_SCHEMA)
    return read_table(lake_root, LLM_CALLS_TABLE.split("/")).collect().sort("recorded_at")


def summary_metadata(summary: CallSummary, prefix: str = "llm") -> dict[str, Any]:
    """Flat metadata for a Dagster materialisation (plain values; no secret)."""
    return {
        f"{prefix}/provider": summary.provider, f"{prefix}/model": summary.model,
        f"{prefix}/rows": summary.rows, f"{prefix}/requests": summary.requests,
        f"{prefix}/cache_hits": summary.cache_hits, f"{prefix}/retries": summary.retries,
        f"{prefix}/repairs": summary.repairs,
        f"{prefix}/failures_by_reason": json.dumps(summary.failures_by_reason, sort_keys=True),
        f"{prefix}/input_tokens": summary.input_tokens,
        f"{prefix}/output_tokens": summary.output_tokens,
        f"{prefix}/estimated_cost_usd": summary.estimated_cost_usd,
        f"{prefix}/wall_seconds": summary.wall_seconds,
    }


def totals_by_stage(calls: pl.DataFrame) -> pl.DataFrame:
    """Per stage: runs, rows, requests, cache hits, tokens, cost (for the asset's metadata)."""
    return (calls.group_by("stage")
            .agg(pl.len().alias("runs"), pl.col("rows").sum(), pl.col("requests").sum(),
                 pl.col("cache_hits").sum(), pl.col("retries").sum(),
                 pl.col("input_tokens").sum(), pl.col("output_tokens").sum(),
                 pl.col("estimated_cost_usd").sum().round(6))
            .sort("stage"))
