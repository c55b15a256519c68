"""`luth train --check CONFIG`: a dry run of a training config, without training and without network.

It resolves every path the run needs and prints the plan:

- the training config (and its `key=value` overrides), validated as `luth train` validates it;
- the base model: a local folder (its `config.json` must be there) or a hub id, said to be in the
  local Hugging Face cache or not (a hub id is downloaded when training starts; the check never
  downloads);
- each dataset path: its files, rows per split (the curation stage's `split` column, else
  `val_set_size`), and tokens when the rows carry the mix's `n_tokens` column;
- the accelerate config (`--accelerate-config`), whose `num_processes` is the data-parallel world;
- the batch geometry (sequences and packed tokens per optimizer step), steps per epoch and in all:
  with sample packing the rows' `n_tokens` are bin-packed as the trainer packs them
  (:func:`luth_train.packing.pack_lengths`), which also gives the packing efficiency.

A dataset under the curation stage's output folder (`gold/sft_mix_dataset`) that is absent is
reported as *not materialised yet* (exit 3), apart from a path that is simply wrong (exit 2).
"""

from __future__ import annotations

import json
import math
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from luth_train.config import ConfigError, TrainConfig, load_train_config, parse_overrides

MIX_FOLDER = ("gold", "sft_mix_dataset")   # what the curation stage's gold/sft_mix writes
BASE_MODEL_FOLDER = ("models", "base_model")  # what the training stage's models/base_model writes
DATA_SUFFIXES = (".parquet", ".jsonl", ".json")
VAL_SPLITS = ("val", "validation", "test")


class NotMaterialised(FileNotFoundError):
    """A dataset path in the curation stage's output folder that the stage has not written yet."""


@dataclass
class DatasetSummary:
    files: list[str] = field(default_factory=list)
    rows: int = 0
    train_rows: int = 0
    val_rows: int = 0
    split_from: str = ""
    train_lengths: list[int] | None = None   # n_tokens of the train rows, when the rows carry it


@dataclass
class CheckReport:
    config: str
    base_model: str
    base_model_where: str
    datasets: list[str]
    data: DatasetSummary
    accelerate: str
    processes: int
    lines: list[str] = field(default_factory=list)
    plan: dict[str, Any] = field(default_factory=dict)


def _in_mix_folder(path: Path) -> bool:
    parts = path.parts
    return any(parts[i:i + 2] == MIX_FOLDER for i in range(len(parts) - 1))


def missing_dataset(path: str, source: str) -> FileNotFoundError:
    p = Path(path)
    if _in_mix_folder(p):
        lake = Path(*p.parts[:p.parts.index("gold")]) if "gold" in p.parts else Path(".")
        return NotMaterialised(
            f"{source}: dataset {path} is not materialised yet: it is the SFT mix the curation "
            f"stage writes (gold/sft_mix in the lake {lake or '.'}); materialise it first "
            "(`luth materialize --select gold/sft_mix`, or `make demo` for the demo lake)")
    return FileNotFoundError(f"{source}: dataset {path} does not exist (not a file or folder; "
                             "the curation stage writes <lake>/gold/sft_mix_dataset/)")


def _hub_cached(model_id: str) -> bool:
    cache = os.environ.get("HF_HUB_CACHE") or str(
        Path(os.environ.get("HF_HOME") or Path.home() / ".cache" / "huggingface") / "hub")
    return (Path(cache) / f"models--{model_id.replace('/', '--')}").is_dir()


def resolve_base_model(name: str, source: str) -> str:
    """Where the base model comes from, in words; a local path that is wrong is an error."""
    path = Path(name).expanduser()
    looks_local = (name.startswith((".", "/", "~")) or name.count("/") != 1
                   or path.parts[:1] == ("data_lake",) or path.exists())
    if looks_local:
        if not path.is_dir() and path.parts[-2:] == BASE_MODEL_FOLDER:
            raise NotMaterialised(
                f"{source}: base_model {name} is not materialised yet: it is the folder the "
                "training stage's models/base_model writes (`make demo`, or `luth materialize "
                "--select models/base_model`)")
        if not path.is_dir():
            raise FileNotFoundError(f"{source}: base_model {name} does not exist (a local model "
                                    "folder, or a hub id such as Qwen/Qwen3-0.6B)")
        config = path / "config.json"
        if not config.is_file():
            raise FileNotFoundError(f"{source}: base_model {name} has no config.json (not a "
                                    "transformers model folder)")
        model_type = json.loads(config.read_text(encoding="utf-8")).get("model_type", "?")
        return f"local folder {name} (model_type {model_type})"
    cached = "in the local cache" if _hub_cached(name) else \
        "not in the local cache: downloaded when training starts"
    return f"hub id {name} ({cached})"


def _files(paths: list[str], source: str) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(x for x in p.rglob("*") if x.suffix in DATA_SUFFIXES)
            if not found:
                if _in_mix_folder(p):
                    raise missing_dataset(raw, source)
                raise FileNotFoundError(f"{source}: dataset folder {raw} holds no .parquet/.jsonl "
                                        "file")
            files += found
        elif p.is_file():
            files.append(p)
        else:
            raise missing_dataset(raw, source)
    return files


def _columns(f: Path) -> dict[str, list]:
    """`split` and `n_tokens` of a data file (only those columns), and its row count."""
    if f.suffix == ".parquet":
        import pyarrow.parquet as pq

        names = pq.read_schema(f).names
        if "messages" not in names:
            raise ValueError(f"{f}: no `messages` column (has {names})")
        wanted = [c for c in ("split", "n_tokens") if c in names]
        table = pq.read_table(f, columns=wanted) if wanted else None
        rows = pq.read_metadata(f).num_rows
        out = {c: table.column(c).to_pylist() for c in wanted} if table is not None else {}
        return {"rows": [rows], **out}
    records = []
    for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{f}:{n}: not valid JSON: {exc}") from exc
    out: dict[str, list] = {"rows": [len(records)]}
    for c in ("split", "n_tokens"):
        if records and all(c in r for r in records):
            out[c] = [r[c] for r in records]
    return out


def summarise_datasets(cfg: TrainConfig, source: str) -> DatasetSummary:
    files = _files(cfg.datasets, source)
    out = DatasetSummary(files=[str(f) for f in files])
    splits: list | None = []
    lengths: list | None = []
    for f in files:
        cols = _columns(f)
        n = cols["rows"][0]
        out.rows += n
        splits = splits + cols["split"] if splits is not None and "split" in cols else None
        lengths = lengths + cols["n_tokens"] if lengths is not None and "n_tokens" in cols else None
    if splits is not None and out.rows and all(s is not None for s in splits):
        train_idx = [i for i, s in enumerate(splits) if s == "train"]
        out.train_rows = len(train_idx)
        out.val_rows = sum(1 for s in splits if s in VAL_SPLITS)
        out.split_from = "the rows' `split` column"
    else:
        n_val = int(cfg.val_set_size) if cfg.val_set_size >= 1 else round(out.rows * cfg.val_set_size)
        n_val = min(n_val, max(0, out.rows - 1))
        out.train_rows, out.val_rows = out.rows - n_val, n_val
        out.split_from = f"val_set_size {cfg.val_set_size:g} (seeded hold-out)"
        train_idx = None
    if lengths is not None and out.rows:
        chosen = lengths if train_idx is None else [lengths[i] for i in train_idx]
        if train_idx is None:  # the seeded hold-out is not reproduced: scale by the train share
            chosen = chosen[: out.train_rows]
        out.train_lengths = [int(x) for x in chosen]
    return out


def read_accelerate(path: str | None) -> tuple[str, int]:
    if not path:
        return "none (one process: `luth train`)", 1
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"accelerate config {path} does not exist")
    import yaml

    data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    processes = int(data.get("num_processes", 1) or 1)
    return f"{path} ({data.get('distributed_type', '?')}, {processes} process(es))", processes


def training_plan(cfg: TrainConfig, data: DatasetSummary, processes: int) -> dict[str, Any]:
    """Batch geometry and steps, as `luth_train.sft.train` computes them."""
    from luth_train.packing import pack_lengths

    sequences = cfg.micro_batch_size * cfg.gradient_accumulation_steps * processes
    plan: dict[str, Any] = {"sequences_per_step": sequences, "processes": processes,
                            "tokens_per_step": cfg.sequence_len * sequences
                            if cfg.sample_packing else None}
    lengths = data.train_lengths
    if lengths is not None:
        usable = [n for n in lengths if 0 < n <= cfg.sequence_len]
        plan["train_tokens"] = sum(usable)
        plan["rows_over_sequence_len"] = sum(1 for n in lengths if n > cfg.sequence_len)
    if cfg.sample_packing:
        if lengths is None:
            plan["note"] = ("steps unknown before tokenisation: the rows carry no `n_tokens` "
                            "column (the curation stage's mix does)")
            return plan
        bins = pack_lengths(usable, cfg.sequence_len)
        plan["packed_sequences"] = len(bins)
        plan["packing_efficiency"] = round(sum(usable) / (len(bins) * cfg.sequence_len), 4) \
            if bins else None
        micro = math.ceil(len(bins) / cfg.micro_batch_size)
    else:
        micro = math.ceil(data.train_rows / cfg.micro_batch_size)
    per_rank = math.ceil(micro / processes)
    steps = max(1, math.ceil(per_rank / cfg.gradient_accumulation_steps))
    plan["steps_per_epoch"] = steps
    plan["total_steps"] = cfg.max_steps or math.ceil(cfg.num_epochs * steps)
    return plan


def check_training(cfg: TrainConfig, source: str, accelerate_config: str | None = None
                   ) -> CheckReport:
    """Resolve every path of a training config and plan its steps; raises FileNotFoundError
    naming every missing path (NotMaterialised when all of them are lake outputs not written
    yet), ValueError or ConfigError."""
    found: dict[str, Any] = {}
    missing: list[FileNotFoundError] = []
    for key, resolve in (("where", lambda: resolve_base_model(cfg.base_model, source)),
                         ("data", lambda: summarise_datasets(cfg, source)),
                         ("accelerate", lambda: read_accelerate(accelerate_config))):
        try:
            found[key] = resolve()
        except FileNotFoundError as err:
            missing.append(err)
    if missing:
        kind = NotMaterialised if all(isinstance(e, NotMaterialised) for e in missing) \
            else FileNotFoundError
        raise kind("\n".join(str(e) for e in missing))
    where, data, (accelerate, processes) = found["where"], found["data"], found["accelerate"]
    report = CheckReport(config=source, base_model=cfg.base_model, base_model_where=where,
                         datasets=list(cfg.datasets), data=data, accelerate=accelerate,
                         processes=processes)
    report.plan = training_plan(cfg, data, processes)
    return report


def render(cfg: TrainConfig, report: CheckReport) -> str:
    d, p = report.data, report.plan
    tokens = f"{p['train_tokens']:,} (the rows' n_tokens)" if "train_tokens" in p else \
        "unknown before tokenisation (no n_tokens column)"
    lines = [
        f"luth train --check {report.config}: no training, no network",
        f"  base model      {report.base_model_where}",
        f"  datasets        {', '.join(report.datasets)} ({len(d.files)} file(s))",
        f"  rows            {d.rows:,}: {d.train_rows:,} train + {d.val_rows:,} validation "
        f"(from {d.split_from})",
        f"  train tokens    {tokens}",
        f"  accelerate      {report.accelerate}",
        f"  batch geometry  {cfg.micro_batch_size} per device x {cfg.gradient_accumulation_steps} "
        f"accumulation x {report.processes} process(es) = {p['sequences_per_step']} sequences "
        f"per step; sequence_len {cfg.sequence_len:,}; packing {'on' if cfg.sample_packing else 'off'}"
        + (f" ({p['tokens_per_step']:,} tokens per step)" if p.get("tokens_per_step") else ""),
    ]
    if p.get("rows_over_sequence_len"):
        lines.append(f"  too long        {p['rows_over_sequence_len']:,} train rows over "
                     f"sequence_len (the trainer rejects them)")
    if "packed_sequences" in p:
        lines.append(f"  packing         {p['packed_sequences']:,} packed sequences per epoch, "
                     f"efficiency {p['packing_efficiency']}")
    if "steps_per_epoch" in p:
        lines.append(f"  steps           {p['steps_per_epoch']:,} per epoch x {cfg.num_epochs:g} "
                     f"epochs = {p['total_steps']:,}"
                     + (f" (max_steps {cfg.max_steps})" if cfg.max_steps else ""))
    else:
        lines.append(f"  steps           {p.get('note', 'unknown')}")
    lines.append(f"  output_dir      {cfg.output_dir}")
    return "\n".join(lines)


def run_check(cfg: TrainConfig, source: str, accelerate_config: str | None) -> tuple[int, str]:
    """(exit code, text): 0 and the plan; 3 for a mix not materialised yet; 2 otherwise."""
    try:
        report = check_training(cfg, source, accelerate_config)
    except NotMaterialised as err:
        return 3, f"luth train --check: {err}"
    except (FileNotFoundError, ValueError, ConfigError) as err:
        return 2, f"luth train --check: {err}"
    return 0, render(cfg, report)


def check_command(config_path: str, overrides: list[str], accelerate_config: str | None) -> int:
    """`luth train --check`: print the plan (stdout) or what is wrong (stderr); the exit code."""
    try:
        cfg = load_train_config(config_path, parse_overrides(overrides))
    except ConfigError as err:
        print(f"luth train --check: {err}", file=sys.stderr)
        return 2
    code, text = run_check(cfg, config_path, accelerate_config)
    print(text, file=sys.stderr if code else sys.stdout)
    return code
