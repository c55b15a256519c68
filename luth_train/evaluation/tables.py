"""Per-sample rows as a Polars frame, and the paper's score table (models x benchmarks), with
the runs' standard deviations, the loss-based view and the published scores beside ours."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import polars as pl

from luth_train.evaluation.published import published_rows, reference_for
from luth_train.evaluation.registry import LANGUAGE_LOSS_NAMES, REGISTRY

SCORE_SCHEMA = {
    "model": pl.String,
    "benchmark": pl.String,
    "item_id": pl.String,
    "sample_id": pl.String,
    "run": pl.Int64,
    "prompt": pl.String,
    "response": pl.String,
    "choice_logliks": pl.List(pl.Float64),
    "extracted": pl.String,
    "correct": pl.Boolean,
    "loss": pl.Float64,  # language_loss_* rows: mean token loss of the text
    "n_tokens": pl.Int64,  # language_loss_* rows: tokens scored
    "details": pl.String,
}


def scores_frame(rows: Sequence[dict], model: str) -> pl.DataFrame:
    """The `gold/benchmark_scores` rows of one model x benchmark cell."""
    data = [{**{k: row.get(k) for k in SCORE_SCHEMA}, "model": model} for row in rows]
    for d in data:
        d["run"] = d["run"] or 0
    return pl.DataFrame(data, schema=SCORE_SCHEMA)


def _variant_columns(lf: pl.LazyFrame) -> pl.LazyFrame:
    """`subject` (MMLU-EN rows: averaged per subject first) and, for MATH rows carrying both
    verdicts, `alt_name` / `alt_correct`: the scoring not reported and its verdict."""
    field = lambda key: pl.col("details").str.json_path_match(f"$.{key}")  # noqa: E731
    scoring = field("math_scoring")
    alt_name = pl.when(scoring == "authors").then(pl.lit("corrected")).when(scoring == "corrected")
    alt_name = alt_name.then(pl.lit("authors"))
    alt = pl.when(scoring == "authors").then(field("corrected")).otherwise(field("authors"))
    return lf.with_columns(
        subject=field("subject"), alt_name=alt_name, alt_correct=(alt == "true").cast(pl.Float64)
    )


def run_scores(scores: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """model, benchmark, run, n, score: percent correct per run (MMLU-EN: the mean of its subject
    accuracies, lighteval's `mmlu:_average`), item_score (percent over items), alt_name /
    alt_score (MATH-500: the other scoring); for `language_loss_*` the token-weighted mean loss
    (nats per token)."""
    lf = scores.lazy() if isinstance(scores, pl.DataFrame) else scores
    names = lf.collect_schema().names()
    if "run" not in names:
        lf = lf.with_columns(run=pl.lit(0, pl.Int64))
    for col in ("loss", "n_tokens", "details"):
        if col not in names:
            lf = lf.with_columns(pl.lit(None, SCORE_SCHEMA[col]).alias(col))
    lf = _variant_columns(lf)
    is_loss = pl.col("benchmark").is_in(list(LANGUAGE_LOSS_NAMES))
    correct = pl.col("correct").cast(pl.Float64)
    weighted = (pl.col("loss") * pl.col("n_tokens")).sum() / pl.col("n_tokens").sum()
    kept = lf.filter(
        pl.when(is_loss).then(pl.col("loss").is_not_null()).otherwise(pl.col("correct").is_not_null())
    )
    keys = ["model", "benchmark", "run"]
    by_subject = (
        kept.filter(pl.col("subject").is_not_null())
        .group_by(*keys, "subject")
        .agg(correct.mean().alias("subject_acc"))
        .group_by(*keys)
        .agg((100 * pl.col("subject_acc").mean()).alias("subject_score"))
    )
    per_run = (
        kept.group_by(*keys)
        .agg(
            pl.len().alias("n"),
            pl.when(is_loss.first()).then(weighted).otherwise(100 * correct.mean()).alias("item_score"),
            (100 * correct.std(ddof=1) / pl.len().cast(pl.Float64).sqrt()).alias("stderr"),
            pl.col("alt_name").drop_nulls().first().alias("alt_name"),
            (100 * pl.col("alt_correct").filter(pl.col("alt_name").is_not_null()).mean()).alias("alt_score"),
        )
        .join(by_subject, on=keys, how="left")
        .with_columns(score=pl.coalesce("subject_score", "item_score"))
    )
    columns = [*keys, "n", "score", "stderr", "item_score", "alt_name", "alt_score"]
    return per_run.select(columns).sort(*keys).collect()


def cell_scores(scores: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """model, benchmark, n, runs, score (mean over runs), std (over runs, numpy's ddof=0 as the
    authors print it), stderr (first run's per-item standard error), item_score, alt_name,
    alt_score (means over runs)."""
    per_run = run_scores(scores)
    return (
        per_run.group_by("model", "benchmark")
        .agg(
            pl.col("n").first(),
            pl.len().alias("runs"),
            pl.col("score").mean().alias("score"),
            pl.col("score").std(ddof=0).alias("std"),
            pl.col("stderr").first(),
            pl.col("item_score").mean().alias("item_score"),
            pl.col("alt_name").drop_nulls().first().alias("alt_name"),
            pl.col("alt_score").mean().alias("alt_score"),
        )
        .sort("model", "benchmark")
    )


def _is_accuracy(name: str) -> bool:
    return name in REGISTRY


def score_table(
    scores: pl.DataFrame | pl.LazyFrame,
    models: Sequence[str],
    benchmarks: Sequence[str],
    base: str = "base",
    identities: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """One row per model (`kind` = ours): a column per benchmark (percent, mean over runs; a
    `language_loss_*` column is a mean token loss; MMLU-EN the subject average), the variant
    columns (`mmlu_en_item_mean`, `math500_*_corrected`), `<benchmark>_std` over runs when a model has
    more than one run, fr_average and en_average (means of the accuracy benchmarks of that
    language), fr_delta and en_delta (vs the `base` row). With `identities` (model -> hub id or
    path; `base` the base's), a `published` row per recognised published model and source, and
    a `difference` row (ours - published) per model compared with it and source; the `source`
    column names where a published number was read (`published.py`; null on our rows)."""
    cells = cell_scores(scores)
    multi_run = bool(cells.height) and int(cells["runs"].max()) > 1
    accuracy = [b for b in benchmarks if _is_accuracy(b)]
    rows = []
    extras: dict[str, None] = {}  # variant columns met, in order
    for model in models:
        mine = cells.filter(pl.col("model") == model)
        if not mine.height:
            continue
        score = dict(zip(mine["benchmark"].to_list(), mine["score"].to_list(), strict=True))
        std = dict(zip(mine["benchmark"].to_list(), mine["std"].to_list(), strict=True))
        row: dict = {"model": model, "kind": "ours", "source": None}
        for b in benchmarks:
            digits = 4 if b in LANGUAGE_LOSS_NAMES else 2
            row[b] = None if score.get(b) is None else round(score[b], digits)
            if multi_run and _is_accuracy(b):
                row[f"{b}_std"] = None if std.get(b) is None else round(std[b], 2)
        row |= _variant_cells(mine.filter(pl.col("benchmark").is_in(list(benchmarks))), extras)
        rows.append(row | _averages(score, accuracy))
    rows += _published_rows(rows, accuracy, identities or {}, base)
    schema = {"model": pl.String, "kind": pl.String} | {b: pl.Float64 for b in benchmarks}
    schema |= {column: pl.Float64 for column in extras}
    if multi_run:
        schema |= {f"{b}_std": pl.Float64 for b in accuracy}
    schema |= {"fr_average": pl.Float64, "en_average": pl.Float64, "source": pl.String}
    table = pl.DataFrame(rows, schema=schema)
    base_row = table.filter((pl.col("model") == base) & (pl.col("kind") == "ours"))
    for lang in ("fr", "en"):
        ref = base_row[f"{lang}_average"][0] if base_row.height else None
        delta = (pl.col(f"{lang}_average") - ref).round(2) if ref is not None else pl.lit(None, pl.Float64)
        table = table.with_columns(
            pl.when(pl.col("kind") == "difference").then(None).otherwise(delta).alias(f"{lang}_delta")
        )
    return table.select([c for c in table.columns if c != "source"] + ["source"])


def _variant_cells(cells: pl.DataFrame, extras: dict[str, None]) -> dict:
    """The columns beside a benchmark's: `mmlu_en_item_mean` (the mean over items, where the
    benchmark column is the subject average) and `math500_*_corrected` (or `_authors`: the MATH
    scoring not reported). Adds each column met to `extras`."""
    out = {}
    for r in cells.iter_rows(named=True):
        if r["benchmark"] == "mmlu_en" and r["item_score"] is not None:
            out["mmlu_en_item_mean"] = round(r["item_score"], 2)
        if r["alt_name"] is not None and r["alt_score"] is not None:
            out[f"{r['benchmark']}_{r['alt_name']}"] = round(r["alt_score"], 2)
    extras.update(dict.fromkeys(out))
    return out


def _averages(score: Mapping[str, float | None], accuracy: Sequence[str]) -> dict:
    out = {}
    for lang in ("fr", "en"):
        values = [score[b] for b in accuracy if REGISTRY[b].language == lang and score.get(b) is not None]
        out[f"{lang}_average"] = round(sum(values) / len(values), 2) if values else None
    return out


def _complete_averages(score: Mapping[str, float | None], accuracy: Sequence[str]) -> dict:
    """Averages of a published row only where the source gives every benchmark of that language
    (one number is not an average)."""
    out = _averages(score, accuracy)
    for lang in ("fr", "en"):
        if any(REGISTRY[b].language == lang and score.get(b) is None for b in accuracy):
            out[f"{lang}_average"] = None
    return out


def _published_rows(
    ours: list[dict], accuracy: Sequence[str], identities: Mapping[str, str], base: str
) -> list[dict]:
    """One `published` row per (reference model, source), one `difference` row per (our model,
    source): the sources disagree, so each is shown, never merged."""
    published: dict[str, dict] = {}
    differences = []
    for row in ours:
        ref = reference_for(identities.get(row["model"]), identities.get(base))
        if ref is None:
            continue
        for source, pub in published_rows(ref, accuracy):
            label = f"{ref.name} ({source.key})"
            published.setdefault(label, {"model": label, "kind": "published", "source": source.key,
                                         **pub, **_complete_averages(pub, accuracy)})
            diff = {
                b: round(row[b] - pub[b], 2) if row.get(b) is not None and pub[b] is not None else None
                for b in accuracy
            }
            differences.append({"model": f"{row['model']} - {label}", "kind": "difference",
                                "source": source.key, **diff})
    return list(published.values()) + differences


def to_markdown(table: pl.DataFrame) -> str:
    cols = table.columns
    lines = [
        "| " + " | ".join(cols) + " |",
        "|" + "|".join("---" if c in ("model", "kind", "source") else "---:" for c in cols) + "|",
    ]
    for row in table.iter_rows():
        cells = [
            (
                "–"
                if v is None
                else (
                    f"{v:+.2f}"
                    if c.endswith("_delta")
                    else f"{v:.4f}"
                    if c.startswith("language_loss")
                    else f"{v:.2f}"
                    if isinstance(v, float)
                    else str(v)
                )
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

    table = table.filter(pl.col("kind") != "difference") if "kind" in table.columns else table
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


def plot_language_losses(ax, table: pl.DataFrame, highlight: str | None = None) -> bool:
    """Scatter of each model's English vs French mean token loss on held-out text (the paper's
    mechanism: fine-tuning on French lowers the French loss and raises the English one; merges
    lie between). Returns False (nothing drawn) when the table has no loss columns."""
    need = {"model", *LANGUAGE_LOSS_NAMES}
    if not need <= set(table.columns):
        return False
    rows = table.filter(pl.col("language_loss_fr").is_not_null() & pl.col("language_loss_en").is_not_null())
    if "kind" in rows.columns:
        rows = rows.filter(pl.col("kind") == "ours")
    if rows.is_empty():
        return False
    for r in rows.iter_rows(named=True):
        colour = {"base": "tab:gray", "sft": "tab:orange"}.get(r["model"], "tab:blue")
        edge = "tab:red" if r["model"] == highlight else colour
        ax.scatter([r["language_loss_fr"]], [r["language_loss_en"]], c=colour, edgecolors=edge, linewidths=2)
        ax.annotate(
            r["model"],
            (r["language_loss_fr"], r["language_loss_en"]),
            fontsize=7,
            xytext=(3, 3),
            textcoords="offset points",
        )
    ax.set_xlabel("French loss (held-out, nats/token)")
    ax.set_ylabel("English loss (held-out, nats/token)")
    ax.set_title("Held-out loss: lower is better")
    return True
