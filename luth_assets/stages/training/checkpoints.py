"""Checkpoint hashes and run fingerprints: what decides that a training run can be skipped.

A checkpoint folder written by this stage holds ``luth_training.json`` (the record): the
fingerprint of everything that determined it (code version, resolved training config, base model
digest, training rows digest) and the sha256 of its own weights. A new materialisation whose
fingerprint equals the record's, over a folder whose weights still hash to the recorded value,
is skipped without launching anything.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import polars as pl

from luth_train.digest import files_sha256

RECORD_FILE = "luth_training.json"
WEIGHT_SUFFIXES = (".safetensors", ".bin")
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja",
                   "special_tokens_map.json", "vocab.json", "merges.txt", "tokenizer.model")


def checkpoint_digest(model_dir: str | Path) -> str:
    """sha256 over config.json, the weight files and the tokenizer files (name order)."""
    d = Path(model_dir)
    files = [d / "config.json", *sorted(p for p in d.iterdir() if p.suffix in WEIGHT_SUFFIXES)]
    files += [d / name for name in TOKENIZER_FILES]
    return files_sha256(files)


def folder_size(path: str | Path) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def base_model_identity(base_model: str) -> str:
    """Digest of a local base model folder, or the hub id itself (no download to hash it)."""
    p = Path(base_model)
    return checkpoint_digest(p) if p.is_dir() else f"hub:{base_model}"


def rows_digest(frame: pl.DataFrame, columns: list[str]) -> str:
    """sha256 of the rows' JSON in their order (stable across Parquet writers and versions)."""
    h = hashlib.sha256()
    encoded = frame.select(pl.struct(columns).struct.json_encode().alias("j"))["j"]
    for value in encoded:
        h.update(value.encode())
        h.update(b"\n")
    return h.hexdigest()


def fingerprint(parts: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def read_record(model_dir: str | Path) -> dict[str, Any] | None:
    path = Path(model_dir) / RECORD_FILE
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return None


def write_record(model_dir: str | Path, record: dict[str, Any]) -> None:
    Path(model_dir, RECORD_FILE).write_text(json.dumps(record, indent=1, default=str), encoding="utf-8")


def up_to_date(model_dir: str | Path, wanted: str) -> tuple[bool, str]:
    """(True, why) when `model_dir` holds a checkpoint made from exactly `wanted` and unchanged
    since; else (False, why not)."""
    record = read_record(model_dir)
    if record is None:
        return False, f"no checkpoint record in {model_dir}"
    if record.get("fingerprint") != wanted:
        return False, "inputs or configuration changed since the last checkpoint"
    if checkpoint_digest(model_dir) != record.get("checkpoint_sha256"):
        return False, "checkpoint files changed since they were recorded"
    return True, "inputs, configuration and code unchanged; checkpoint hash verified"
