"""Train/validation split and per-subset weighting, deterministic by seed.

- **Split**: within each subset, rows are ordered by a stable hash of ``seed:sample_id`` and the
  first ``round(validation_share * n)`` (at least one when the share is positive and the subset
  has two rows or more) go to validation. Validation rows are never weighted.
- **Weights**: a train row of a subset with weight ``w`` appears ``floor(w)`` times, plus once more
  for a seeded ``frac(w)`` share of the subset's rows. Weight 0.5 keeps half the rows; the other
  half is rejected ``downsampled``. Copies carry ``copy`` 1, 2, ... (the row itself is copy 0).
- **Caps**: at most ``cap`` train rows (copies included) per subset; extra copies go first, then
  rows (rejected ``over_cap``).
"""

from __future__ import annotations

import hashlib

import polars as pl

from luth_assets.stages.curation.settings import MixingConfig, SubsetMixConfig


def stable_order(sample_ids: pl.Series, seed: int) -> pl.Series:
    """A 64-bit key per sample_id that does not depend on the library version or the machine."""
    return pl.Series([int.from_bytes(hashlib.blake2b(f"{seed}:{s}".encode(), digest_size=8)
                                     .digest(), "big") for s in sample_ids.to_list()],
                     dtype=pl.UInt64)


def assign_split(rows: pl.DataFrame, share: float, seed: int) -> pl.DataFrame:
    """Add ``split`` (train | validation), stratified by subset."""
    ordered = rows.with_columns(stable_order(rows["sample_id"], seed).alias("_order"))
    position = pl.col("_order").rank("ordinal").over("subset") - 1
    size = pl.len().over("subset")
    wanted = (size * share).round().cast(pl.Int64)
    wanted = pl.when((share > 0) & (size >= 2)).then(pl.max_horizontal(wanted, 1)).otherwise(
        wanted)
    return ordered.with_columns(
        pl.when(position < wanted).then(pl.lit("validation")).otherwise(pl.lit("train"))
        .alias("split")).drop("_order")


def _copies(rows: pl.DataFrame, rule: SubsetMixConfig, seed: int) -> pl.DataFrame:
    whole = int(rule.weight)
    extra = round((rule.weight - whole) * rows.height)
    ordered = (rows.with_columns(stable_order(rows["sample_id"], seed + 1).alias("_order"))
               .sort("_order").with_row_index("_position"))
    return ordered.with_columns(
        (pl.lit(whole) + (pl.col("_position") < extra).cast(pl.Int64)).alias("_copies"))


def apply_weights(train: pl.DataFrame, cfg: MixingConfig) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(weighted train rows with ``copy``, rows rejected ``downsampled`` / ``over_cap``)."""
    kept, rejected = [], []
    for subset in sorted(train["subset"].unique().to_list()):
        rule = cfg.subsets.get(subset, SubsetMixConfig())
        rows = _copies(train.filter(pl.col("subset") == subset), rule, cfg.seed)
        expanded = (rows.filter(pl.col("_copies") > 0)
                    .with_columns(pl.int_ranges(0, pl.col("_copies")).alias("copy"))
                    .explode("copy").sort("copy", "_position"))
        if rule.cap is not None:
            expanded = expanded.head(rule.cap)
        kept.append(expanded.drop("_order", "_position", "_copies").with_columns(
            pl.col("copy").cast(pl.Int64)))
        survivors = expanded.select("sample_id").unique()
        lost = rows.join(survivors, on="sample_id", how="anti")
        rejected.append(lost.with_columns(
            pl.when(pl.col("_copies") == 0).then(pl.lit("downsampled"))
            .otherwise(pl.lit("over_cap")).alias("reason"))
            .drop("_order", "_position", "_copies"))
    schema_kept = train.with_columns(pl.lit(0, dtype=pl.Int64).alias("copy")).clear()
    return (pl.concat([schema_kept, *kept], how="vertical_relaxed"),
            pl.concat([train.with_columns(pl.lit("", dtype=pl.String).alias("reason")).clear(),
                       *rejected], how="vertical_relaxed"))


def mix(rows: pl.DataFrame, cfg: MixingConfig) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split, then weight the train rows: (mix rows with split and copy, rejected rows)."""
    split = assign_split(rows, cfg.validation_share, cfg.seed)
    validation = split.filter(pl.col("split") == "validation").with_columns(
        pl.lit(0, dtype=pl.Int64).alias("copy"))
    train, rejected = apply_weights(split.filter(pl.col("split") == "train"), cfg)
    mixed = pl.concat([train, validation], how="vertical_relaxed").sort("split", "subset",
                                                                         "sample_id", "copy")
    return mixed, rejected.drop("split")
