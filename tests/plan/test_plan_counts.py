"""`luth plan` counts every step on the rows it reads, before its filter (a hub source's published
size, `expected_input_rows`), ends each source at the rows its last filter keeps (`expected_rows`),
and puts the packing efficiency in the GPU-hours (an assumption when configured, else estimated by
packing the sampled rows as the trainer packs them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from luth_assets.plan.build import build_plan
from luth_assets.plan.training import packing_estimate, plan_model, planned_models
from luth_assets.run_config import ConfigError, load_config, parse_config

REPO = Path(__file__).resolve().parents[2]
PAPER = REPO / "configs/runs/luth_paper.yaml"


def _step(plan: dict, step: str) -> dict:
    return next(s for s in plan["stages"] if s["step"] == step)


def test_a_judge_is_counted_on_what_it_reads_and_ends_at_what_it_keeps():
    config = load_config(PAPER)       # say OpenHermes-FR's published size were known
    sources = dict(config.sources)
    sources["openhermes_fr"] = sources["openhermes_fr"].model_copy(
        update={"expected_input_rows": 500000})
    plan = build_plan(config.model_copy(update={"sources": sources}))
    assert _step(plan, "slice:openhermes_fr")["input_rows"] == 500000
    quality = _step(plan, "quality_judge")
    assert (quality["input_rows"], quality["requests"], quality["output_rows"]) == (
        500000, 500000, 406516)
    assert "keeps expected_rows of openhermes_fr" in quality["note"]
    assert plan["sft"]["rows"] == 570623       # the mix is what the filters keep, unchanged


def test_the_paper_plan_reads_the_published_tulu_sizes():
    plan = build_plan(load_config(PAPER))
    translate = _step(plan, "translate")
    assert translate["input_rows"] == 47440 + 29980   # limit 47,440 of 149,960; 29,980 whole
    cleaning = _step(plan, "cleaning_judge")
    assert (cleaning["input_rows"], cleaning["output_rows"]) == (29980, 20617)
    # no published size found for OpenHermes-FR: said so, expected_rows stands in
    assert "published size unknown" in _step(plan, "slice:openhermes_fr")["rows_method"]
    assert _step(plan, "quality_judge")["requests"] == 406516
    # a source no judge reviews: its slice reads the published size and keeps expected_rows
    aya = _step(plan, "slice:aya")
    assert aya["output_rows"] == 1422


def test_gpu_hours_count_the_padding_packing_leaves():
    config = load_config(PAPER)
    spec = planned_models(config)["qwen3_0.6b"]
    assert config.plan.packing_efficiency == 0.72
    m = plan_model("qwen3_0.6b", spec, config, 100000, 600_000_000.0)
    tokens = round(600_000_000 * 0.95)
    assert m.packing_efficiency == 0.72 and m.packing_method == "plan.packing_efficiency (assumed)"
    assert m.gpu_hours == round(tokens * 3 / 0.72 / spec.tokens_per_second_per_gpu / 3600, 2)
    full = plan_model("qwen3_0.6b", spec, config.model_copy(update={"plan": config.plan.model_copy(
        update={"packing_efficiency": 1.0})}), 100000, 600_000_000.0)
    assert m.gpu_hours == pytest.approx(full.gpu_hours / 0.72, rel=1e-3)
    assert m.steps_per_epoch == -(-tokens // round(20 * 16384 * 0.72))  # ceil


def test_packing_efficiency_is_estimated_from_the_sampled_rows():
    config = load_config(PAPER)
    unset = config.model_copy(update={"plan": config.plan.model_copy(
        update={"packing_efficiency": None})})
    # 10 rows of 6,000 tokens: two per 16,384-token sequence, 5 sequences, 60,000 / 81,920
    efficiency, how = packing_estimate(unset, 16384, [6000] * 10)
    assert efficiency == round(60000 / (5 * 16384), 4)
    assert how == "estimated: 10 sampled rows packed into 5 sequences"
    assert packing_estimate(unset, 16384, [])[0] == 1.0
    assert "no local rows" in packing_estimate(unset, 16384, [])[1]


def test_input_rows_below_the_kept_rows_is_a_config_error():
    with pytest.raises(ConfigError, match="expected_input_rows .* below expected_rows"):
        parse_config({"sources": {"aya": {
            "uri": "hf://datasets/CohereLabs/aya_dataset/x.parquet", "format": "parquet",
            "mapping": {"prompt": "inputs", "response": "targets"}, "expected_rows": 1422,
            "expected_input_rows": 1000}}})
