"""Every benchmark loads, renders its protocol's prompt and scores the tiny model."""

from __future__ import annotations

import json

import pytest

from luth_train.evaluation.items import BenchmarkDataError, load_items
from luth_train.evaluation.registry import BENCHMARK_NAMES, REGISTRY, TASKS, get_spec, parse_benchmark_list
from luth_train.evaluation.runner import EvalOptions, evaluate_benchmark

from .conftest import DEMO_BENCHMARKS, SHARED, shared_spec


def test_registry_has_the_twelve_evaluations():
    assert len(BENCHMARK_NAMES) == 12
    paper = [REGISTRY[name] for name in BENCHMARK_NAMES]
    assert {(s.task, s.language) for s in paper} == {
        (t, lang) for t in TASKS for lang in ("fr", "en")
    }
    scoring = {s.task: s.scoring for s in paper if s.language == "en"}
    assert scoring == {
        "ifeval": "ifeval",
        "mmlu": "loglik_mc",
        "gpqa_diamond": "gen_letter",
        "math500": "gen_math",
        "arc_challenge": "loglik_mc",
        "hellaswag": "loglik_mc",
    } | {"hellaswag": "loglik_mc"}
    assert get_spec("hellaswag_fr").scoring == "gen_exact"  # the authors generate one letter
    assert get_spec("ifeval_fr").hub_id == "jzhang86/fr_ifeval"
    assert get_spec("hellaswag_fr").hub_id == "manu/french_bench_hellaswag"
    assert get_spec("arc_challenge_fr").hub_id == "manu/french_bench_arc_challenge"
    assert get_spec("gpqa_diamond_fr").hub_id == "le-leadboard/gpqa-fr"
    assert get_spec("math500_fr").hub_id == "bezir/MATH-500-multilingual"
    assert parse_benchmark_list("mmlu,arc_challenge_fr") == ["mmlu_fr", "mmlu_en", "arc_challenge_fr"]
    with pytest.raises(ValueError, match="unknown benchmark 'mmlu_de'"):
        parse_benchmark_list("mmlu_de")


@pytest.mark.parametrize("name", sorted(SHARED))
def test_shared_benchmark_loads_renders_and_scores(shared_data, tiny_lm, name):
    spec = shared_spec(shared_data, name)
    items = load_items(spec, limit=3)
    assert len(items) == 3
    for item in items:
        assert item["benchmark"] == name and item["language"] == spec.language
        assert len(item["sample_id"]) == 16 and item["question"]
        if spec.scoring in ("loglik_mc", "gen_letter"):
            assert len(item["choices"]) >= 2 and 0 <= item["gold_index"] < len(item["choices"])
    text = items[0]["query"]
    if spec.scoring in ("gen_letter", "gen_math"):
        assert ("réponse" if spec.language == "fr" else "answer") in text.lower()
    result = evaluate_benchmark(
        tiny_lm, spec, EvalOptions(limit=2, max_new_tokens=8, batch_size=4, num_runs=1), items=items
    )
    assert result.summary["n"] == 2 and len(result.rows) == 2
    assert 0.0 <= (result.summary["score"] or 0.0) <= 1.0
    for row in result.rows:
        if spec.scoring == "loglik_mc":
            assert len(row["choice_logliks"]) == len(items[0]["choices"])
            assert all(v < 0 for v in row["choice_logliks"])
            assert isinstance(row["correct"], bool)
        else:
            assert isinstance(row["response"], str)


@pytest.mark.parametrize("name", BENCHMARK_NAMES)
def test_demo_files_cover_all_twelve(name):
    spec = get_spec(name).with_source(path=str(DEMO_BENCHMARKS / f"{name}.jsonl"))
    items = load_items(spec)
    assert 3 <= len(items) <= 6
    assert items[0]["query"] and items[0]["targets"]
    if spec.scoring == "ifeval":
        meta = json.loads(items[0]["metadata"])
        assert all(i.startswith(f"{spec.language}:") for i in meta["instruction_id_list"])


def test_bad_rows_name_file_row_and_problem(tmp_path):
    bad = tmp_path / "arc.jsonl"
    bad.write_text(
        '{"id": "x", "question": "Q?", "choices": {"text": ["a", "b"], "label": ["A", "B"]}, '
        '"answerKey": "A"}\n{"id": "y", "question": "Q2?"}\n',
        encoding="utf-8",
    )
    with pytest.raises(BenchmarkDataError, match=r"arc.jsonl:2: missing column 'choices'"):
        load_items(get_spec("arc_challenge_en").with_source(path=str(bad)))
    broken = tmp_path / "m.jsonl"
    broken.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(BenchmarkDataError, match=r"m.jsonl:1: invalid JSON"):
        load_items(get_spec("math500_en").with_source(path=str(broken)))
    with pytest.raises(BenchmarkDataError, match="does not exist"):
        load_items(get_spec("math500_en").with_source(path=str(tmp_path / "missing.jsonl")))


def test_an_arc_row_whose_key_is_not_a_label_fails_naming_file_and_line(shared_data):
    from luth_train.evaluation.registry import get_spec as spec_of

    path = shared_data / "benchmarks" / SHARED["arc_challenge_en"][0]
    with pytest.raises(BenchmarkDataError, match=r"arc_challenge_en_sample.jsonl:10: .*'C' is not in list"):
        load_items(spec_of("arc_challenge_en").with_source(path=str(path)), limit=12)


def test_hub_loading_fails_fast_and_clearly_offline(monkeypatch):
    import time

    # nothing listens on this loopback port: the hub is unreachable, as on an offline machine
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_DATASETS_OFFLINE", raising=False)
    started = time.perf_counter()
    with pytest.raises(BenchmarkDataError, match="Offline, set evaluation.benchmarks.hellaswag_fr.path"):
        load_items(get_spec("hellaswag_fr"), limit=1)
    assert time.perf_counter() - started < 10
