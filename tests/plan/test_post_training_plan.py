"""`luth plan configs/runs/luth2.yaml` works offline: the SFT mix stated by domain, one line per base
model and RL specialist and one per distillation, each with GPU-hours from the stated throughputs,
and the total cost counting them; a configuration without `post_training` plans as before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from luth_assets.cli import main
from luth_assets.plan.build import build_plan
from luth_assets.run_config import ConfigError, load_config, parse_config

REPO = Path(__file__).resolve().parents[2]
LUTH2 = REPO / "configs/runs/luth2.yaml"




def test_luth_plan_of_the_luth2_recipe_works_offline(no_network, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    assert main(["plan", str(LUTH2)]) == 0
    out = capsys.readouterr().out
    for step in ("sft_mix:math", "sft_mix:tool_calling", "rl_specialist:math", "rl_specialist:code",
                 "rl_specialist:instruction_following", "distillation"):
        assert step in out
    assert "RL and distillation for" in " ".join(out.split())  # the total counts them
    assert not [line for line in out.splitlines() if len(line) > 120]


def test_the_luth2_plan_states_the_published_mix_and_prices_the_post_training():
    config = load_config(LUTH2)
    plan = build_plan(config, str(LUTH2))
    mix = {s["step"]: s for s in plan["stages"] if s["step"].startswith("sft_mix:")}
    assert plan["sft"]["tokens"] == 3_000_000_000
    # the published shares: math 37.2%, knowledge 27.9%, code 22.2%, IF 6.5%, tool calling 6.3%
    assert mix["sft_mix:math"]["output_rows"] == round(3e9 * 0.372 / 1500)
    assert sum(s["output_rows"] for s in mix.values()) == plan["sft"]["rows"]
    assert [m["model"] for m in plan["models"]] == ["qwen3.5_0.8b", "qwen3.5_2b"]
    assert {m["base_model"] for m in plan["models"]} == {"Qwen/Qwen3.5-0.8B", "Qwen/Qwen3.5-2B"}
    post = plan["post_training"]
    assert len(post) == 2 * (3 + 1)  # per base: three specialists and one distillation
    math = next(p for p in post if p["model"] == "qwen3.5_0.8b" and p["step"] == "rl_specialist:math")
    rl = config.post_training.rl_specialists["math"]
    speed = config.post_training.throughput["qwen3.5_0.8b"]
    rollouts = rl.steps * rl.prompts_per_step * rl.generations_per_prompt
    generated = rollouts * rl.completion_tokens
    sequence = rollouts * (rl.prompt_tokens + rl.completion_tokens)
    expected = (generated / speed.generation + sequence / speed.training + sequence / speed.scoring) / 3600
    assert math["samples"] == rollouts and math["gpu_hours"] == pytest.approx(expected, abs=0.01)
    # the larger base is slower at the same work
    big = next(p for p in post if p["model"] == "qwen3.5_2b" and p["step"] == "rl_specialist:math")
    assert big["gpu_hours"] > math["gpu_hours"]
    totals = plan["totals"]
    assert totals["post_training_gpu_hours"] == pytest.approx(sum(p["gpu_hours"] for p in post), abs=0.05)
    pricing = totals["pricing"]
    assert pricing["post_training_cost_usd"] > 0
    assert pricing["total_cost_usd"] == pytest.approx(
        pricing["api_cost_usd"] + pricing["self_hosted_cost_usd"] + pricing["training_cost_usd"]
        + pricing["post_training_cost_usd"], abs=0.02)
    json.dumps(plan)  # `luth plan --json` writes it


def test_the_luth2_run_uses_the_luth2_evaluation_protocol():
    evaluation = load_config(LUTH2).evaluation
    options = evaluation.options()
    assert (options.temperature, options.top_p, options.top_k, options.num_runs) == (0.6, 0.95, 20, 10)
    assert not options.enable_thinking
    assert {"mgsm_fr", "mgsm_en", "aime24_en", "aime25_en", "math500_fr", "ifeval_fr"} <= set(
        evaluation.benchmark_names())


def test_a_run_without_post_training_has_no_post_training_lines():
    plan = build_plan(load_config(REPO / "configs/runs/luth_published.yaml"))
    assert plan["post_training"] == [] and plan["totals"]["post_training_gpu_hours"] == 0


def test_post_training_mistakes_are_named():
    base = {"post_training": {"sft_mix": {"total_tokens": 100, "shares": {"math": 0.5, "code": 0.4}}}}
    with pytest.raises(ConfigError, match=r"post_training.sft_mix.shares: .*sum to 0.9000"):
        parse_config(base)
    with pytest.raises(ConfigError, match=r"post_training.rl_specialists.math.reward"):
        parse_config({"post_training": {"rl_specialists": {"math": {"reward": "poetry", "steps": 1}}}})
    config = load_config(LUTH2)
    missing = config.model_copy(update={"post_training": config.post_training.model_copy(
        update={"throughput": {}})})
    with pytest.raises(ValueError, match=r"post_training.throughput.qwen3.5_0.8b: missing"):
        build_plan(missing)
