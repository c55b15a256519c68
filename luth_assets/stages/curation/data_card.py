"""The data card of the SFT mix: Markdown (the paper's table of subsets, Scholar subjects,
reject reasons, parameters) and a PNG of the token-length distribution."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from luth_assets.lib.lid_cascade import language_id_credits
from luth_assets.lib.metadata import markdown_table
from luth_assets.stages.curation.build_mix import CurationResult


def markdown_or_none(frame: pl.DataFrame) -> str:
    return markdown_table(frame) if frame.height else "none"


def composition(mix: pl.DataFrame) -> pl.DataFrame:
    """Rows and tokens per subset and split (train counts include weighted copies)."""
    total_tokens = max(1, int(mix["n_tokens"].sum() or 0))
    return (mix.group_by("subset").agg(
        pl.col("sample_id").filter(pl.col("copy") == 0).n_unique().alias("distinct_rows"),
        (pl.col("split") == "train").sum().alias("train_rows"),
        (pl.col("split") == "validation").sum().alias("validation_rows"),
        pl.col("n_tokens").sum().alias("tokens"),
        pl.col("n_tokens").median().round(1).alias("median_tokens"))
        .with_columns((pl.col("tokens") / total_tokens * 100).round(1).alias("token_share_pct"))
        .sort("subset"))


def scholar_subjects(mix: pl.DataFrame) -> pl.DataFrame:
    scholar = mix.filter((pl.col("subset") == "scholar") & (pl.col("copy") == 0))
    total = max(1, scholar.height)
    return (scholar.group_by(pl.col("subject").fill_null("unknown")).len("rows")
            .with_columns((pl.col("rows") / total * 100).round(1).alias("share_pct"))
            .sort("rows", "subject", descending=[True, False]))


def reject_reasons(rejects: pl.DataFrame) -> pl.DataFrame:
    return (rejects.group_by("stage", "reason").len("rows")
            .sort("stage", "rows", descending=[False, True]))


def render_data_card(result: CurationResult, params: dict[str, Any], plot_name: str | None,
                     language_id_backend: str = "cascade") -> str:
    mix = result.mix
    lengths = mix["n_tokens"]
    parts = [
        "# SFT mix data card", "",
        f"{result.input_rows} candidate rows -> {mix.filter(pl.col('copy') == 0).height} distinct "
        f"rows in the mix ({mix.height} with weighted copies), {result.rejects.height} rejected.",
        "", "## Subsets", "", markdown_table(composition(mix)), "",
        "## Funnel", "", markdown_table(pl.DataFrame(result.steps)), "",
        "## Reject reasons", "", markdown_or_none(reject_reasons(result.rejects)), "",
    ]
    subjects = scholar_subjects(mix)
    parts += ["## Scholar subjects", "", markdown_table(subjects) if subjects.height else "no Scholar rows",
              ""]
    if mix.height:
        parts += ["## Token lengths", "",
                  f"min {lengths.min()}, median {lengths.median()}, "
                  f"p95 {lengths.quantile(0.95)}, max {lengths.max()} tokens (chat template "
                  "applied, base tokenizer).", ""]
    if plot_name:
        parts += [f"![token lengths]({plot_name})", ""]
    d = result.dedup
    parts += ["## Parameters", "",
              f"- exact dedup: normalised text (NFKC, case, punctuation, whitespace); "
              f"{d.exact_duplicates} removed",
              f"- near dedup: MinHash LSH, Jaccard threshold {d.threshold}, {d.num_perm} "
              f"permutations, {d.bands} bands x {d.rows_per_band} rows; {d.candidate_pairs} "
              f"candidate pairs, {d.verified_pairs} verified; {d.near_duplicates} removed"]
    parts += [f"- {key}: {value}" for key, value in params.items()]
    parts += ["", "## Language identification (sources stage)", "",
              *language_id_credits(language_id_backend)]
    return "\n".join(parts) + "\n"


def plot_token_lengths(mix: pl.DataFrame, path: Path) -> Path:
    """Histogram of tokens per row (train and validation, copies included), one colour a subset."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
    subsets = sorted(mix["subset"].unique().to_list())
    values = [mix.filter(pl.col("subset") == s)["n_tokens"].to_list() for s in subsets]
    if any(values):
        ax.hist(values, bins=40, stacked=True, label=subsets)
        ax.legend()
    ax.set_xlabel("tokens per row (chat template applied)")
    ax.set_ylabel("rows")
    ax.set_title("SFT mix: token-length distribution")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def hf_feature(dtype: pl.DataType) -> object:
    """A polars type as a `datasets` feature in a card's `dataset_info.features`."""
    if isinstance(dtype, pl.List):
        inner = dtype.inner
        if isinstance(inner, pl.Struct):
            return {"list": [{"name": f.name, **as_dtype(f.dtype)} for f in inner.fields]}
        return {"sequence": hf_feature(inner) if isinstance(inner, pl.List) else as_dtype(inner)["dtype"]}
    return as_dtype(dtype)["dtype"]


def as_dtype(dtype: pl.DataType) -> dict:
    names = {pl.String: "string", pl.Int64: "int64", pl.Int32: "int32", pl.Float64: "float64",
             pl.Float32: "float32", pl.Boolean: "bool", pl.UInt32: "uint32", pl.UInt64: "uint64"}
    return {"dtype": names.get(dtype.base_type(), str(dtype).lower())}


SIZE_CATEGORIES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
                   (1_000_000, "100K<n<1M"), (10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M"),
                   (1_000_000_000, "100M<n<1B"))
HUB_ID_PLACEHOLDER = "<user>/luth-sft"  # shown when neither curation.hub_id nor push_to_hub is set


def size_category(rows: int) -> str:
    """The hub's `size_categories` bucket of a dataset of `rows` rows."""
    return next((label for limit, label in SIZE_CATEGORIES if rows < limit), "n>1B")


def dataset_card(mix: pl.DataFrame, steps: list[dict], licenses: dict[str, str | None],
                 hub_id: str | None = None) -> str:
    """README.md of `gold/sft_mix_dataset/`: YAML front matter (`configs` with the two splits,
    features, splits with their bytes, size category, licence), how to load it from the hub
    (`hub_id`, else a placeholder to replace), the sources with their licence, the composition
    and the funnel."""
    from luth_train.cards import front_matter

    sources = (mix.filter(pl.col("copy") == 0).group_by("subset", "source").len("rows")
               .sort("subset", "source"))
    known = {lic for lic in licenses.values() if lic}
    splits = {s: mix.filter(pl.col("split") == s) for s in ("train", "validation")}
    split_bytes = {s: int(frame.to_arrow().nbytes) for s, frame in splits.items()}
    meta = {
        "pretty_name": "Luth SFT mix",
        "language": ["fr", "en"],
        "license": known.pop().lower() if len(known) == 1 and all(licenses.values()) else "other",
        "size_categories": [size_category(mix.height)],
        "task_categories": ["text-generation"],
        "tags": ["luth", "sft", "french"],
        "configs": [{"config_name": "default", "data_files": [
            {"split": "train", "path": "train.parquet"},
            {"split": "validation", "path": "validation.parquet"}]}],
        "dataset_info": {
            "features": [{"name": c, **({"dtype": f} if isinstance(f, str) else f)}
                         for c, f in ((c, hf_feature(t)) for c, t in mix.schema.items())],
            "splits": [{"name": s, "num_bytes": split_bytes[s], "num_examples": frame.height}
                       for s, frame in splits.items()],
            "dataset_size": sum(split_bytes.values())},
    }
    comments = [] if hub_id else ["not on the hub yet: set curation.hub_id or curation.push_to_hub"]
    rows = ["| subset | source | rows | licence |", "|---|---|---:|---|"]
    rows += [f"| {subset} | {source} | {n} | {licenses.get(source) or 'unknown (set `license:`)'} |"
             for subset, source, n in sources.iter_rows()]
    load = (f"```python\nfrom datasets import load_dataset\n\n"
            f"mix = load_dataset(\"{hub_id or HUB_ID_PLACEHOLDER}\")  # splits: train, validation\n```\n")
    where = ("" if hub_id else "Replace `" + HUB_ID_PLACEHOLDER + "` with the repo it was pushed to "
             "(`curation.push_to_hub`). ")
    return (front_matter(meta, comments) + "\n# Luth SFT mix\n\n"
            "French instruction data curated by the Luth lakehouse (arXiv 2510.05846): gathered "
            "French conversations, translated and regenerated prompts, and Scholar exam "
            "questions, deduplicated and decontaminated against every benchmark.\n\n"
            "## Load it\n\n" + load + "\n" + where + "Before it is pushed, the folder itself "
            "loads the same way: `load_dataset(\"gold/sft_mix_dataset\")` from the lake's root.\n\n"
            "## Sources and licences\n\n" + "\n".join(rows) + "\n\n"
            "## Composition\n\n" + markdown_table(composition(mix)) + "\n\n"
            "## Funnel\n\n" + markdown_table(pl.DataFrame(steps)) + "\n")
