"""The whole curation pass, as one plain function the asset wires up and tests call directly.

candidates -> chat schema check -> exact + near dedup -> decontamination -> token counts (max
length) -> split + weights. Each step's rejects carry the step (`stage`) and a `reason`; every
candidate row ends up exactly once in the mix (as copy 0) or in the rejects.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from luth_assets.lib.lake import write_parquet_atomic
from luth_assets.stages.curation.chat_schema import split_valid_chats
from luth_assets.stages.curation.decontaminate import BenchmarkIndex, find_contaminated
from luth_assets.stages.curation.dedup import DedupReport, find_duplicates
from luth_assets.stages.curation.mixing import mix
from luth_assets.stages.curation.settings import CurationConfig
from luth_assets.stages.curation.tokens import count_tokens

MIX_COLUMNS = ("sample_id", "subset", "source", "subject", "messages", "n_tokens", "split", "copy")
REJECT_DETAIL = {"duplicate_of": pl.String, "similarity": pl.Float64, "benchmark": pl.String,
                 "benchmark_item_id": pl.String, "benchmark_field": pl.String,
                 "matched_ngrams": pl.Int64, "n_tokens": pl.Int64}


@dataclass
class CurationResult:
    mix: pl.DataFrame
    rejects: pl.DataFrame
    input_rows: int
    dedup: DedupReport
    steps: list[dict[str, Any]] = field(default_factory=list)  # step, input, kept, rejected


def _rejects(candidates: pl.LazyFrame, detail: pl.DataFrame, stage: str) -> pl.DataFrame:
    detail = detail.with_columns(pl.lit(stage).alias("stage"))
    for name, dtype in REJECT_DETAIL.items():
        if name not in detail.columns:
            detail = detail.with_columns(pl.lit(None, dtype=dtype).alias(name))
    rows = candidates.join(detail.lazy(), on="sample_id", how="inner").collect()
    return rows.select("sample_id", "subset", "source", "subject", "messages", "stage", "reason",
                       *REJECT_DETAIL)


def _temporary_file(name: str) -> Path:
    handle, path = tempfile.mkstemp(prefix=f"{name}-", suffix=".parquet")
    os.close(handle)
    return Path(path)


def build_sft_mix(candidates: pl.LazyFrame, index: BenchmarkIndex, cfg: CurationConfig,
                  tokenizer: Any, log: Callable[[str], None] = lambda _: None,
                  staging: Callable[[str], Path] = _temporary_file) -> CurationResult:
    """`candidates`: ``sample_id, subset, source, subject, messages`` (unique sample_ids).
    `staging(name)` gives a path for an intermediate Parquet file (the lake's `.staging/`)."""
    steps: list[dict[str, Any]] = []
    rejects: list[pl.DataFrame] = []
    total = candidates.select(pl.len()).collect().item()

    def step(name: str, before: int, rejected: pl.DataFrame) -> int:
        steps.append({"step": name, "input": before, "kept": before - rejected.height,
                      "rejected": rejected.height})
        rejects.append(rejected)
        log(f"{name}: kept {before - rejected.height} of {before}")
        return before - rejected.height

    valid, invalid = split_valid_chats(candidates)
    invalid_rows = invalid.collect()
    remaining = step("chat_schema", total, _rejects(
        candidates, invalid_rows.select("sample_id", "reason"), "chat_schema"))
    # a plain Parquet file, so that dedup and decontamination read it in cheap slices
    valid_path = staging("sft_mix-valid")
    valid.sink_parquet(valid_path, row_group_size=cfg.batch_size)
    valid = pl.scan_parquet(valid_path)

    duplicates, dedup_report = find_duplicates(valid, cfg.dedup, cfg.batch_size, log)
    remaining = step("dedup", remaining, _rejects(candidates, duplicates, "dedup"))

    contaminated = find_contaminated(valid, index, cfg.batch_size, log,
                                     exclude=duplicates["sample_id"]).with_columns(
        pl.lit("contaminated").alias("reason"))
    remaining = step("decontamination", remaining,
                     _rejects(candidates, contaminated, "decontamination"))
    dropped_ids = pl.concat([duplicates["sample_id"], contaminated["sample_id"]])
    clean = valid.join(dropped_ids.to_frame().lazy(), on="sample_id", how="anti").collect()
    valid_path.unlink(missing_ok=True)

    counts = count_tokens(tokenizer, clean["messages"].to_list(), log=log)
    clean = clean.with_columns(pl.Series("n_tokens", counts, dtype=pl.Int64))
    too_long = clean.filter(pl.col("n_tokens") > cfg.max_tokens)
    remaining = step("tokens", remaining, _rejects(
        candidates, too_long.select("sample_id", "n_tokens",
                                    pl.lit("too_long").alias("reason")), "tokens"))
    clean = clean.filter(pl.col("n_tokens") <= cfg.max_tokens)

    mixed, dropped = mix(clean, cfg.mixing)
    step("mixing", remaining, _rejects(
        candidates, dropped.select("sample_id", "reason", "n_tokens"), "mixing"))
    reject_frame = pl.concat(rejects, how="vertical_relaxed").sort("stage", "sample_id")
    return CurationResult(mix=mixed.select(MIX_COLUMNS), rejects=reject_frame, input_rows=total,
                          dedup=dedup_report, steps=steps)


def write_dataset_folder(mix: pl.DataFrame, folder: Path | str) -> dict[str, str]:
    """`train.parquet` and `validation.parquet`, readable by `datasets.load_dataset("parquet")`;
    `folder` is a local folder or an object-store URI."""
    paths = {}
    for split in ("train", "validation"):
        path = f"{str(folder).rstrip('/')}/{split}.parquet"
        write_parquet_atomic(mix.filter(pl.col("split") == split), path)
        paths[split] = path
    return paths
