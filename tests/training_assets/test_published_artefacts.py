"""The published-artefacts run through Dagster, offline: `models/sft_checkpoint` trains on a
Luth-SFT copy in the hub layout (tiny Parquet, real column layout) with no data stage, and a
checkpoint named like a published model (a tiny model folder standing in for
kurakurai/Luth-0.6B-Instruct) is scored beside ours and set beside its published numbers."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from luth_assets.build import build_definitions
from luth_assets.lib.models import sft_checkpoint_dir
from luth_assets.materialize import materialize_all, prepare_instance
from luth_assets.run_config import Settings, parse_config

REPO = Path(__file__).resolve().parents[2]
DEMO_ARC = REPO / "data_lake/landing/benchmarks/arc_challenge_fr.jsonl"
TEXTS = ["Le chat dort sur le canapé pendant que la pluie tombe.",
         "Quelle est la capitale de la France ? La capitale de la France est Paris.",
         "Réponse : A. Réponse : B. Answer: C. Answer: D.",
         "The quick brown fox jumps over the lazy dog."] * 6


def _metadata(instance, key) -> dict:
    event = instance.get_latest_materialization_event(key)
    return {k: v.value for k, v in event.asset_materialization.metadata.items()}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    import torch

    from luth_train.tiny_model import build_tiny_model

    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("published")
    base = build_tiny_model(root / "Qwen3-0.6B", TEXTS, vocab_size=320)
    published = root / "hub" / "Luth-0.6B-Instruct"  # stands in for the hub checkpoint
    shutil.copytree(base, published)
    data = root / "luth-sft" / "data"
    data.mkdir(parents=True)
    for component, n in (("luth_scholar", 6), ("luth_aya_dataset", 6)):
        pl.DataFrame({"messages": [[
            {"role": "user", "content": f"Question {i} : quelle est la capitale de la France ?"},
            {"role": "assistant", "content": "La capitale de la France est Paris."}]
            for i in range(n)]}).write_parquet(data / f"{component}-00000-of-00001.parquet")
    config = parse_config({
        "training": {
            "base_model": str(base), "train_config": str(REPO / "configs/train/tiny_full_sft_cpu.yaml"),
            "overrides": {"num_epochs": 1, "max_steps": 2, "evals_per_epoch": 1},
            "threads": 1,
            "sft_dataset": {"uri": str(data / "*.parquet"), "validation_share": 0.25}},
        "evaluation": {
            "benchmarks": {"arc_challenge_fr": {"path": str(DEMO_ARC)}}, "limit": 2, "num_runs": 1,
            "batch_size": 2, "device": "cpu", "language_loss": {"enabled": False},
            "models": {"luth-0.6b-instruct": str(published)}},
    })
    lake = root / "lake"
    settings = Settings(config_path=root / "unused.yaml", lake_root=str(lake))
    defs = build_definitions(settings, config)
    instance = dg.DagsterInstance.ephemeral()
    prepare_instance(settings, config, instance)
    report = materialize_all(defs, instance, log=lambda m: None)
    assert not report.failures, report.failures
    return lake, instance, base, data


def test_sft_checkpoint_trains_on_the_published_mix(run):
    lake, instance, _, _ = run
    meta = _metadata(instance, dg.AssetKey(["models", "sft_checkpoint"]))
    assert meta["sft_dataset"].endswith("luth-sft/data/*.parquet")
    assert meta["dataset_rows"] == 12
    assert meta["dataset_components"] == {"luth_aya_dataset": 6, "luth_scholar": 6}
    assert (sft_checkpoint_dir(lake) / "config.json").is_file()
    assert not (lake / "gold" / "sft_mix.parquet").exists()  # no curation, no generation


def test_the_published_checkpoint_is_scored_beside_its_published_numbers(run):
    lake, _, _, _ = run
    table = pl.read_parquet(lake / "gold" / "score_table.parquet")
    by_model = {r["model"]: r for r in table.to_dicts()}
    assert {"base", "sft", "luth-0.6b-instruct"} <= set(by_model)
    assert by_model["luth-0.6b-instruct"]["kind"] == "ours"
    card = by_model["Luth-0.6B (card 2025-08)"]
    assert (card["kind"], card["source"], card["arc_challenge_fr"]) == ("published", "card 2025-08", 33.88)
    diff = by_model["luth-0.6b-instruct - Luth-0.6B (card 2025-08)"]
    assert diff["arc_challenge_fr"] == pytest.approx(
        by_model["luth-0.6b-instruct"]["arc_challenge_fr"] - 33.88, abs=0.01)
    # the base folder is named Qwen3-0.6B: its published rows are there too, with their source
    assert by_model["Qwen3-0.6B (blog 2025-08-11)"]["source"] == "blog 2025-08-11"


def test_luth_train_reads_the_published_mix_by_glob(run, tmp_path, capsys):
    from luth_train.sft import main

    _, _, base, data = run
    out = tmp_path / "out"
    code = main([str(REPO / "configs/train/tiny_full_sft_cpu.yaml"), f"base_model={base}",
                 f"datasets={data}/*.parquet", f"output_dir={out}", "max_steps=1",
                 "num_epochs=1", "--json"])
    assert code == 0 and (out / "final" / "config.json").is_file()
    assert '"train_rows"' in capsys.readouterr().out


def test_the_score_table_is_exported_as_euroeval_results(run):
    import json

    lake, instance, _, _ = run
    meta = _metadata(instance, dg.AssetKey(["gold", "score_table"]))
    path = Path(meta["euroeval_results"])
    assert path == lake / "gold" / "euroeval_results.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    who = {r["model_info"]["name"]: r["source_metadata"]["evaluator_relationship"] for r in records}
    assert who == {"base": "third_party", "sft": "first_party", "luth-0.6b-instruct": "third_party"}
    assert all(r["schema_version"] == "0.2.1" for r in records)
