"""Merging stage through Dagster: recipe partitions merged by mergekit and validated, a planted
fault failing its partition with the reason, and the FR/EN Pareto choice on a score table."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import polars as pl
import pytest
import torch
import yaml
from safetensors import safe_open

from luth_assets.build import build_definitions
from luth_assets.lib.models import base_model_dir, evaluated_models, merged_model_dir, sft_checkpoint_dir
from luth_assets.materialize import materialize_all
from luth_assets.run_config import Settings, parse_config
from luth_assets.stages.merging.pareto import NoEligibleMerge, choose_merge, pareto_front
from luth_assets.stages.merging.settings import ParetoRule

MERGED = dg.AssetKey(["models", "merged_models"])
BEST = dg.AssetKey(["models", "best_merge"])


def tensors(model_dir: Path) -> dict[str, torch.Tensor]:
    out = {}
    for p in sorted(Path(model_dir).glob("*.safetensors")):
        with safe_open(str(p), framework="pt") as f:
            out.update({k: f.get_tensor(k) for k in f.keys()})
    return out


SCORES = pl.DataFrame({
    "model": ["base", "sft", "merge-a", "merge-b", "merge-c", "merge-d"],
    "fr_average": [30.0, 40.0, 38.0, 39.0, 35.0, None],
    "en_average": [50.0, 44.0, 51.0, 49.0, 50.5, 60.0],
})


def test_pareto_front_and_default_rule():
    points = {"a": (38.0, 51.0), "b": (39.0, 49.0), "c": (35.0, 50.5)}
    assert pareto_front(points) == {"a", "b"}  # c is dominated by a
    choice = choose_merge(SCORES, ["a", "b", "c", "d"], ParetoRule())
    # b has the best French on the front but loses English vs base (49 < 50): a is chosen
    assert choice.recipe == "a" and choice.model == "merge-a"
    t = {r["recipe"]: r for r in choice.table.to_dicts()}
    assert set(t) == {"a", "b", "c"}  # d has no French score yet: left out
    assert t["a"]["chosen"] and t["b"]["on_front"] and not t["b"]["eligible"] and not t["c"]["on_front"]
    assert choose_merge(SCORES, ["a", "b", "c"], ParetoRule(en_tolerance=1.5)).recipe == "b"
    assert choose_merge(SCORES, ["a", "b", "c"], ParetoRule(rule="max_fr")).recipe == "b"
    assert choose_merge(SCORES, ["a", "b", "c"], ParetoRule(rule="max_mean")).recipe == "a"


def test_no_eligible_merge_is_explained():
    worse = SCORES.with_columns(pl.when(pl.col("model") == "merge-a").then(40.0)
                                .otherwise(pl.col("en_average")).alias("en_average"))
    with pytest.raises(NoEligibleMerge, match="keeps English average >= base's 50.00"):
        choose_merge(worse, ["a", "b"], ParetoRule())
    with pytest.raises(NoEligibleMerge, match="has scores in gold/score_table yet"):
        choose_merge(SCORES, ["zzz"], ParetoRule())


def test_recipe_names_from_sweep_and_recipes():
    cfg = parse_config({"merging": {"sweep": {"alphas": [0.1, 0.3, 0.5, 0.7, 0.9], "slerp_authors": True},
                                    "recipes": {"slerp_flat": {"method": "slerp", "alpha": 0.4}}}})
    names = cfg.merging.recipe_names()
    assert names == ["linear_a0.1", "linear_a0.3", "linear_a0.5", "linear_a0.7", "linear_a0.9",
                     "slerp_authors", "slerp_flat"]
    assert evaluated_models(cfg)[:3] == ["base", "sft", "merge-linear_a0.1"]
    slerp = cfg.merging.all_recipes()["slerp_authors"]
    assert slerp.self_attn_t == [0, 0.5, 0.3, 0.7, 1] and slerp.mlp_t == [1, 0.5, 0.7, 0.3, 0]


def test_merged_partitions_validation_failure_and_best_merge(tiny_pair, tmp_path):
    base, ft = tiny_pair
    root = tmp_path / "lake"
    shutil.copytree(base, base_model_dir(root))
    shutil.copytree(ft, sft_checkpoint_dir(root))
    # a planted fault, like mergekit's silent Qwen3 v_proj bug: a valid mergekit YAML that zeroes v_proj
    w = [{"filter": "v_proj", "value": 0.0}, {"value": 0.5}]
    broken = tmp_path / "zero_v_proj.yaml"
    broken.write_text(yaml.safe_dump({
        "models": [{"model": str(base_model_dir(root)), "parameters": {"weight": w}},
                   {"model": str(sft_checkpoint_dir(root)), "parameters": {"weight": w}}],
        "merge_method": "linear", "parameters": {"normalize": False}, "dtype": "float32"}))
    config = parse_config({"merging": {
        "recipes": {"linear_a0.3": {"method": "linear", "alpha": 0.3},
                    "slerp_authors": {"method": "slerp", "self_attn_t": [0, 0.5, 0.3, 0.7, 1],
                                      "mlp_t": [1, 0.5, 0.7, 0.3, 0]},
                    "zero_v_proj": {"mergekit_yaml": str(broken)}},
        "dtype": "float32", "in_process": True, "threads": 1}})
    defs = build_definitions(Settings(config_path=tmp_path / "unused.yaml", lake_root=str(root)), config)
    instance = dg.DagsterInstance.ephemeral()
    report = materialize_all(defs, instance, [MERGED], log=lambda m: None)
    failed = {o.partition: o.error for o in report.failures}
    assert set(failed) == {"zero_v_proj"}
    assert "failed validation" in failed["zero_v_proj"]
    assert "v_proj.weight is constant (0 everywhere)" in failed["zero_v_proj"]
    assert not merged_model_dir(root, "zero_v_proj").exists()  # nothing half-written left behind

    wb, wf = tensors(base), tensors(ft)
    wm = tensors(merged_model_dir(root, "linear_a0.3"))
    assert wm.keys() == wb.keys()
    for k in wb:
        torch.testing.assert_close(wm[k], 0.7 * wb[k] + 0.3 * wf[k], rtol=0, atol=1e-6)
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=MERGED, asset_partitions=["linear_a0.3"]), limit=1).records
    meta = {k: v.value for k, v in records[0].asset_materialization.metadata.items()}
    assert "merge_method: linear" in meta["mergekit_yaml"] and meta["validation"] == "passed"
    assert len(meta["output_sha256"]) == 64 and meta["size_bytes"] > 0 and meta["peak_rss_bytes"] > 0
    assert meta["merge_time_s"] > 0
    assert meta["output_path"] == "models/merged/linear_a0.3"  # relative to the lake root

    scores = pl.DataFrame({"model": ["base", "sft", "merge-linear_a0.3", "merge-slerp_authors"],
                           "fr_average": [20.0, 35.0, 30.0, 33.0], "en_average": [40.0, 30.0, 41.0, 39.0]})
    (root / "gold").mkdir()
    scores.write_parquet(root / "gold" / "score_table.parquet")
    assert not materialize_all(defs, instance, [BEST], log=lambda m: None).failures
    event = instance.get_latest_materialization_event(BEST)
    meta = {k: v.value for k, v in event.asset_materialization.metadata.items()}
    assert meta["chosen_recipe"] == "linear_a0.3"  # slerp has better French but loses English
    assert meta["chosen_path"] == "models/merged/linear_a0.3"
    assert meta["pareto_plot"].startswith("![Pareto plot](data:image/png;base64,")
    assert Path(meta["pareto_plot_path"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = pl.read_parquet(root / "models" / "best_merge.parquet")
    assert table.filter(pl.col("chosen"))["recipe"].to_list() == ["linear_a0.3"]
