"""input = kept + rejected, each input row exactly once: the reconciliation every filter checks."""

from __future__ import annotations

import polars as pl


def reconcile(input_ids: pl.LazyFrame, kept_ids: pl.LazyFrame, rejected_ids: pl.LazyFrame
              ) -> dict[str, int | bool]:
    """Each frame has one column `id`. Returns counts and `passed`: every input id lands once in
    kept or rejected, none twice, none from nowhere."""
    out_ids = pl.concat([kept_ids, rejected_ids])
    n_in = input_ids.select(pl.len()).collect().item()
    n_kept = kept_ids.select(pl.len()).collect().item()
    n_rej = rejected_ids.select(pl.len()).collect().item()
    missing = input_ids.join(out_ids, on="id", how="anti").select(pl.len()).collect().item()
    unknown = out_ids.join(input_ids, on="id", how="anti").select(pl.len()).collect().item()
    duplicated = (out_ids.group_by("id").len().filter(pl.col("len") > 1)
                  .select(pl.len()).collect().item())
    return {
        "passed": n_in == n_kept + n_rej and missing == 0 and unknown == 0 and duplicated == 0,
        "input_rows": n_in, "kept_rows": n_kept, "rejected_rows": n_rej,
        "missing_ids": missing, "unknown_ids": unknown, "duplicated_ids": duplicated,
    }


def ids(frame: pl.LazyFrame | pl.DataFrame, column: str = "sample_id") -> pl.LazyFrame:
    return frame.lazy().select(pl.col(column).alias("id"))
