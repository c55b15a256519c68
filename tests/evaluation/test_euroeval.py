"""EuroEval results export: one Every Eval Ever (schema 0.2.1) record per model x benchmark, as
EuroEval (>= 17) writes `euroeval_benchmark_results.jsonl`. The `every-eval-ever` package needs
Python 3.12, so `conforms` restates the schema's rules (evaleval/every_eval_ever eval.schema.json)
and every record is checked against them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import polars as pl
import pytest

from luth_train.evaluation.euroeval import euroeval_records, model_id, write_euroeval_jsonl

from .conftest import DEMO_BENCHMARKS

TOP = {"schema_version", "evaluation_id", "dedupe_identity", "evaluation_timestamp",
       "retrieved_timestamp", "source_metadata", "eval_library", "model_info",
       "evaluation_results", "detailed_evaluation_results"}
REQUIRED = {"schema_version", "evaluation_id", "retrieved_timestamp", "source_metadata",
            "model_info", "eval_library", "evaluation_results"}
GENERATION_ARGS = {"temperature", "top_p", "top_k", "max_tokens", "execution_command", "reasoning",
                   "prompt_template", "agentic_eval_config", "eval_plan", "eval_limits", "sandbox",
                   "max_attempts", "incorrect_attempt_feedback"}


def strings(details) -> bool:
    return isinstance(details, dict) and all(isinstance(v, str) for v in details.values())


def conforms(record: dict) -> list[str]:
    """The schema's rules a record breaks (empty: it conforms)."""
    bad = []
    if set(record) - TOP:
        bad.append(f"unknown top-level keys {set(record) - TOP}")
    bad += [f"missing {k}" for k in REQUIRED - set(record)]
    if not isinstance(record.get("retrieved_timestamp"), str) or \
            not record["retrieved_timestamp"].isdigit():
        bad.append("retrieved_timestamp is not a Unix epoch string")
    meta = record.get("source_metadata", {})
    if meta.get("source_type") not in ("documentation", "evaluation_run"):
        bad.append("source_type")
    if meta.get("evaluator_relationship") not in ("first_party", "third_party", "collaborative", "other"):
        bad.append("evaluator_relationship")
    if not meta.get("source_organization_name"):
        bad.append("source_organization_name")
    lib = record.get("eval_library", {})
    if not (lib.get("name") and lib.get("version")) or not strings(lib.get("additional_details", {})):
        bad.append("eval_library")
    info = record.get("model_info", {})
    if not (info.get("name") and info.get("id")) or not strings(info.get("additional_details", {})):
        bad.append("model_info")
    for result in record.get("evaluation_results", []):
        if {"evaluation_name", "source_data", "metric_config", "score_details"} - set(result):
            bad.append("evaluation_results item lacks a required key")
            continue
        data = result["source_data"]
        if data.get("source_type") not in ("url", "hf_dataset", "other") or not data.get("dataset_name"):
            bad.append("source_data")
        metric = result["metric_config"]
        if not isinstance(metric.get("lower_is_better"), bool):
            bad.append("lower_is_better")
        if metric.get("score_type") == "continuous" and not {"min_score", "max_score"} <= set(metric):
            bad.append("continuous metric without bounds")
        score = result["score_details"].get("score")
        if not isinstance(score, int | float) or not metric["min_score"] <= score <= metric["max_score"]:
            bad.append(f"score {score} outside its bounds")
        if not strings(result["score_details"].get("details", {})):
            bad.append("score details not strings")
        se = result["score_details"].get("uncertainty", {}).get("standard_error")
        if se is not None and not isinstance(se.get("value"), float):
            bad.append("standard_error.value")
        args = result.get("generation_config", {}).get("generation_args", {})
        if set(args) - GENERATION_ARGS:
            bad.append(f"unknown generation_args {set(args) - GENERATION_ARGS}")
    return bad


def rows():
    out = []
    for model, outcomes in (("sft", [True, True, False, True]), ("qwen", [True, False, False, False])):
        for bench in ("arc_challenge_fr", "ifeval_en"):
            out += [{"model": model, "benchmark": bench, "item_id": str(i), "run": 0, "correct": c}
                    for i, c in enumerate(outcomes)]
    out.append({"model": "sft", "benchmark": "language_loss_fr", "item_id": "0", "run": 0,
                "correct": None, "loss": 2.0, "n_tokens": 10})
    return pl.DataFrame(out)


def test_one_conforming_record_per_model_and_benchmark(tmp_path):
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    records = euroeval_records(rows(), {"sft": "/lake/models/sft_checkpoint", "qwen": "Qwen/Qwen3-0.6B"},
                               protocol={"temperature": 0.0, "max_new_tokens": 8192,
                                         "enable_thinking": False, "num_runs": 1},
                               first_party={"sft"}, evaluated_at=when, retrieved_at=1_700_000_000)
    assert len(records) == 4  # the loss view is not a benchmark
    for record in records:
        assert conforms(record) == [], record
    by_key = {(r["model_info"]["name"], r["eval_library"]["additional_details"]["dataset"]): r
              for r in records}
    sft = by_key[("sft", "arc_challenge_fr")]
    result = sft["evaluation_results"][0]
    assert result["score_details"]["score"] == 75.0
    assert result["score_details"]["uncertainty"]["num_samples"] == 4
    assert result["source_data"]["source_type"] == "hf_dataset" and result["source_data"]["hf_repo"]
    assert result["generation_config"]["generation_args"] == {"temperature": 0.0, "reasoning": False,
                                                             "max_tokens": 8192}
    assert sft["source_metadata"]["evaluator_relationship"] == "first_party"
    assert sft["model_info"]["id"] == "luth-lakehouse/sft"
    qwen = by_key[("qwen", "ifeval_en")]
    assert qwen["model_info"]["id"] == "Qwen/Qwen3-0.6B"
    assert qwen["source_metadata"]["evaluator_relationship"] == "third_party"
    assert qwen["evaluation_results"][0]["evaluation_name"] == "prompt_level_strict_acc"
    assert sft["evaluation_id"] == "arc_challenge_fr/luth-lakehouse/sft/2026-01-02T03:04:05+00:00"
    # the same scores exported again get the same ids
    again = euroeval_records(rows(), {"qwen": "Qwen/Qwen3-0.6B"}, evaluated_at=when)
    assert {r["evaluation_id"] for r in again} == {r["evaluation_id"] for r in records}
    out = write_euroeval_jsonl(records, tmp_path / "euroeval_benchmark_results.jsonl")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == records


def test_model_ids():
    assert model_id("luth", "kurakurai/Luth-0.6B-Instruct") == "kurakurai/Luth-0.6B-Instruct"
    assert model_id("sft", "/lake/models/sft_checkpoint") == "luth-lakehouse/sft"
    assert model_id("base", None) == "luth-lakehouse/base"


def test_luth_eval_writes_the_euroeval_export(tiny_model_dir, tmp_path, capsys):
    from luth_train.evaluation.cli import main

    out = tmp_path / "euroeval.jsonl"
    code = main(["--model", str(tiny_model_dir), "--benchmarks", "arc_challenge_fr",
                 "--limit", "2", "--num-runs", "1", "--path",
                 f"arc_challenge_fr={DEMO_BENCHMARKS / 'arc_challenge_fr.jsonl'}",
                 "--euroeval-export", str(out)])
    assert code == 0
    assert "1 EuroEval result line(s) written" in capsys.readouterr().out
    record = json.loads(out.read_text(encoding="utf-8"))
    assert conforms(record) == []
    assert record["evaluation_results"][0]["score_details"]["uncertainty"]["num_samples"] == 2


@pytest.mark.parametrize("broken", ["score", "details"])
def test_the_checker_catches_a_broken_record(broken):
    record = euroeval_records(rows())[0]
    if broken == "score":
        record["evaluation_results"][0]["score_details"]["score"] = 150.0
    else:
        record["model_info"]["additional_details"] = {"n": 3}
    assert conforms(record)
