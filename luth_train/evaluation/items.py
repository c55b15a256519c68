"""Load a benchmark's rows (local file or hub) and normalise them to one item shape.

Every item is a dict with the `gold/benchmark_items` columns: benchmark, task, language, item_id,
sample_id, question, choices (list[str], empty when generative), gold_index (int | None),
answer (str), metadata (JSON str). A row that cannot be read raises `BenchmarkDataError` naming
the file, the row and the problem.
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from luth_train.evaluation.hub import hub_unreachable_reason
from luth_train.evaluation.registry import BenchmarkSpec
from luth_train.sample_ids import make_sample_id

LETTERS = "ABCDEFGHIJ"
ITEM_COLUMNS = (
    "benchmark",
    "task",
    "language",
    "item_id",
    "sample_id",
    "question",
    "choices",
    "gold_index",
    "answer",
    "metadata",
)


class BenchmarkDataError(ValueError):
    """A benchmark file or row that cannot be used; the message names where and why."""


# ---------------------------------------------------------------------------- raw rows


def _read_jsonl(path: Path) -> Iterator[tuple[str, dict]]:
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                raise BenchmarkDataError(f"{path}:{lineno}: invalid JSON ({err.msg})") from None
            if not isinstance(row, dict):
                raise BenchmarkDataError(f"{path}:{lineno}: expected a JSON object per line")
            yield f"{path.name}:{lineno}", row


def _read_local(path: Path, fmt: str) -> Iterator[tuple[str, dict]]:
    if not path.exists():
        raise BenchmarkDataError(f"benchmark file {path} does not exist")
    if fmt == "mmlu_csv":
        files = sorted(path.glob("*.csv")) if path.is_dir() else [path]
        if not files:
            raise BenchmarkDataError(f"{path}: no *.csv file in this folder")
        for file in files:
            subject = re.sub(r"_(test|dev|val)(\.\w+)?$", "", file.stem.split(".")[0])
            with file.open(encoding="utf-8", newline="") as fh:
                for lineno, rec in enumerate(csv.reader(fh), 1):
                    if len(rec) != 6:
                        raise BenchmarkDataError(
                            f"{file}:{lineno}: expected 6 fields question,A,B,C,D,answer; got {len(rec)}"
                        )
                    yield (
                        f"{file.name}:{lineno}",
                        {"question": rec[0], "choices": rec[1:5], "answer": rec[5], "subject": subject},
                    )
        return
    if fmt == "mgsm_tsv":
        with path.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                parts = line.rstrip("\n").split("\t")
                if len(parts) != 2:
                    raise BenchmarkDataError(f"{path}:{lineno}: expected question<TAB>answer")
                yield f"{path.name}:{lineno}", {"question": parts[0], "answer": parts[1]}
        return
    if path.suffix == ".parquet":
        import polars as pl

        for i, row in enumerate(pl.read_parquet(path).iter_rows(named=True), 1):
            yield f"{path.name}:{i}", row
        return
    if path.suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        for i, row in enumerate(data if isinstance(data, list) else data.get("data", []), 1):
            yield f"{path.name}:{i}", row
        return
    yield from _read_jsonl(path)


def _check_hub_reachable(spec: BenchmarkSpec) -> None:
    reason = hub_unreachable_reason()
    if reason:
        raise BenchmarkDataError(
            f"benchmark {spec.name}: {reason} to load {spec.hub_id}. "
            f"Offline, set evaluation.benchmarks.{spec.name}.path to a local file."
        )


def _read_hub(spec: BenchmarkSpec) -> Iterator[tuple[str, dict]]:
    if not spec.hub_id:
        raise BenchmarkDataError(f"benchmark {spec.name}: no local `path` and no hub id")
    # probe first even in offline mode: the hub client otherwise retries with backoff for minutes
    _check_hub_reachable(spec)
    try:
        from datasets import load_dataset

        ds = load_dataset(spec.hub_id, spec.hub_config, split=spec.split)
    except Exception as err:  # offline, gated or missing: say what to do
        raise BenchmarkDataError(
            f"benchmark {spec.name}: cannot load {spec.hub_id} ({spec.hub_config or 'default'}, "
            f"split {spec.split}) from the Hugging Face hub: {type(err).__name__}: {err}. "
            f"Offline, set evaluation.benchmarks.{spec.name}.path to a local file."
        ) from None
    for i, row in enumerate(ds):
        yield f"{spec.hub_id}[{i}]", row


def read_rows(spec: BenchmarkSpec) -> Iterator[tuple[str, dict]]:
    """(where, raw row) pairs from the local file when `spec.path` is set, else from the hub."""
    if spec.path:
        return _read_local(Path(spec.path), spec.format)
    return _read_hub(spec)


# ---------------------------------------------------------------------------- normalising


def _need(row: dict, where: str, *keys: str) -> Any:
    for key in keys:
        if key in row and row[key] is not None:
            return row[key]
    raise BenchmarkDataError(f"{where}: missing field {' or '.join(repr(k) for k in keys)}")


def _letter_index(value: Any, n: int, where: str) -> int:
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        index = int(value)
    else:
        text = str(value).strip()
        boxed = re.fullmatch(r"\\boxed\{\s*([A-Za-z])\s*\}", text)
        text = boxed.group(1) if boxed else text
        if len(text) != 1 or text.upper() not in LETTERS:
            raise BenchmarkDataError(f"{where}: answer {value!r} is not a letter or an index")
        index = LETTERS.index(text.upper())
    if not 0 <= index < n:
        raise BenchmarkDataError(f"{where}: answer {value!r} is out of range for {n} choices")
    return index


def _choices_list(value: Any, where: str) -> list[str]:
    if isinstance(value, dict):
        value = value.get("text")
    if not isinstance(value, list | tuple) or len(value) < 2 or not all(isinstance(c, str) for c in value):
        raise BenchmarkDataError(f"{where}: `choices` must be a list of at least 2 strings")
    return [c.strip() for c in value]


def _normalise(spec: BenchmarkSpec, where: str, row: dict, index: int) -> dict:
    fmt = spec.format
    meta: dict[str, Any] = {"source": where}
    choices: list[str] = []
    gold: int | None = None
    answer = ""
    item_id = str(index)
    if fmt == "ifeval":
        item_id = str(row.get("key", index))
        question = _need(row, where, "prompt")
        ids = _need(row, where, "instruction_id_list")
        kwargs = _need(row, where, "kwargs")
        if not isinstance(ids, list) or not isinstance(kwargs, list) or len(ids) != len(kwargs):
            raise BenchmarkDataError(f"{where}: instruction_id_list and kwargs must be lists of one length")
        meta |= {
            "instruction_id_list": ids,
            "kwargs": [{k: v for k, v in (kw or {}).items() if v is not None} for kw in kwargs],
        }
    elif fmt in ("mmlu", "mmlu_csv"):
        question = _need(row, where, "question", "Question")
        if "choices" in row:
            choices = _choices_list(row["choices"], where)
        else:
            choices = [str(_need(row, where, L)).strip() for L in "ABCD"]
        gold = _letter_index(_need(row, where, "answer", "Answer"), len(choices), where)
        meta["subject"] = row.get("subject") or row.get("Subject") or ""
        item_id = f"{meta['subject']}-{index}" if meta["subject"] else str(index)
    elif fmt == "arc":
        item_id = str(row.get("id", index))
        question = _need(row, where, "question")
        choices = _choices_list(_need(row, where, "choices"), where)
        key = _need(row, where, "answerKey")
        labels = row["choices"].get("label") if isinstance(row["choices"], dict) else None
        gold = labels.index(key) if labels and key in labels else _letter_index(key, len(choices), where)
    elif fmt == "hellaswag":
        item_id = str(row.get("ind", index))
        ctx = row.get("ctx") or f"{row.get('ctx_a', '')} {str(row.get('ctx_b', '')).capitalize()}".strip()
        if not ctx:
            raise BenchmarkDataError(f"{where}: missing field 'ctx' (or 'ctx_a'/'ctx_b')")
        question = _hellaswag_clean(ctx)
        choices = [_hellaswag_clean(e) for e in _choices_list(_need(row, where, "endings"), where)]
        gold = _letter_index(_need(row, where, "label"), len(choices), where)
        meta["activity_label"] = row.get("activity_label") or ""
    elif fmt == "gpqa":
        question = _need(row, where, "Question", "question")
        correct = str(_need(row, where, "Correct Answer", "correct_answer")).strip()
        wrong = [
            str(_need(row, where, f"Incorrect Answer {i}", f"incorrect_answer_{i}")).strip()
            for i in (1, 2, 3)
        ]
        item_id = str(row.get("Record ID", index))
        # Fixed shuffle per item, so the gold letter does not always sit at A.
        choices = [correct] + wrong
        random.Random(f"{spec.name}:{item_id}").shuffle(choices)
        gold = choices.index(correct)
        answer = LETTERS[gold]
    elif fmt == "gpqa_prompts":
        question = _need(row, where, "prompt")
        # The options are inside the prompt; keep only the question text before its instructions.
        question = re.split(r"\n\s*Please write your final answer", question)[0].strip()
        options = re.findall(r"^\(([A-J])\)\s*(.+)$", question, flags=re.M)
        if len(options) < 2:
            raise BenchmarkDataError(f"{where}: no '(A) ...' options found in the prompt")
        choices = [text.strip() for _, text in options]
        question = question[: question.index(f"({options[0][0]})")].strip()
        gold = _letter_index(_need(row, where, "answer"), len(choices), where)
        answer = LETTERS[gold]
    elif fmt in ("math", "mgsm_tsv"):
        question = _need(row, where, "problem", "question")
        answer = str(_need(row, where, "answer")).strip()
        for key in ("subject", "level", "unique_id"):
            if row.get(key) is not None:
                meta[key] = row[key]
        item_id = str(row.get("unique_id", index))
    else:
        raise BenchmarkDataError(f"benchmark {spec.name}: unknown format {fmt!r}")
    if not isinstance(question, str) or not question.strip():
        raise BenchmarkDataError(f"{where}: empty question/prompt")
    if gold is not None and not answer:
        answer = choices[gold]
    return {
        "benchmark": spec.name,
        "task": spec.task,
        "language": spec.language,
        "item_id": item_id,
        "sample_id": make_sample_id(spec.name, item_id),
        "question": question.strip(),
        "choices": choices,
        "gold_index": gold,
        "answer": answer,
        "metadata": json.dumps(meta, ensure_ascii=False, default=str),
    }


def _hellaswag_clean(text: str) -> str:
    """lm-eval's HellaSwag preprocessing: drop WikiHow bracket tags, squeeze spaces."""
    text = text.strip().replace(" [title]", ". ")
    text = re.sub(r"\[.*?\]", "", text)
    return text.replace("  ", " ")


def load_items(spec: BenchmarkSpec, limit: int | None = None) -> list[dict]:
    """The first `limit` normalised items of a benchmark (all when None), in file order."""
    items: list[dict] = []
    seen: set[str] = set()
    for index, (where, row) in enumerate(read_rows(spec)):
        if limit is not None and len(items) >= limit:
            break
        item = _normalise(spec, where, row, index)
        if item["item_id"] in seen:
            item["item_id"] = f"{item['item_id']}#{index}"
            item["sample_id"] = make_sample_id(spec.name, item["item_id"])
        seen.add(item["item_id"])
        items.append(item)
    if not items:
        raise BenchmarkDataError(f"benchmark {spec.name}: no items in {spec.path or spec.hub_id}")
    return items


def items_frame_schema() -> dict:
    """Polars schema of the items table (so an empty table keeps its columns)."""
    import polars as pl

    return {
        "benchmark": pl.String,
        "task": pl.String,
        "language": pl.String,
        "item_id": pl.String,
        "sample_id": pl.String,
        "question": pl.String,
        "choices": pl.List(pl.String),
        "gold_index": pl.Int64,
        "answer": pl.String,
        "metadata": pl.String,
    }


def iter_metadata(items: Iterable[dict]) -> Iterator[dict]:
    for item in items:
        yield json.loads(item["metadata"])
