"""`luth plan`: the paper's run offline in seconds, with the figures a real run needs; and on
the demo, the plan against what the demo's stages actually do (rows per stage and
LLM calls per stage in ops/llm_calls, within 10%)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from luth_assets.lib.lake import read_table
from luth_assets.plan.build import build_plan
from luth_assets.run_config import load_config

REPO = Path(__file__).resolve().parents[2]
PAPER = REPO / "configs/runs/luth_paper.yaml"
DEMO = REPO / "data_lake/landing/luth.yaml"
LUTH = [sys.executable, "-m", "luth_assets.cli"]




def _step(plan: dict, step: str) -> dict:
    return next(s for s in plan["stages"] if s["step"] == step)


def test_the_paper_plan_offline(no_network):
    plan = build_plan(load_config(PAPER), str(PAPER))   # timed by benchmarks/plan_offline.py
    assert plan["sft"]["rows"] == 570623
    # per-stage calls: the authors' flow
    # every step counted on what it reads: 47,440 of the 149,960 persona-math rows
    # (translation.limit) and all 29,980 instruct rows are translated and answered
    assert _step(plan, "translate")["requests"] == 47440 + 29980
    assert _step(plan, "regenerate")["requests"] == 47440 + 29980
    assert _step(plan, "quality_judge")["requests"] == 406516        # OpenHermes-FR only
    cleaning = _step(plan, "cleaning_judge")                         # Tulu-3 instruct only
    assert (cleaning["requests"], cleaning["output_rows"]) == (29980, 20617)
    # the authors' Scholar chain: four calls per exam (1,500 exams assumed), cleaning per item
    assert _step(plan, "scholar_questions")["requests"] == 2 * 1500
    assert _step(plan, "scholar_answers")["requests"] == 2 * 1500
    assert _step(plan, "scholar_clean")["requests"] == 30282
    assert _step(plan, "scholar_clean")["model"] == "gemini-2.5-pro"
    for step in ("translate", "quality_judge", "scholar_answers"):
        assert _step(plan, step)["input_tokens"] > 0 and _step(plan, step)["output_tokens"] > 0
    # a known price is a cost; the self-hosted Qwen3-32B has none: said so, not 0
    assert _step(plan, "scholar_clean")["cost_usd"] > 0
    qwen = _step(plan, "translate")
    assert qwen["cost_usd"] is None and qwen["price_known"] is False
    assert "no price for Qwen/Qwen3-32B" in qwen["note"]
    assert plan["totals"]["models_without_price"] == ["Qwen/Qwen3-32B"]
    # five models, the authors' geometry: 20 sequences of 16,384 tokens per step, 3 epochs
    models = {m["model"]: m for m in plan["models"]}
    assert set(models) == {"qwen3_0.6b", "qwen3_1.7b", "lfm2_350m", "lfm2_700m", "lfm2_1.2b"}
    for m in models.values():
        assert (m["sequences_per_step"], m["tokens_per_step"]) == (20, 20 * 16384)
        assert m["steps_per_epoch"] > 0 and m["total_steps"] == 3 * m["steps_per_epoch"]
        assert m["gpu_hours"] > 0 and m["checkpoint_disk_gb"] > 0 and m["merge_disk_gb"] > 0
    assert models["qwen3_1.7b"]["gpu_hours"] > models["qwen3_0.6b"]["gpu_hours"]
    assert (models["qwen3_0.6b"]["merge"], models["lfm2_700m"]["merge"]) == ("slerp", "linear")
    assert "assumed per hub row" in plan["token_method"]


def test_luth_plan_command_prints_and_writes_json(tmp_path: Path):
    out = tmp_path / "plan.json"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    run = subprocess.run([*LUTH, "plan", str(PAPER), "--json", str(out)], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "SFT mix: 570,623 rows" in run.stdout and re.search(r"\$[\d,.]+ GPU", run.stdout)
    assert "GPU-hours" in run.stdout and "lfm2_350m" in run.stdout
    assert json.loads(out.read_text())["sft"]["rows"] == 570623
    bad = subprocess.run([*LUTH, "plan", str(tmp_path / "missing.yaml")], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "does not exist" in bad.stderr


DEMO_ASSETS = [
    "bronze/raw_multilingual", "silver/french_slices", "silver/french_slices_rejects",
    "bronze/english_seed_prompts", "silver/translated_prompts", "silver/translated_prompts_rejects",
    "silver/regenerated_responses", "silver/regenerated_responses_rejects",
    "silver/judged_samples", "silver/judged_samples_rejects", "bronze/exam_pdfs",
    "silver/exam_texts", "silver/exam_quarantine", "silver/exam_vision_rejects",
    "ops/exam_unpaired", "silver/scholar_items",
    "silver/scholar_items_rejects", "silver/scholar_items_clean",
    "silver/scholar_items_clean_rejects", "ops/llm_calls"]


@pytest.fixture(scope="module")
def demo_lake(tmp_path_factory) -> Path:
    """The demo's data stages (sources, translation, judges, scholar) run for real."""
    lake = tmp_path_factory.mktemp("plan_demo_lake")
    home = tmp_path_factory.mktemp("plan_dagster_home")
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env = {**os.environ, "LUTH_CONFIG": str(DEMO), "LUTH_LAKE_ROOT": str(lake),
           "DAGSTER_HOME": str(home)}
    run = subprocess.run([*LUTH, "materialize", "--select", *DEMO_ASSETS], env=env, cwd=REPO,
                         capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    return lake


def _rows(lake: Path, key: str) -> int:
    return read_table(str(lake), key.split("/")).select(pl.len()).collect().item()


def _close(planned: float, actual: float) -> bool:
    return abs(planned - actual) <= 0.10 * actual


def test_the_demo_plan_matches_what_the_demo_does(demo_lake: Path):
    plan = build_plan(load_config(DEMO), str(DEMO))
    steps = {s["step"]: s for s in plan["stages"]}
    # rows per stage
    slices = [s for s in plan["stages"] if s["stage"] == "sources"]
    actual = {
        "sources in": _rows(demo_lake, "bronze/raw_multilingual"),
        "sources out": _rows(demo_lake, "silver/french_slices"),
        "translate in": _rows(demo_lake, "bronze/english_seed_prompts"),
        "translate out": _rows(demo_lake, "silver/translated_prompts"),
        "regenerate out": _rows(demo_lake, "silver/regenerated_responses"),
        "judges in": _rows(demo_lake, "silver/judged_samples")
        + _rows(demo_lake, "silver/judged_samples_rejects"),
        "judges out": _rows(demo_lake, "silver/judged_samples"),
        "scholar items": _rows(demo_lake, "silver/scholar_items"),
        "curation in": _rows(demo_lake, "silver/judged_samples")
        + _rows(demo_lake, "silver/scholar_items_clean"),
        # the full demo's gold/sft_mix, pinned by tests/snapshots/demo_table_rows.json
        "sft mix": json.loads((REPO / "tests/snapshots/demo_table_rows.json").read_text())[
            "gold/sft_mix"],
    }
    planned = {
        "sources in": sum(s["input_rows"] for s in slices),
        "sources out": sum(s["output_rows"] for s in slices),
        "translate in": steps["translate"]["input_rows"],
        "translate out": steps["translate"]["output_rows"],
        "regenerate out": steps["regenerate"]["output_rows"],
        "judges in": steps["quality_judge"]["input_rows"],
        "judges out": steps["cleaning_judge"]["output_rows"],
        "scholar items": steps["scholar_answers"]["input_rows"],
        "curation in": steps["sft_mix"]["input_rows"],
        "sft mix": plan["sft"]["rows"],
    }
    print(json.dumps({"planned": planned, "actual": actual}))
    for name in actual:
        assert _close(planned[name], actual[name]), (name, planned[name], actual[name])
    # LLM calls per stage against ops/llm_calls
    calls = read_table(str(demo_lake), ["ops", "llm_calls"]).group_by("stage").agg(
        pl.col("requests").sum()).collect()
    made = dict(zip(calls["stage"], calls["requests"], strict=True))
    stage_of = {"translate": "translated_prompts", "regenerate": "regenerated_responses",
                "quality_judge": "quality_judge", "cleaning_judge": "cleaning_judge",
                "scholar_questions": "scholar_questions", "scholar_answers": "scholar_answers",
                "scholar_clean": "scholar_clean", "scholar_vision": "scholar_vision"}
    print(json.dumps({"planned_calls": {s: steps[s]["requests"] for s in stage_of},
                      "ops_llm_calls": made}))
    assert set(made) == set(stage_of.values())
    for step, stage in stage_of.items():
        assert _close(steps[step]["requests"], made[stage]), (step, steps[step]["requests"],
                                                              made[stage])


def test_tokens_come_from_the_base_tokenizer_when_it_is_here(tmp_path: Path, no_network):
    """A base model folder with a tokenizer: the plan counts with it and says so; without one,
    characters / 4 (the demo's base is built later, in the lake)."""
    from luth_train.tiny_model import train_tiny_tokenizer

    demo = load_config(DEMO)
    texts = [m["content"] for line in (REPO / "data_lake/landing/sources/chat_fr.jsonl")
             .read_text("utf-8").splitlines() for m in json.loads(line)["messages"]]
    folder = tmp_path / "base"
    train_tiny_tokenizer(texts, vocab_size=400).save_pretrained(folder)
    with_tokenizer = demo.model_copy(update={"training": demo.training.model_copy(
        update={"base_model": str(folder)})})
    counted = build_plan(with_tokenizer)
    estimated = build_plan(demo)
    assert counted["token_method"] == f"tokenizer:{folder}"
    assert estimated["token_method"] == "chars/4"
    assert counted["sft"]["tokens"] != estimated["sft"]["tokens"]
    assert _step(counted, "translate")["input_tokens"] != _step(estimated, "translate")["input_tokens"]
    # same rows and calls either way; a base without a known size has unknown disk, said so
    assert counted["sft"]["rows"] == estimated["sft"]["rows"]
    assert counted["models"][0]["checkpoint_disk_gb"] is None
