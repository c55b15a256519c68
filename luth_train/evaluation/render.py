"""The score table as a reader wants it: averages first, every row, best first, rounded.

Works on whatever columns the score table has (benchmarks, averages, deltas, losses, `num_runs`,
means and standard deviations, published reference rows): columns are ordered by what their
name says, not by a fixed list, so a new column shows up in its place without a change here.
"""

from __future__ import annotations

import polars as pl

# column name patterns, in display order after the text columns (model, kind, source, ...)
GROUPS = (
    ("average", lambda c: c.endswith("_average") or c in ("average", "mean_average")),
    ("delta", lambda c: c.endswith("_delta")),
    ("loss", lambda c: "loss" in c),
)
SORT_PREFERENCE = ("fr_average", "average", "en_average")


def display_columns(frame: pl.DataFrame) -> list[str]:
    """Text columns, then averages, deltas and losses, then every other column (benchmarks, run
    counts, standard deviations) in their table order."""
    text = [c for c, t in frame.schema.items() if not t.is_numeric()]
    numeric = [c for c in frame.columns if c not in text]
    ordered: list[str] = []
    for _, matches in GROUPS:
        ordered += [c for c in numeric if matches(c) and c not in ordered]
    return text + ordered + [c for c in numeric if c not in ordered]


def sort_column(frame: pl.DataFrame) -> str | None:
    for name in SORT_PREFERENCE:
        if name in frame.columns:
            return name
    averages = [c for c in frame.columns if c.endswith("_average")]
    return averages[0] if averages else None


def display_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every row, best first on the French average (or the first average there is; rows without
    one last), columns as :func:`display_columns` orders them."""
    key = sort_column(frame)
    out = frame.select(display_columns(frame))
    if key is not None:
        out = out.sort(key, descending=True, nulls_last=True, maintain_order=True)
    return out


def cell(column: str, value: object, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:+.{digits}f}" if column.endswith("_delta") else f"{value:.{digits}f}"
    return str(value)


def score_table_markdown(frame: pl.DataFrame, digits: int = 2) -> str:
    """Markdown of :func:`display_frame`: all rows, averages first, numbers right-aligned."""
    table = display_frame(frame)
    numeric = {c for c, t in table.schema.items() if t.is_numeric()}
    lines = ["| " + " | ".join(table.columns) + " |",
             "|" + "|".join("---:" if c in numeric else "---" for c in table.columns) + "|"]
    for row in table.iter_rows(named=True):
        lines.append("| " + " | ".join(cell(c, v, digits) for c, v in row.items()) + " |")
    return "\n".join(lines)
