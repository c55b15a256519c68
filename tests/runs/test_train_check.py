"""`luth train --check CONFIG`: every shipped training config resolves against a lake where the
curation stage's SFT mix exists (written here in its layout: gold/sft_mix_dataset/{train,
validation}.parquet with `messages`, `split` and `n_tokens`), offline; a mix not written yet and a
wrong path are told apart; steps follow the trainer's packing."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from luth_train.sft import main as train_main

REPO = Path(__file__).resolve().parents[2]
TRAIN_CONFIGS = sorted(p for p in (REPO / "configs/train").rglob("*.yaml")
                       if "accelerate" not in p.parts)


def write_mix(lake: Path, lengths: dict[str, list[int]]) -> Path:
    """The curation stage's dataset folder with rows of the given token counts per split."""
    folder = lake / "gold" / "sft_mix_dataset"
    folder.mkdir(parents=True)
    for split, sizes in lengths.items():
        pl.DataFrame({
            "sample_id": [f"{split}-{i}" for i in range(len(sizes))],
            "messages": [[{"role": "user", "content": "Bonjour ?"},
                          {"role": "assistant", "content": "Bonjour !"}] for _ in sizes],
            "n_tokens": sizes, "split": [split] * len(sizes),
        }).write_parquet(folder / f"{split}.parquet")
    return folder


@pytest.fixture
def in_lake(tmp_path, monkeypatch, no_network) -> Path:
    """A working folder holding data_lake/ (the mix and the demo's base model folder), no hub
    cache, no network."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf_home"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    base = tmp_path / "data_lake" / "models" / "base_model"
    base.mkdir(parents=True)
    (base / "config.json").write_text(json.dumps({"model_type": "qwen3"}))
    return tmp_path / "data_lake"


def test_the_shipped_configs_are_the_paper_set_and_the_demo():
    names = {str(p.relative_to(REPO / "configs/train")) for p in TRAIN_CONFIGS}
    assert names == {"paper/qwen3_0.6b.yaml", "paper/qwen3_1.7b.yaml", "paper/lfm2_350m.yaml",
                     "paper/lfm2_700m.yaml", "paper/lfm2_1.2b.yaml", "tiny_full_sft_cpu.yaml",
                     "luth2/qwen3.5_0.8b.yaml", "luth2/qwen3.5_2b.yaml"}  # + the Luth-2 bases


@pytest.mark.parametrize("path", TRAIN_CONFIGS, ids=lambda p: str(p.relative_to(REPO / "configs/train")))
def test_every_shipped_training_config_passes_check(path: Path, in_lake: Path, capsys):
    write_mix(in_lake, {"train": [400] * 38, "validation": [400] * 2})
    assert train_main(["--check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "40: 38 train + 2 validation (from the rows' `split` column)" in out
    assert "15,200 (the rows' n_tokens)" in out
    epochs = 2 if "luth2" in path.parts else 3  # the Luth-2 configs assume 2 epochs over ~3B tokens
    assert "steps " in out and f"per epoch x {epochs} epochs" in out


def test_the_paper_config_plans_the_authors_geometry(in_lake: Path, capsys):
    # 400 rows of 8,000 tokens: two per 16,384-token sequence -> 200 sequences, 20 per step
    write_mix(in_lake, {"train": [8000] * 400, "validation": [8000] * 20})
    config = REPO / "configs/train/paper/qwen3_0.6b.yaml"
    accelerate = REPO / "configs/train/accelerate/paper_1gpu.yaml"
    assert train_main(["--check", str(config), "--accelerate-config", str(accelerate)]) == 0
    out = capsys.readouterr().out
    assert "hub id Qwen/Qwen3-0.6B (not in the local cache: downloaded when training starts)" in out
    assert "10 per device x 2 accumulation x 1 process(es) = 20 sequences per step" in out
    assert "200 packed sequences per epoch, efficiency 0.9766" in out
    assert "10 per epoch x 3 epochs = 30" in out
    assert "DEEPSPEED, 1 process(es)" in out


def test_geometry_on_several_processes_and_overrides(in_lake: Path, tmp_path, capsys):
    write_mix(in_lake, {"train": [60] * 8 + [40] * 8, "validation": [50]})
    config = tmp_path / "small.yaml"
    config.write_text("base_model: data_lake/models/base_model\ndatasets: [data_lake/gold/"
                      "sft_mix_dataset]\nsequence_len: 100\nmicro_batch_size: 2\n"
                      "gradient_accumulation_steps: 2\nnum_epochs: 3\n")
    accelerate = tmp_path / "two.yaml"
    accelerate.write_text("distributed_type: MULTI_GPU\nnum_processes: 2\n")
    # 8 sequences of 60+40 tokens; 4 micro-batches of 2; 2 per process; 1 step per epoch
    assert train_main(["--check", str(config), "--accelerate-config", str(accelerate)]) == 0
    out = capsys.readouterr().out
    assert "local folder data_lake/models/base_model (model_type qwen3)" in out
    assert "8 packed sequences per epoch, efficiency 1.0" in out
    assert "1 per epoch x 3 epochs = 3" in out
    assert train_main(["--check", str(config), "num_epochs=1"]) == 0   # one process
    assert "2 per epoch x 1 epochs = 2" in capsys.readouterr().out
    assert train_main(["--check", str(config), "max_steps=5"]) == 0    # the trainer's rule
    assert "= 5 (max_steps 5)" in capsys.readouterr().out


def test_a_mix_not_materialised_yet_is_told_apart_from_a_wrong_path(in_lake: Path, capsys):
    config = REPO / "configs/train/paper/qwen3_0.6b.yaml"
    assert train_main(["--check", str(config)]) == 3
    err = capsys.readouterr().err
    assert "dataset data_lake/gold/sft_mix_dataset is not materialised yet" in err
    assert "luth materialize --select gold/sft_mix" in err
    assert train_main(["--check", str(config), "datasets=data_lake/curation/sft_mix"]) == 2
    err = capsys.readouterr().err
    assert "dataset data_lake/curation/sft_mix does not exist" in err


def test_a_fresh_clone_is_told_what_to_materialise(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)   # no data_lake/ here: neither the demo base nor the mix
    assert train_main(["--check", str(REPO / "configs/train/tiny_full_sft_cpu.yaml")]) == 3
    err = capsys.readouterr().err
    assert "base_model data_lake/models/base_model is not materialised yet" in err
    assert "dataset data_lake/gold/sft_mix_dataset is not materialised yet" in err


def test_missing_base_model_and_accelerate_config_are_named(in_lake: Path, tmp_path, capsys):
    write_mix(in_lake, {"train": [100] * 4})
    config = REPO / "configs/train/tiny_full_sft_cpu.yaml"
    assert train_main(["--check", str(config), "base_model=data_lake/models/nope"]) == 2
    assert "base_model data_lake/models/nope does not exist" in capsys.readouterr().err
    assert train_main(["--check", str(config), "--accelerate-config", "nope.yaml"]) == 2
    assert "accelerate config nope.yaml does not exist" in capsys.readouterr().err


def test_rows_without_token_counts_say_steps_are_unknown(in_lake: Path, tmp_path, capsys):
    rows = tmp_path / "rows.jsonl"
    rows.write_text("\n".join(json.dumps({"messages": [{"role": "user", "content": "a"},
                                                       {"role": "assistant", "content": "b"}]})
                              for _ in range(20)) + "\n")
    config = REPO / "configs/train/tiny_full_sft_cpu.yaml"
    assert train_main(["--check", str(config), f"datasets={rows}"]) == 0
    out = capsys.readouterr().out
    assert "unknown before tokenisation" in out and "20: " in out
