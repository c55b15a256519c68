"""`luth plan` as printed: tables that fit the terminal (80 and 200 columns), a total with no
"unknown" where the self-hosted steps and the SFT are priced from GPU-hours (the assumptions
printed), a missing configuration file named as such; `luth eval --backend vllm` without vllm is
one line naming the extra."""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path

import pytest

from luth_assets.cli import main
from luth_assets.plan.build import build_plan
from luth_assets.run_config import load_config, parse_config

REPO = Path(__file__).resolve().parents[2]
PAPER = REPO / "configs/runs/luth_paper.yaml"
STEPS = ("translate", "regenerate", "quality_judge", "cleaning_judge", "scholar_questions",
         "scholar_answers", "scholar_clean")


def plan_output(capsys, monkeypatch, width: int) -> str:
    monkeypatch.setenv("COLUMNS", str(width))  # what shutil.get_terminal_size reads first
    assert main(["plan", str(PAPER)]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("width", [80, 200])
def test_the_plan_fits_the_terminal(width, capsys, monkeypatch):
    out = plan_output(capsys, monkeypatch, width)
    too_wide = [line for line in out.splitlines() if len(line) > width]
    assert not too_wide, f"{len(too_wide)} lines wider than {width}: {too_wide[:3]}"
    for step in STEPS:  # every LLM step keeps its line and its cost
        assert step in out
    plan = build_plan(load_config(PAPER))
    for step in plan["stages"]:  # each LLM step's cost: a list price, or GPU-hours priced
        if step["requests"]:
            cost = step["cost_usd"] if step["price_known"] else step["gpu_cost_usd"]
            assert f"${cost:,.2f}" in out, step["step"]
    for model in ("qwen3_0.6b", "lfm2_1.2b"):
        assert model in out
    if width == 80:  # shortened numbers, and the columns left out are named
        assert "left out to fit 80 columns" in out
        assert f"{plan['models'][0]['train_tokens'] / 1e6:,.1f}M" in out
    else:
        assert "input tokens" in out and f"{plan['models'][0]['train_tokens']:,}" in out
        assert "left out" not in out


def test_self_hosted_steps_and_sft_are_priced_from_gpu_hours(capsys, monkeypatch):
    config = load_config(PAPER)
    plan = build_plan(config, str(PAPER))
    hosting = config.plan.self_hosted
    judge = next(s for s in plan["stages"] if s["step"] == "quality_judge")
    hours = (judge["input_tokens"] / hosting.prompt_tokens_per_second
             + judge["output_tokens"] / hosting.output_tokens_per_second) / 3600 * hosting.gpus_per_server
    assert judge["gpu_hours"] == pytest.approx(hours, abs=0.01)
    assert judge["gpu_cost_usd"] == pytest.approx(hours * hosting.gpu_price_per_hour, abs=0.02)
    scholar = next(s for s in plan["stages"] if s["step"] == "scholar_clean")
    assert scholar["gpu_cost_usd"] is None and scholar["cost_usd"] > 0  # a list price: no GPU cost
    p = plan["totals"]["pricing"]
    assert p["unpriced_steps"] == []
    assert p["training_cost_usd"] == pytest.approx(
        plan["totals"]["gpu_hours"] * hosting.gpu_price_per_hour, abs=0.05)
    assert p["total_cost_usd"] == pytest.approx(
        p["api_cost_usd"] + p["self_hosted_cost_usd"] + p["training_cost_usd"], abs=0.02)
    out = plan_output(capsys, monkeypatch, 120)
    total = out[out.index("Total:"):]
    assert "unknown" not in total and f"${p['total_cost_usd']:,.2f}" in total
    assert "2,000 output" in total and "$2.50 per GPU-hour" in total and "plan.self_hosted" in total


def test_the_gpu_price_comes_from_the_configuration():
    section = {"self_hosted": {"gpu_price_per_hour": 5.0, "output_tokens_per_second": 1000}}
    hosting = parse_config({"plan": section}).plan.self_hosted  # the YAML keys, validated
    paper = load_config(PAPER)
    dearer_config = paper.model_copy(update={"plan": paper.plan.model_copy(
        update={"self_hosted": hosting})})
    base = build_plan(paper)["totals"]["pricing"]
    dearer = build_plan(dearer_config)["totals"]["pricing"]
    assert dearer["training_cost_usd"] == pytest.approx(2 * base["training_cost_usd"], abs=0.05)
    assert dearer["self_hosted_cost_usd"] > 2 * base["self_hosted_cost_usd"]  # slower and dearer
    assert "1,000 output" in dearer["assumptions"] and "$5.00 per GPU-hour" in dearer["assumptions"]


def test_a_paid_api_without_a_price_stays_unknown(capsys, monkeypatch):
    paper = load_config(PAPER)
    llm = paper.llm.model_dump()
    # a paid API (gemini) with a model that has no price: not priced from GPU-hours
    llm["steps"]["scholar_clean"] = {"provider": "gemini", "model": "gemini-9-ultra"}
    del llm["pricing"]["gemini-2.5-pro"]
    config = paper.model_copy(update={"llm": type(paper.llm).model_validate(llm)})
    plan = build_plan(config)
    assert plan["totals"]["pricing"]["unpriced_steps"] == ["scholar_clean"]
    from luth_assets.plan.build import render

    total = render(plan, 100)
    assert "+ unknown (scholar_clean: no price for gemini-9-ultra; set llm.pricing)" in \
        " ".join(total[total.index("Total:"):].split())


def test_a_missing_configuration_file_is_named(capsys):
    assert main(["plan", "configs/runs/nope.yaml"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "luth plan: run configuration configs/runs/nope.yaml does not exist"


@pytest.mark.skipif(importlib.util.find_spec("vllm") is not None, reason="vllm is installed here")
def test_the_vllm_backend_without_vllm_is_one_line(capsys):
    assert main(["eval", "--model", "x", "--benchmarks", "arc_challenge_fr", "--backend", "vllm"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert "pip install -e '.[vllm]'" in err


def test_pyproject_names_the_extras_and_a_spdx_licence():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["license"] == "Apache-2.0"  # a string: no deprecation warning from setuptools
    assert any(r.startswith("vllm") for r in project["optional-dependencies"]["vllm"])
    assert "dagster-dg-cli==1.13.27" in project["optional-dependencies"]["dev"]
