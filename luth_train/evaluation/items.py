"""Load a benchmark's rows (local file or hub) and normalise them to one item shape.

A local file is read in the hub dataset's own columns (`format: hub`) or converted from a
stand-in shape (`to_hub_row`); each row is then rendered by the benchmark's protocol
(`protocol.render_row`). Every item is a dict with the `gold/benchmark_items` columns: benchmark,
task, language, item_id, sample_id, question, choices (option texts, empty when generative),
gold_index (int | None), answer (str), query (the user turn), targets (the protocol's choices),
instruction, metadata (JSON str: source, the hub row the protocol reads, its position `index` in
the file, GPQA's `gpqa_order`). A row that cannot be read raises `BenchmarkDataError` naming the
file, the row and the missing column.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from luth_train.evaluation.hub import hub_unreachable_reason
from luth_train.evaluation.protocol import LETTERS, PROTOCOLS, Doc, ProtocolError, render_row
from luth_train.evaluation.registry import BenchmarkSpec
from luth_train.sample_ids import make_sample_id

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
    "query",
    "targets",
    "instruction",
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

        ds = load_dataset(spec.hub_id, spec.hub_config, split=spec.split, revision=spec.revision)
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


def _need(row: dict, where: str, key: str) -> Any:
    if key not in row or row[key] is None:
        raise BenchmarkDataError(f"{where}: missing column {key!r} (columns present: {sorted(row)})")
    return row[key]


def to_hub_row(spec: BenchmarkSpec, where: str, row: dict) -> dict:
    """A row of a stand-in `format` converted to the benchmark's hub columns (`hub`: as is)."""
    fmt = spec.format
    if fmt == "hub":
        return row
    if fmt == "mmlu_csv":
        if spec.task != "mmlu":
            raise BenchmarkDataError(f"benchmark {spec.name}: format mmlu_csv is for MMLU only")
        options, answer = row["choices"], str(row["answer"]).strip()
        if spec.name == "mmlu_fr":  # openai/MMMLU's columns
            return {
                "Question": row["question"],
                **dict(zip("ABCD", options, strict=True)),
                "Answer": answer,
                "Subject": row["subject"],
            }
        return {
            "question": row["question"],
            "subject": row["subject"],
            "choices": options,
            "answer": LETTERS.index(answer) if answer in LETTERS else int(answer),
        }
    if fmt == "mgsm_tsv":
        answer = str(_need(row, where, "answer")).strip()
        if spec.task == "mgsm":  # juletxara/mgsm's columns
            return {"question": _need(row, where, "question"), "answer_number": answer}
        return {
            "problem": _need(row, where, "question"),
            "solution": f"$\\boxed{{{answer}}}$",
            "answer": answer,
        }
    if fmt == "gpqa_prompts":
        text = re.split(r"\n\s*Please write your final answer", str(_need(row, where, "prompt")))[0].strip()
        options = re.findall(r"^\(([A-J])\)\s*(.+)$", text, flags=re.M)
        if len(options) != 4:
            raise BenchmarkDataError(f"{where}: expected four '(A) ...' options in column 'prompt'")
        question = text[: text.index(f"({options[0][0]})")].strip()
        texts = [t.strip() for _, t in options]
        gold = _letter_index(_need(row, where, "answer"), 4, where)
        wrong = [t for i, t in enumerate(texts) if i != gold]
        out = {"Correct Answer": texts[gold]} | {f"Incorrect Answer {i}": w for i, w in enumerate(wrong, 1)}
        return out | ({"problem": question} if spec.language == "fr" else {"Question": question})
    raise BenchmarkDataError(f"benchmark {spec.name}: unknown format {fmt!r}")


def _item_id(spec: BenchmarkSpec, row: dict, index: int) -> str:
    for key in ("key", "id", "unique_id", "Record ID", "ind", "task_id"):
        if row.get(key) is not None:
            return str(row[key])
    subject = row.get("subject") or row.get("Subject")
    return f"{subject}-{index}" if subject and spec.task == "mmlu" else str(index)


def _raw_parts(name: str, row: dict, doc: Doc) -> tuple[str, list[str], str]:
    """(question text, option texts in rendered order, answer text) for reading and
    decontamination (the protocol's `query` and `targets` are what the model sees)."""
    if name.startswith("ifeval"):
        return row["prompt"], [], ""
    if name == "mmlu_fr":
        return row["Question"], [str(row[k]) for k in "ABCD"], str(row["Answer"])
    if name.startswith("gpqa"):
        wrong = [str(row[f"Incorrect Answer {i}"]) for i in (1, 2, 3)]
        options = wrong[: doc.gold_index] + [str(row["Correct Answer"])] + wrong[doc.gold_index :]
        return row.get("problem") or row.get("Question"), options, LETTERS[doc.gold_index]
    if name.startswith("math500"):
        return row["problem"], [], str(row.get("answer") or boxed_answer(row["solution"]) or "")
    if name.startswith("mgsm"):
        return row["question"], [], str(row["answer_number"])
    if name.startswith("aime"):
        return row["problem"], [], str(row["answer"])
    if name.startswith("mbppplus"):
        return str(row["prompt"]), [], ""
    if name.startswith("arc"):
        choices = row["choices"]["text"] if isinstance(row["choices"], dict) else row["choices"]
        return row["question"], [str(c) for c in choices], str(row["answerKey"])
    if name.startswith("hellaswag"):
        return f"{row['ctx_a']} {row['ctx_b']}".strip(), [str(e) for e in row["endings"]], str(row["label"])
    question = row.get("question", "")
    return question, [str(c) for c in row.get("choices", [])], ""


def boxed_answer(solution: str) -> str | None:
    """The content of the last \\boxed{...} of a solution (balanced braces), or None."""
    start = solution.rfind("\\boxed{")
    if start < 0:
        return None
    depth, i, out = 1, start + len("\\boxed{"), []
    while i < len(solution):
        ch = solution[i]
        depth += (ch == "{") - (ch == "}")
        if depth == 0:
            return "".join(out)
        out.append(ch)
        i += 1
    return None


def _json_safe(row: dict, columns: Iterable[str]) -> dict:
    return {k: row[k] for k in columns if k in row}


def _normalise(
    spec: BenchmarkSpec,
    where: str,
    row: dict,
    index: int,
    seen: set[str] | None = None,
    gpqa_order: str = "authors",
) -> dict:
    hub_row = to_hub_row(spec, where, row)
    item_id = _item_id(spec, hub_row, index)
    if seen is not None and item_id in seen:
        item_id = f"{item_id}#{index}"
    try:
        doc = render_row(
            spec.name, hub_row, item_id=item_id, run=0, where=where, index=index, gpqa_order=gpqa_order
        )
    except ProtocolError as err:
        raise BenchmarkDataError(str(err)) from None
    kept = _json_safe(hub_row, (*PROTOCOLS[spec.name].columns, "subject", "Subject", "answer"))
    meta: dict[str, Any] = {"source": where, "row": kept, "index": index}
    if PROTOCOLS[spec.name].seeded:
        meta["gpqa_order"] = gpqa_order
    if spec.scoring == "ifeval":
        ids, kwargs = hub_row["instruction_id_list"], hub_row["kwargs"]
        if not isinstance(ids, list) or not isinstance(kwargs, list) or len(ids) != len(kwargs):
            raise BenchmarkDataError(f"{where}: instruction_id_list and kwargs must be lists of one length")
        meta |= {
            "instruction_id_list": ids,
            "kwargs": [{k: v for k, v in (kw or {}).items() if v is not None} for kw in kwargs],
        }
    question, options, answer = _raw_parts(spec.name, hub_row, doc)
    if not isinstance(question, str) or not question.strip():
        raise BenchmarkDataError(f"{where}: empty question/prompt")
    return {
        "benchmark": spec.name,
        "task": spec.task,
        "language": spec.language,
        "item_id": item_id,
        "sample_id": make_sample_id(spec.name, item_id),
        "question": question.strip(),
        "choices": options,
        "gold_index": doc.gold_index,
        "answer": answer,
        "query": doc.query,
        "targets": doc.choices,
        "instruction": doc.instruction,
        "metadata": json.dumps(meta, ensure_ascii=False, default=str),
    }


def load_items(spec: BenchmarkSpec, limit: int | None = None, gpqa_order: str = "authors") -> list[dict]:
    """The first `limit` normalised items of a benchmark (all when None), in file order; GPQA's
    answers in `gpqa_order` (`variants.py`), run 0's."""
    items: list[dict] = []
    seen: set[str] = set()
    for index, (where, row) in enumerate(read_rows(spec)):
        if limit is not None and len(items) >= limit:
            break
        item = _normalise(spec, where, row, index, seen, gpqa_order)
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
        "query": pl.String,
        "targets": pl.List(pl.String),
        "instruction": pl.String,
        "metadata": pl.String,
    }


def iter_metadata(items: Iterable[dict]) -> Iterator[dict]:
    for item in items:
        yield json.loads(item["metadata"])
