"""A published SFT dataset (the authors' Luth-SFT on the hub) as training rows, no generation.

The hub layout of a dataset pushed with `datasets.push_to_hub` is one Parquet file (or several
shards) per split: `data/<split>-00000-of-00001.parquet`. Luth-SFT (`kurakurai/luth-sft`) has
seven splits, one per component (`luth_scholar`, `luth_smoltalk2`, `luth_croissantllm`,
`luth_aya_dataset`, `luth_tulu3_persona_math`, `luth_openhermes`, `luth_tulu3_persona_instruct`,
the names the authors' Axolotl config reads), and one column, `messages` (a list of
{role, content} turns; the authors' data scripts write `{"messages": [...]}`).

`resolve_dataset_files` turns a local file, folder or glob, or an `hf://datasets/...` glob, into
files; `read_sft_dataset` reads them as rows with a stable `sample_id`, the component they came
from (`source`), the turns, and a seeded train/validation `split`. Nothing here downloads by
itself except an `hf://` path, which goes through the hub's fsspec file system and fails with a
clear message offline.
"""

from __future__ import annotations

import glob
import re
from pathlib import Path
from typing import Any

import polars as pl

from luth_train.sample_ids import make_sample_id

HUB_PREFIX = "hf://"
# `<split>-00000-of-00001.parquet` (datasets.push_to_hub) or `<split>.parquet`
SHARD = re.compile(r"^(?P<split>.+?)(?:-\d{5}-of-\d{5})?\.(?:parquet|jsonl|json)$")
MESSAGES_TYPE = pl.List(pl.Struct({"role": pl.String, "content": pl.String}))
ROW_SCHEMA = {"sample_id": pl.String, "source": pl.String, "row": pl.Int64,
              "messages": MESSAGES_TYPE, "split": pl.String}


class OfflineHubError(RuntimeError):
    """An hf:// path that cannot be listed or read because the hub cannot be reached."""


def is_hub(path: str) -> bool:
    return str(path).startswith(HUB_PREFIX)


def _hub_files(uri: str) -> list[str]:
    pattern = uri[len(HUB_PREFIX):]
    try:
        from huggingface_hub import HfFileSystem

        files = HfFileSystem().glob(pattern) if any(c in pattern for c in "*?[") else [pattern]
    except Exception as err:  # noqa: BLE001 - offline, unknown repo, gated: one clear message
        raise OfflineHubError(
            f"cannot list {uri} on the Hugging Face hub ({type(err).__name__}: {err}); offline? "
            "download it first (huggingface-cli download kurakurai/luth-sft --repo-type dataset "
            "--local-dir DIR) and name DIR/data/*.parquet instead") from None
    if not files:
        raise FileNotFoundError(f"{uri}: no file on the hub matches")
    return [f"{HUB_PREFIX}{f}" for f in sorted(files)]


def resolve_dataset_files(path: str) -> list[str]:
    """Files a dataset path names: a file, a folder (its Parquet/JSONL files, recursively), a glob,
    or an hf://datasets/<owner>/<name>/<glob> on the hub."""
    if is_hub(path):
        return _hub_files(path)
    p = Path(path)
    if p.is_dir():
        return [str(x) for x in sorted(p.rglob("*")) if x.suffix in (".parquet", ".jsonl", ".json")]
    if p.is_file():
        return [str(p)]
    matches = sorted(glob.glob(path))
    if not matches:
        raise FileNotFoundError(f"dataset path {path} does not exist (no file matches)")
    return matches


def component_of(file: str) -> str:
    """The split (component) a file of the hub layout holds: `luth_scholar` for
    `data/luth_scholar-00000-of-00001.parquet`."""
    name = file.rstrip("/").rsplit("/", 1)[-1]
    match = SHARD.match(name)
    return match.group("split") if match else name


def _parquet_turns(file: str, column: str) -> pl.Series:
    """The turns column of one Parquet file (local or hf://), read by column, as {role, content}
    strings; a missing column or one that is not a list of turns is an error naming the file."""
    import pyarrow.parquet as pq

    if is_hub(file):
        from huggingface_hub import HfFileSystem

        with HfFileSystem().open(file[len(HUB_PREFIX):], "rb") as fh:
            table = pq.read_table(fh)
    else:
        table = pq.read_table(file)
    if column not in table.column_names:
        raise ValueError(f"{file}: no `{column}` column (has {table.column_names})")
    series = pl.from_arrow(table.select([column])).to_series()
    dtype = series.dtype
    inner = getattr(dtype, "inner", None)
    fields = {f.name for f in getattr(inner, "fields", [])}
    if not isinstance(dtype, pl.List) or not isinstance(inner, pl.Struct) or \
            not {"role", "content"} <= fields:
        raise ValueError(f"{file}: `{column}` is {dtype}, not a list of {{role, content}} turns")
    element = pl.element().struct
    return series.to_frame("m").select(pl.col("m").list.eval(pl.struct(
        element.field("role").cast(pl.String), element.field("content").cast(pl.String))))["m"]


def _jsonl_turns(file: str, column: str) -> pl.Series:
    """The turns of a JSONL file; a row whose value is not a list of turns becomes null (training
    rejects it with a reason)."""
    import json

    values = []
    for n, line in enumerate(Path(file).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise ValueError(f"{file}:{n}: not valid JSON: {err}") from err
        if column not in record:
            raise ValueError(f"{file}:{n}: no `{column}` field (has {sorted(record)})")
        values.append(_turns(record[column]))
    return pl.Series("m", values, dtype=MESSAGES_TYPE)


def _turns(value: Any) -> list[dict[str, str]] | None:
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        return None
    return [{"role": str(t.get("role") or ""), "content": str(t.get("content") or "")} for t in value]


def validation_split(sample_ids: pl.Expr, share: float) -> pl.Expr:
    """`validation` for a stable share of the rows (by their id's hash), else `train`."""
    bucket = sample_ids.str.slice(0, 8).str.to_integer(base=16) / float(16**8)
    return pl.when(bucket < share).then(pl.lit("validation")).otherwise(pl.lit("train"))


def read_sft_dataset(path: str, *, name: str = "luth-sft", messages: str = "messages",
                     validation_share: float = 0.05) -> pl.DataFrame:
    """Rows of a published SFT dataset: sample_id (hash of `name`, component and row number),
    source (the component), row (its number in the component), messages, split."""
    frames = []
    offsets: dict[str, int] = {}
    for file in resolve_dataset_files(path):
        component = component_of(file)
        turns = _parquet_turns(file, messages) if file.endswith(".parquet") \
            else _jsonl_turns(file, messages)
        start = offsets.get(component, 0)
        offsets[component] = start + len(turns)
        frames.append(pl.DataFrame({
            "sample_id": [make_sample_id(f"{name}:{component}", str(start + i))
                          for i in range(len(turns))],
            "source": [component] * len(turns),
            "row": list(range(start, start + len(turns))),
            "messages": turns,
        }, schema={k: v for k, v in ROW_SCHEMA.items() if k != "split"}))
    if not frames:
        raise FileNotFoundError(f"dataset path {path}: no Parquet or JSONL file")
    rows = pl.concat(frames)
    return rows.with_columns(split=validation_split(pl.col("sample_id"), validation_share))
