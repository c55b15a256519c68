"""Helpers for the curation tests: real benchmark files as `gold/benchmark_items` rows, synthetic
upstream tables at the contract's shapes, and a tiny tokenizer."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import polars as pl

from luth_assets.stages.curation.chat_schema import MESSAGE_TYPE
from luth_train.sample_ids import make_sample_id

BENCHMARK_SCHEMA = {"benchmark": pl.String, "task": pl.String, "language": pl.String,
                    "item_id": pl.String, "sample_id": pl.String, "question": pl.String,
                    "choices": pl.List(pl.String), "gold_index": pl.Int64, "answer": pl.String,
                    "metadata": pl.String}


def _item(benchmark: str, language: str, item_id: str, question: str, choices=(),
          gold_index=None, answer: str = "") -> dict:
    return {"benchmark": benchmark, "task": "mc" if choices else "generative",
            "language": language, "item_id": str(item_id),
            "sample_id": make_sample_id(benchmark, str(item_id)), "question": question,
            "choices": list(choices), "gold_index": gold_index, "answer": answer,
            "metadata": "{}"}


def load_shared_benchmarks(data: Path) -> dict[str, pl.DataFrame]:
    """The offline stand-ins in ../shared/data/benchmarks as benchmark_items partitions."""
    folder = data / "benchmarks"
    out: dict[str, list[dict]] = {}

    def jsonl(name: str) -> list[dict]:
        return [json.loads(line) for line in (folder / name).read_text().splitlines() if line]

    def arc(r: dict) -> dict:
        labels, texts = r["choices"]["label"], r["choices"]["text"]
        gold = labels.index(r["answerKey"]) if r["answerKey"] in labels else None
        return _item("arc_challenge_en", "en", r["id"], r["question"], texts, gold,
                     texts[gold] if gold is not None else "")

    out["arc_challenge_en"] = [arc(r) for r in jsonl("arc_challenge_en_sample.jsonl")]
    out["gpqa_diamond_en"] = [_item("gpqa_diamond_en", "en", i, r["prompt"], answer=r["answer"])
                              for i, r in enumerate(jsonl("gpqa_diamond_en_prompts.jsonl"))]
    for lang in ("en", "fr"):
        out[f"ifeval_{lang}"] = [_item(f"ifeval_{lang}", lang, r["key"], r["prompt"])
                                 for r in jsonl(f"ifeval_{lang}_m-ifeval.jsonl")]
        rows = list(csv.reader((folder / f"mgsm_{lang}.tsv").open(), delimiter="\t"))
        out[f"mgsm_{lang}"] = [_item(f"mgsm_{lang}", lang, i, q, answer=a)
                               for i, (q, a) in enumerate(rows)]
    out["math500_en"] = [_item("math500_en", "en", i, r["problem"], answer=r["answer"])
                         for i, r in enumerate(jsonl("math500_en_sample.jsonl"))]
    mmlu = []
    for path in sorted((folder / "mmlu_fr" / "test").glob("*.csv")):
        for i, row in enumerate(csv.reader(path.open())):
            q, *choices, letter = row
            subject = path.name.split("_test")[0]
            index = "ABCD".index(letter)
            mmlu.append(_item("mmlu_fr", "fr", f"{subject}-{i}", q, choices, index,
                              choices[index]))
    out["mmlu_fr"] = mmlu
    return {name: pl.DataFrame(rows, schema=BENCHMARK_SCHEMA) for name, rows in out.items()}


def chat_frame(rows: list[dict]) -> pl.DataFrame:
    """Candidate-shaped frame from dicts with sample_id, subset, source, messages (+subject)."""
    return pl.DataFrame(
        [{"subject": None, **r} for r in rows],
        schema={"sample_id": pl.String, "subset": pl.String, "source": pl.String,
                "subject": pl.String, "messages": MESSAGE_TYPE})


def exchange(user: str, assistant: str) -> list[dict]:
    return [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]


def save_tiny_tokenizer(folder: Path, texts: list[str]) -> Path:
    from luth_train.tiny_model import train_tiny_tokenizer

    tokenizer = train_tiny_tokenizer(texts, vocab_size=400)
    tokenizer.save_pretrained(folder)
    return folder
