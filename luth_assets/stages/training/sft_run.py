"""Everything the `sft_checkpoint` asset decides before launching: the resolved training config,
the rows file, the fingerprint, and whether the existing checkpoint already matches it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from luth_assets.stages.training.checkpoints import base_model_identity, fingerprint, rows_digest
from luth_assets.stages.training.settings import TrainingConfig

CODE_VERSION = "1"  # bump when luth_train.sft changes what a run produces
ROW_COLUMNS = ["sample_id", "messages", "split"]
# TrainConfig keys that say where things are, not what is trained
LOCATION_KEYS = ("base_model", "datasets", "output_dir", "resume_from_checkpoint")


@dataclass
class PlannedRun:
    train_config: dict[str, Any]
    fingerprint: str
    run_dir: Path
    rows_path: Path
    n_rows: int
    n_train: int
    n_validation: int
    parts: dict[str, Any]


def load_train_yaml(settings: TrainingConfig) -> dict[str, Any]:
    path = Path(settings.train_config)
    if not path.is_file():
        raise FileNotFoundError(f"training.train_config {path} does not exist")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of training settings")
    return {**data, **settings.overrides}


def sft_rows(sft_mix: pl.LazyFrame | pl.DataFrame) -> pl.DataFrame:
    """The columns training reads, in a stable order; fails naming a missing column."""
    frame = sft_mix.lazy() if isinstance(sft_mix, pl.DataFrame) else sft_mix
    have = frame.collect_schema().names()
    missing = [c for c in ROW_COLUMNS if c not in have]
    if missing:
        raise ValueError(f"gold/sft_mix lacks column(s) {missing} (has {have}); see docs/tables.md")
    rows = frame.select(ROW_COLUMNS).sort("sample_id").collect()
    bad = rows.filter(~pl.col("split").is_in(["train", "validation"]))
    if bad.height:
        raise ValueError(f"gold/sft_mix: {bad.height} row(s) with split not in train|validation, "
                         f"e.g. sample_id {bad['sample_id'][0]} split {bad['split'][0]!r}")
    return rows


def plan_run(settings: TrainingConfig, base_model: str, sft_mix, runs_root: str | Path) -> PlannedRun:
    """Resolve the config, write the rows for the training process, compute the fingerprint."""
    from luth_train.config import train_config_from_dict

    rows = sft_rows(sft_mix)
    if rows.filter(pl.col("split") == "train").is_empty():
        raise ValueError("gold/sft_mix has no `train` rows")
    data = load_train_yaml(settings)
    data.update(base_model=base_model, datasets=["<rows>"], output_dir="<run>")
    cfg = train_config_from_dict(data, source=f"{settings.train_config} + training.overrides")
    what = {k: v for k, v in cfg.to_dict().items() if k not in LOCATION_KEYS}
    parts = {"code_version": CODE_VERSION, "train_config": what,
             "base_model": base_model_identity(base_model), "rows": rows_digest(rows, ROW_COLUMNS)}
    fp = fingerprint(parts)
    run_dir = Path(runs_root) / f"sft-{fp[:16]}"
    run_dir.mkdir(parents=True, exist_ok=True)
    rows_path = run_dir / "sft_mix.parquet"
    if not rows_path.is_file():
        rows.write_parquet(rows_path)
    resolved = cfg.replace(datasets=[str(rows_path)], output_dir=str(run_dir / "output"),
                           resume_from_checkpoint="latest")
    n_train = rows.filter(pl.col("split") == "train").height
    return PlannedRun(train_config=resolved.to_dict(), fingerprint=fp, run_dir=run_dir,
                      rows_path=rows_path, n_rows=rows.height, n_train=n_train,
                      n_validation=rows.height - n_train, parts=parts)
