"""Small builders of Dagster metadata shared by the stages: counts as Markdown, PNGs embedded in
Markdown (the UI shows them inline; a file path would only be text), readable table previews."""

from __future__ import annotations

import base64
import json
import math
import re
from pathlib import Path
from typing import Any

import dagster as dg
import polars as pl

PREVIEW_ROWS = 20
PREVIEW_CHARS = 400
FLOAT_DIGITS = 4


def markdown_table(frame: pl.DataFrame) -> str:
    """A Polars frame as a Markdown table (numbers right-aligned, nulls empty)."""
    head = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "|".join("---" if dtype == pl.String else "---:" for dtype in frame.dtypes) + "|"
    rows = ["| " + " | ".join("" if v is None else str(v) for v in row) + " |"
            for row in frame.iter_rows()]
    return "\n".join([head, rule, *rows])


def markdown_counts(counter: dict, header: str) -> str:
    """A two-column Markdown table of counts, largest first (e.g. reject reasons)."""
    lines = [f"| {header} | rows |", "|---|---:|"]
    lines += [f"| {key} | {count} |" for key, count in sorted(counter.items(), key=lambda kv: -kv[1])]
    return "\n".join(lines)


def png_markdown(png: bytes, alt: str = "plot") -> str:
    """A PNG inlined as a data URI in Markdown, so that the Dagster UI renders the image itself."""
    return f"![{alt}](data:image/png;base64,{base64.b64encode(png).decode()})"


def display_value(value: Any) -> Any:
    """A cell as a reader wants it: floats rounded, nested values as JSON with the accents kept
    (``café``, not ``caf\\u00e9``), long text cut."""
    if value is None:
        return ""
    if isinstance(value, float):
        return value if math.isnan(value) or math.isinf(value) else round(value, FLOAT_DIGITS)
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False, default=str)
    elif not isinstance(value, (int, bool, str)):
        value = str(value)
    if isinstance(value, str) and len(value) > PREVIEW_CHARS:
        value = value[:PREVIEW_CHARS] + "…"
    return value


def table_preview(frame: pl.DataFrame, schema: dg.TableSchema | None = None,
                  rows: int = PREVIEW_ROWS) -> dg.TableMetadataValue:
    """The first rows in the table's own order (every row of a small table), readable values."""
    head = frame.head(rows)
    records = [dg.TableRecord({k: display_value(v) for k, v in row.items()}) for row in head.to_dicts()]
    return dg.MetadataValue.table(records=records, schema=schema)


def embed_images(markdown: str, folder: Path) -> str:
    """Markdown written beside its PNGs (``![alt](plot.png)``) with each image that exists in
    `folder` inlined, so that the UI shows it instead of a broken relative link."""
    def inline(match: re.Match) -> str:
        path = folder / match.group(2)
        return png_markdown(path.read_bytes(), match.group(1)) if path.is_file() else match.group(0)

    return re.sub(r"!\[([^\]]*)\]\(([^):]+\.png)\)", inline, markdown)
