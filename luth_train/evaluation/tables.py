"""Per-sample rows as a Polars frame, and the paper's score table (models x benchmarks)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from luth_train.evaluation.registry import REGISTRY

SCORE_SCHEMA = {
    "model": pl.String,
    "benchmark": pl.String,
    "item_id": pl.String,
    "sample_id": pl.String,
    "prompt": pl.String,
    "response": pl.String,
    "choice_logliks": pl.List(pl.Float64),
    "extracted": pl.String,
    "correct": pl.Boolean,
    "details": pl.String,
}


def scores_frame(rows: Sequence[dict], model: str) -> pl.DataFrame:
    """The `gold/benchmark_scores` rows of one model x benchmark cell."""
    data = [{**{k: row.get(k) for k in SCORE_SCHEMA}, "model": model} for row in rows]
    return pl.DataFrame(data, schema=SCORE_SCHEMA)


def cell_scores(scores: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """model, benchmark, n, score (percent), stderr (percent) from per-sample rows."""
    lf = scores.lazy() if isinstance(scores, pl.DataFrame) else scores
    correct = pl.col("correct").cast(pl.Float64)
    return (
        lf.filter(pl.col("correct").is_not_null())
        .group_by("model", "benchmark")
        .agg(
            pl.len().alias("n"),
            (100 * correct.mean()).alias("score"),
            (100 * correct.std(ddof=1) / pl.len().cast(pl.Float64).sqrt()).alias("stderr"),
        )
        .sort("model", "benchmark")
        .collect()
    )


def score_table(
    scores: pl.DataFrame | pl.LazyFrame, models: Sequence[str], benchmarks: Sequence[str], base: str = "base"
) -> pl.DataFrame:
    """One row per model: a column per benchmark (percent), fr_average, en_average (means of the
    benchmarks scored in that language), fr_delta and en_delta (vs the `base` row)."""
    cells = cell_scores(scores)
    rows = []
    for model in models:
        mine = {b: s for b, s in cells.filter(pl.col("model") == model).select("benchmark", "score").rows()}
        if not mine:
            continue
        row: dict = {"model": model}
        row |= {b: (None if mine.get(b) is None else round(mine[b], 2)) for b in benchmarks}
        for lang in ("fr", "en"):
            values = [mine[b] for b in benchmarks if REGISTRY[b].language == lang and mine.get(b) is not None]
            row[f"{lang}_average"] = round(sum(values) / len(values), 2) if values else None
        rows.append(row)
    schema = (
        {"model": pl.String}
        | {b: pl.Float64 for b in benchmarks}
        | {"fr_average": pl.Float64, "en_average": pl.Float64}
    )
    table = pl.DataFrame(rows, schema=schema)
    base_row = table.filter(pl.col("model") == base)
    for lang in ("fr", "en"):
        ref = base_row[f"{lang}_average"][0] if base_row.height else None
        table = table.with_columns(
            (pl.col(f"{lang}_average") - ref).round(2).alias(f"{lang}_delta")
            if ref is not None
            else pl.lit(None, pl.Float64).alias(f"{lang}_delta")
        )
    return table


def to_markdown(table: pl.DataFrame) -> str:
    cols = table.columns
    lines = [
        "| " + " | ".join(cols) + " |",
        "|" + "|".join("---" if c == "model" else "---:" for c in cols) + "|",
    ]
    for row in table.iter_rows():
        cells = [
            (
                "–"
                if v is None
                else (f"{v:+.2f}" if c.endswith("_delta") else f"{v:.2f}" if isinstance(v, float) else str(v))
            )
            for c, v in zip(cols, row, strict=True)
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot_score_table(table: pl.DataFrame, path: str | Path) -> Path:
    """French and English averages per model, as grouped bars (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    models = table["model"].to_list()
    fr = [v or 0.0 for v in table["fr_average"].to_list()]
    en = [v or 0.0 for v in table["en_average"].to_list()]
    fig, ax = plt.subplots(figsize=(max(4, 1.2 * len(models) + 2), 3.5))
    xs = range(len(models))
    ax.bar([x - 0.2 for x in xs], fr, width=0.4, label="French average")
    ax.bar([x + 0.2 for x in xs], en, width=0.4, label="English average")
    ax.set_xticks(list(xs), models, rotation=20, ha="right")
    ax.set_ylabel("score (%)")
    ax.set_title("Luth evaluation: French vs English")
    ax.legend()
    fig.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out
