"""Reproduction from the published artefacts (configs/runs/luth_published.yaml): the published
Luth-SFT read in its hub layout (a tiny Parquet written here in the real column layout), the plan
offline with no generation, the graph without data stages, and the published checkpoints scored as
models of their own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from luth_assets.build import build_definitions
from luth_assets.lib.models import evaluated_models, in_lake, resolve_model
from luth_assets.plan.build import build_plan
from luth_assets.run_config import ConfigError, Settings, load_config, parse_config
from luth_train.sft_dataset import OfflineHubError, component_of, read_sft_dataset

REPO = Path(__file__).resolve().parents[2]
PUBLISHED = REPO / "configs/runs/luth_published.yaml"
PAPER = REPO / "configs/runs/luth_paper.yaml"
LUTH = [sys.executable, "-m", "luth_assets.cli"]
COMPONENTS = {"luth_scholar": 3, "luth_aya_dataset": 2, "luth_openhermes": 5}


def turns(component: str, i: int) -> list[dict]:
    return [{"role": "user", "content": f"Question {i} de {component} : combien font {i} + {i} ?"},
            {"role": "assistant", "content": f"La réponse est {2 * i}."}]


def write_luth_sft(root: Path) -> Path:
    """Luth-SFT in its hub layout: data/<split>-00000-of-00001.parquet, one column `messages`;
    the OpenHermes component in two shards, as a large split is pushed."""
    data = root / "luth-sft" / "data"
    data.mkdir(parents=True)
    for component, n in COMPONENTS.items():
        rows = [turns(component, i) for i in range(n)]
        shards = [rows[:3], rows[3:]] if n > 3 else [rows]
        for k, shard in enumerate(shards):
            pl.DataFrame({"messages": shard}).write_parquet(
                data / f"{component}-{k:05d}-of-{len(shards):05d}.parquet")
    return data




def test_the_published_dataset_is_read_in_its_hub_layout(tmp_path):
    data = write_luth_sft(tmp_path)
    rows = read_sft_dataset(str(data / "*.parquet"), validation_share=0.4)
    assert rows.height == sum(COMPONENTS.values())
    assert dict(rows.group_by("source").len().iter_rows()) == COMPONENTS
    # rows keep their component order across shards, and their ids are stable and unique
    hermes = rows.filter(pl.col("source") == "luth_openhermes").sort("row")
    assert hermes["messages"].to_list()[4][0]["content"] == turns("luth_openhermes", 4)[0]["content"]
    assert rows["sample_id"].n_unique() == rows.height
    again = read_sft_dataset(str(data), validation_share=0.4)  # the folder names the same rows
    assert again.sort("sample_id")["split"].to_list() == rows.sort("sample_id")["split"].to_list()
    assert set(rows["split"]) <= {"train", "validation"}
    assert read_sft_dataset(str(data), validation_share=0.0)["split"].unique().to_list() == ["train"]
    assert component_of("hf://datasets/kurakurai/luth-sft/data/luth_scholar-00000-of-00001.parquet") \
        == "luth_scholar"


def test_bad_input_names_the_file(tmp_path):
    bad = tmp_path / "data"
    bad.mkdir()
    pl.DataFrame({"conversation": [["x"]]}).write_parquet(bad / "luth_aya_dataset-00000-of-00001.parquet")
    with pytest.raises(ValueError, match="luth_aya_dataset-00000-of-00001.parquet: no `messages`"):
        read_sft_dataset(str(bad))
    (bad / "luth_aya_dataset-00000-of-00001.parquet").unlink()
    pl.DataFrame({"messages": [["bonjour"]]}).write_parquet(bad / "luth_scholar.parquet")
    with pytest.raises(ValueError, match=r"luth_scholar.parquet: `messages` is .*not a list of"):
        read_sft_dataset(str(bad))
    with pytest.raises(FileNotFoundError, match="no file matches"):
        read_sft_dataset(str(tmp_path / "nothing" / "*.parquet"))


def test_a_hub_dataset_fails_fast_and_clearly_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises((OfflineHubError, FileNotFoundError), match="luth-sft"):
        read_sft_dataset("hf://datasets/kurakurai/luth-sft/data/*.parquet")


def test_luth_plan_of_the_published_run_is_offline_with_no_generation(no_network):
    config = load_config(PUBLISHED)
    plan = build_plan(config, str(PUBLISHED))
    assert plan["totals"]["llm_requests"] == 0 and plan["totals"]["cost_usd"] == 0.0
    assert [s["step"] for s in plan["stages"]] == ["published_sft_mix"]
    assert plan["sft"] == {"rows": 570623, "tokens": 338_000_000}
    # every model trains on the published mix's rows, less the 5% held out
    assert {m["train_rows"] for m in plan["models"]} == {round(570623 * 0.95)}
    assert len(plan["models"]) == 5 and plan["totals"]["gpu_hours"] > 0


def test_luth_plan_command_on_the_published_run(tmp_path):
    out = tmp_path / "plan.json"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    run = subprocess.run([*LUTH, "plan", str(PUBLISHED), "--json", str(out)], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "Total: 0 LLM requests" in run.stdout and "published_sft_mix" in run.stdout
    assert json.loads(out.read_text())["sft"]["rows"] == 570623


def test_luth_plan_counts_a_local_copy(tmp_path, no_network):
    data = write_luth_sft(tmp_path)
    config = parse_config({"training": {"sft_dataset": {"uri": str(data / "*.parquet"),
                                                        "validation_share": 0.2}}})
    plan = build_plan(config)
    step = plan["stages"][0]
    assert step["input_rows"] == 10 and step["rows_method"].startswith("counted")
    assert plan["sft"]["rows"] == 10 and plan["sft"]["tokens"] > 0
    assert plan["models"][0]["train_rows"] == 8 and plan["totals"]["llm_requests"] == 0


def test_the_published_run_protocol_is_the_paper_s():
    published, paper = load_config(PUBLISHED), load_config(PAPER)
    skip = {"models", "language_loss"}
    assert published.evaluation.model_dump(exclude=skip) == paper.evaluation.model_dump(exclude=skip)
    assert published.merging == paper.merging
    assert published.training.base_model == paper.training.base_model == "Qwen/Qwen3-0.6B"
    assert published.training.train_config == paper.training.train_config


def test_the_published_checkpoints_are_models_of_the_run(tmp_path):
    config = load_config(PUBLISHED)
    models = evaluated_models(config)
    assert models[:2] == ["base", "sft"]
    hub = {m: resolve_model(config, tmp_path, m) for m in models}
    assert hub["base"] == "Qwen/Qwen3-0.6B"
    assert {"kurakurai/Luth-0.6B-Instruct", "Qwen/Qwen3-1.7B", "kurakurai/Luth-1.7B-Instruct",
            "LiquidAI/LFM2-350M", "kurakurai/Luth-LFM2-350M", "LiquidAI/LFM2-700M",
            "kurakurai/Luth-LFM2-700M", "LiquidAI/LFM2-1.2B", "kurakurai/Luth-LFM2-1.2B"} \
        <= set(hub.values())
    assert not in_lake(config, "luth-0.6b-instruct") and in_lake(config, "sft")
    with pytest.raises(ConfigError, match="one of the run's own models"):
        parse_config({"evaluation": {"models": {"sft": "kurakurai/Luth-0.6B-Instruct"}}})


def test_the_graph_has_no_data_stage_and_training_reads_the_published_mix(tmp_path):
    config = load_config(PUBLISHED)
    defs = build_definitions(Settings(config_path=PUBLISHED, lake_root=str(tmp_path)), config)
    graph = defs.resolve_asset_graph()
    names = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert "gold/sft_mix" not in names and "silver/judged_samples" not in names
    assert "bronze/raw_multilingual" not in names and "silver/translated_prompts" not in names
    assert "silver/scholar_items" not in names and not list(defs.sensors or [])
    sft = graph.get(dg.AssetKey(["models", "sft_checkpoint"]))
    assert {p.to_user_string() for p in sft.parent_keys} == {"models/base_model"}
    scores = graph.get(dg.AssetKey(["gold", "benchmark_scores"]))
    assert "luth-lfm2-700m" in scores.partitions_def.get_partitions_def_for_dimension("model") \
        .get_partition_keys()
