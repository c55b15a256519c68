"""Training stage through Dagster: the demo tiny base, SFT launched through Pipes, skip when
nothing changed. Runs the real sources stage on the demo landing data into a temporary lake, then
writes `gold/sft_mix` per the contract (docs/tables.md) from the French slice."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from luth_assets.build import build_definitions
from luth_assets.lib.models import base_model_dir, sft_checkpoint_dir
from luth_assets.materialize import materialize_all, prepare_instance
from luth_assets.run_config import ConfigError, Settings, load_config, parse_config
from luth_assets.stages.training.checkpoints import checkpoint_digest, up_to_date
from luth_assets.stages.training.launch import ENTRY_MODULE, _run_k8s, training_command
from luth_assets.stages.training.settings import TrainingConfig
from luth_assets.stages.training.sft_run import plan_run, sft_rows

REPO = Path(__file__).resolve().parents[2]
DEMO_CONFIG = REPO / "data_lake" / "landing" / "luth.yaml"
BASE = dg.AssetKey(["models", "base_model"])
SFT = dg.AssetKey(["models", "sft_checkpoint"])


def _demo_config():
    config = load_config(DEMO_CONFIG)
    training = config.training.model_copy(update={
        "overrides": {**config.training.overrides, "num_epochs": 2},
        "tiny": config.training.tiny.model_copy(update={"pretrain_steps": 40}),
    })
    return config.model_copy(update={"training": training})


def _metadata(instance, key) -> dict:
    event = instance.get_latest_materialization_event(key)
    return {k: v.value for k, v in event.asset_materialization.metadata.items()}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """Demo lake with sources, sft_mix, base_model and sft_checkpoint materialised once."""
    root = tmp_path_factory.mktemp("lake")
    settings = Settings(config_path=DEMO_CONFIG, lake_root=str(root))
    config = _demo_config()
    defs = build_definitions(settings, config)
    instance = dg.DagsterInstance.ephemeral()
    prepare_instance(settings, config, instance)
    src = [dg.AssetKey(["bronze", "raw_multilingual"]), dg.AssetKey(["silver", "french_slices"]),
           dg.AssetKey(["silver", "french_slices_rejects"])]
    assert not materialize_all(defs, instance, src, log=lambda m: None).failures
    fr = pl.read_parquet(root / "silver" / "french_slices.parquet")
    mix = fr.select("sample_id", "source", "messages").with_columns(
        subset=pl.lit("gathered"), n_tokens=pl.lit(0),
        split=pl.when(pl.col("sample_id").str.slice(0, 1).is_in(["0", "1", "2"]))
        .then(pl.lit("validation")).otherwise(pl.lit("train")))
    (root / "gold").mkdir()
    mix.write_parquet(root / "gold" / "sft_mix.parquet")
    report = materialize_all(defs, instance, [BASE, SFT], log=lambda m: None)
    assert not report.failures, report.failures
    return root, settings, config, defs, instance, mix


def test_demo_base_and_sft_checkpoint(trained):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    root, _, _, _, instance, mix = trained
    base_meta = _metadata(instance, BASE)
    assert base_meta["pretrain_rows"] > 10 and base_meta["last_loss"] < base_meta["first_loss"]
    sft = sft_checkpoint_dir(root)
    meta = _metadata(instance, SFT)
    # French validation loss fell, and the figures streamed back through Pipes are recorded
    assert meta["val_loss_fell"] is True and meta["val_loss_final"] < meta["val_loss_first"]
    assert meta["val_rows"] == mix.filter(pl.col("split") == "validation").height
    assert 0.5 < meta["packing_efficiency"] <= 1.0 and meta["tokens_per_s"] > 0
    assert meta["loss_curve"] and all("lr" in p and "loss" in p for p in meta["loss_curve"])
    assert meta["loss_plot"].startswith("![SFT loss](data:image/png;base64,")  # drawn, not JSON
    inline = meta["loss_curve_inline"]  # an image the UI shows in place: under 1,000 characters
    assert inline.startswith("![SFT loss](data:image/svg+xml;base64,") and len(inline) < 1000
    assert meta["checkpoint_sha256"] == checkpoint_digest(sft) and meta["skipped"] is False
    # the demo's cards: the tiny base is on no hub (no base_model, a comment says so); the SFT
    # takes the project's licence from the base's own card
    from luth_train.cards import read_front_matter

    card = (sft / "README.md").read_text()
    assert "base_model" not in read_front_matter(card) and "# base_model: models/base_model" in card
    assert read_front_matter(card)["license"] == "apache-2.0"
    # paths relative to the lake root: the metadata stays right when the lake moves
    assert (meta["checkpoint_path"], base_meta["checkpoint_path"]) == ("models/sft_checkpoint",
                                                                        "models/base_model")
    tok = AutoTokenizer.from_pretrained(sft)
    model = AutoModelForCausalLM.from_pretrained(sft)
    assert tok.chat_template and model.config.model_type == "qwen3"
    assert (sft / "train_config.yaml").is_file()
    runs = root / "models" / ".runs"
    assert not runs.exists() or not any(runs.iterdir())  # resume checkpoints removed after success
    assert base_model_dir(root).joinpath("model.safetensors").is_file()


def test_rematerialisation_with_unchanged_inputs_is_skipped(trained):
    root, settings, config, defs, instance, mix = trained
    weights = sft_checkpoint_dir(root) / "model.safetensors"
    mtime = weights.stat().st_mtime_ns
    assert not materialize_all(defs, instance, [BASE, SFT], log=lambda m: None).failures
    assert _metadata(instance, BASE)["skipped"] is True
    meta = _metadata(instance, SFT)
    assert meta["skipped"] is True and "unchanged" in meta["skip_reason"]
    assert meta["checkpoint_path"] == "models/sft_checkpoint"
    assert weights.stat().st_mtime_ns == mtime  # no new training
    # the same decision, made by the plain functions: a changed config or changed rows would train
    base = str(base_model_dir(root))
    plan = plan_run(config.training, base, mix, root / "runs")
    assert up_to_date(sft_checkpoint_dir(root), plan.fingerprint)[0]
    changed = config.training.model_copy(update={"overrides": {**config.training.overrides,
                                                               "learning_rate": 5e-4}})
    sft = sft_checkpoint_dir(root)
    assert not up_to_date(sft, plan_run(changed, base, mix, root / "runs").fingerprint)[0]
    fewer = mix.head(mix.height - 1)
    assert not up_to_date(sft, plan_run(config.training, base, fewer, root / "runs").fingerprint)[0]


def test_sft_mix_contract_errors_name_the_problem():
    rows = pl.DataFrame({"sample_id": ["a"], "messages": [[{"role": "user", "content": "x"}]],
                         "split": ["dev"]})
    with pytest.raises(ValueError, match="split not in train|validation.*sample_id a"):
        sft_rows(rows)
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['split'\]"):
        sft_rows(rows.drop("split"))


def test_launchers_and_settings(tmp_path):
    sub = TrainingConfig()
    assert training_command(sub)[-2:] == ["-m", ENTRY_MODULE]
    acc = TrainingConfig(launcher="accelerate", accelerate={"num_processes": 2})
    cmd = training_command(acc)
    assert Path(cmd[0]).name == "accelerate" and cmd[1] == "launch"
    assert cmd[cmd.index("--num_processes") + 1] == "2" and "--multi_gpu" in cmd
    zero = TrainingConfig(launcher="accelerate",
                          accelerate={"config_file": "configs/train/accelerate/deepspeed_zero1.yaml"})
    resolved = zero.with_base(REPO)
    assert resolved.accelerate.config_file == REPO / "configs/train/accelerate/deepspeed_zero1.yaml"
    assert "--config_file" in training_command(resolved)
    config = load_config(DEMO_CONFIG)
    assert config.training.train_config.is_file() and config.training.base_model is None
    k8s = TrainingConfig(launcher="k8s")
    assert training_command(k8s) == ["python", "-m", ENTRY_MODULE]  # the pod's command
    if importlib.util.find_spec("dagster_k8s") is None:
        with pytest.raises(RuntimeError, match=r"dagster-k8s is not installed"):
            _run_k8s(None, k8s, training_command(k8s), {})
    with pytest.raises(ConfigError, match="training.launcher"):
        parse_config({"training": {"launcher": "slurm"}})
    with pytest.raises(ConfigError, match="training.learning_rate: unknown key"):
        parse_config({"training": {"learning_rate": 1e-4}})


def test_pipes_entry_runs_outside_dagster(tmp_path, monkeypatch):
    """The entry point also runs as a plain process (LUTH_TRAIN_EXTRAS) - what non-zero ranks do."""
    import subprocess
    import sys

    monkeypatch.delenv("DAGSTER_PIPES_CONTEXT", raising=False)
    import os

    extras = {"train_config": {"base_model": "/does/not/exist", "datasets": ["x"],
                               "output_dir": str(tmp_path)}}
    proc = subprocess.run([sys.executable, "-m", ENTRY_MODULE], capture_output=True, text=True,
                          env={**os.environ, "LUTH_TRAIN_EXTRAS": json.dumps(extras),
                               "HF_HUB_OFFLINE": "1"}, cwd=REPO, timeout=120)
    assert proc.returncode != 0 and "/does/not/exist" in proc.stderr


@pytest.mark.parametrize("named", ["hub", "local"])
def test_named_base_model_is_recorded_not_downloaded(tmp_path, named, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    if named == "hub":
        name = "Qwen/Qwen3-0.6B"
    else:
        name = str(tmp_path / "my_base")
        Path(name).mkdir()
        (Path(name) / "config.json").write_text('{"model_type": "qwen3"}')
    config = parse_config({"training": {"base_model": name}})
    settings = Settings(config_path=tmp_path / "unused.yaml", lake_root=str(tmp_path / "lake"))
    defs = build_definitions(settings, config)
    instance = dg.DagsterInstance.ephemeral()
    assert not materialize_all(defs, instance, [BASE], log=lambda m: None).failures
    meta = _metadata(instance, BASE)
    assert meta["base_model"] == name and meta["local"] is (named == "local")
    assert meta["identity"] == ("hub:Qwen/Qwen3-0.6B" if named == "hub" else checkpoint_digest(name))
    assert not base_model_dir(tmp_path / "lake").exists()


@pytest.mark.slow
def test_accelerate_launcher_two_ranks_through_pipes(trained, tmp_path):
    """launcher: accelerate, 2 processes (gloo on CPU): rank 0 reports through Pipes."""
    root, _, config, _, _, _ = trained
    lake = tmp_path / "lake"
    shutil.copytree(root / "gold", lake / "gold")
    shutil.copytree(base_model_dir(root), base_model_dir(lake))
    training = config.training.model_copy(update={
        "launcher": "accelerate", "overrides": {**config.training.overrides, "max_steps": 4},
        "accelerate": config.training.accelerate.model_copy(update={"num_processes": 2})})
    config = config.model_copy(update={"training": training})
    defs = build_definitions(Settings(config_path=DEMO_CONFIG, lake_root=str(lake)), config)
    instance = dg.DagsterInstance.ephemeral()
    assert not materialize_all(defs, instance, [SFT], log=lambda m: None).failures
    meta = _metadata(instance, SFT)
    assert meta["world_size"] == 2 and meta["global_step"] == 4 and meta["val_loss_fell"] is True
    assert meta["checkpoint_sha256"] == checkpoint_digest(sft_checkpoint_dir(lake))
