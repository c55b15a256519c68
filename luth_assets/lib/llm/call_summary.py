"""Accounting of a client run: `CallSummary` (a row of `ops/llm_calls`), cost estimates, and
`RunOutput` (the results in input order plus their summary)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from luth_assets.lib.llm.settings import ModelPrice
from luth_assets.lib.llm.types import LLMResult


class CallSummary(BaseModel):
    """Accounting of one run (one asset materialisation). Written as a row of `ops/llm_calls`
    and as Dagster metadata. Holds no secret."""

    model_config = ConfigDict(extra="forbid")

    stage: str
    provider: str
    model: str
    rows: int = 0
    ok: int = 0
    rejected: int = 0
    requests: int = Field(0, description="HTTP calls made (retries and repairs included)")
    cache_hits: int = Field(0, description="calls answered from the cache")
    retries: int = 0
    repairs: int = 0
    failures_by_reason: dict[str, int] = Field(default_factory=dict,
                                               description="rejected rows per reason")
    errors_by_kind: dict[str, int] = Field(default_factory=dict,
                                           description="failed calls per kind (incl. retried)")
    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = Field(0, description="tokens of cached answers (not paid again)")
    cached_output_tokens: int = 0
    estimated_cost_usd: float = 0.0
    price_known: bool = True
    wall_seconds: float = 0.0
    started_at: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.wall_seconds if self.wall_seconds > 0 else float("inf")

    def to_row(self) -> dict[str, Any]:
        """A flat row for the `ops/llm_calls` table (dicts as JSON text)."""
        row = self.model_dump()
        row["failures_by_reason"] = json.dumps(self.failures_by_reason, sort_keys=True)
        row["errors_by_kind"] = json.dumps(self.errors_by_kind, sort_keys=True)
        return row


def estimate_cost(model: str, prices: dict[str, ModelPrice], tin: int, tout: int
                  ) -> tuple[float, bool]:
    price = prices.get(model)
    if price is None:  # "models/gemini-2.5-flash-001" -> longest known prefix
        bare = model.removeprefix("models/")
        matches = [name for name in prices if bare.startswith(name)]
        price = prices[max(matches, key=len)] if matches else None
    if price is None:
        return 0.0, False
    return (tin * price.input_per_million + tout * price.output_per_million) / 1e6, True


@dataclass(repr=False)
class RunOutput:
    results: list[LLMResult]        # input order
    summary: CallSummary

    def __repr__(self) -> str:
        # short on purpose: asyncio reprs a finished task's result, and a full repr of 20,000
        # results took seconds
        s = self.summary
        return (f"RunOutput(stage={s.stage!r}, rows={s.rows}, ok={s.ok}, rejected={s.rejected}, "
                f"requests={s.requests}, cache_hits={s.cache_hits})")

    def by_id(self) -> dict[str, LLMResult]:
        return {r.sample_id: r for r in self.results}

    def to_frame(self):
        """Results as a Polars frame (structured answers as JSON text)."""
        import polars as pl

        rows = []
        for r in self.results:
            row = r.model_dump()
            row["parsed"] = None if r.parsed is None else json.dumps(r.parsed, ensure_ascii=False)
            rows.append(row)
        return pl.DataFrame(rows, schema=RESULT_SCHEMA)


def _result_schema():
    import polars as pl

    return {
        "sample_id": pl.String, "stage": pl.String, "status": pl.String, "reason": pl.String,
        "text": pl.String, "parsed": pl.String, "raw_text": pl.String, "error": pl.String,
        "provider": pl.String, "model": pl.String, "cache_key": pl.String,
        "cache_hit": pl.Boolean, "requests": pl.Int64, "retries": pl.Int64,
        "repaired": pl.Boolean, "input_tokens": pl.Int64, "output_tokens": pl.Int64,
        "finish_reason": pl.String,
    }


RESULT_SCHEMA = _result_schema()
