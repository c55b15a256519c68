"""Hugging Face cards: the SFT mix's dataset card, model cards with a title, base_model, recipe,
data and scores, paths relative to the lake."""

from __future__ import annotations

import socket
from pathlib import Path

import polars as pl
import pytest

from luth_assets.run_config import load_config
from luth_assets.stages.curation.data_card import dataset_card
from luth_train.cards import (
    PushError,
    push_folder,
    read_front_matter,
    sft_card,
    update_card_scores,
    write_card,
)
from luth_train.config import TrainConfig

MESSAGES = pl.List(pl.Struct({"role": pl.String, "content": pl.String}))


def mix() -> pl.DataFrame:
    return pl.DataFrame({
        "sample_id": ["a", "b", "c", "d"], "subset": ["gathered", "translated", "scholar", "gathered"],
        "source": ["chat_fr", "english_demo", "scholar", "chat_fr"], "subject": [None, None, "svt", None],
        "messages": [[{"role": "user", "content": "Un café ?"},
                      {"role": "assistant", "content": "Oui."}]] * 4,
        "n_tokens": [10, 12, 30, 9], "split": ["train", "train", "train", "validation"],
        "copy": [0, 0, 0, 0]}, schema_overrides={"messages": MESSAGES})


def test_dataset_card_front_matter_sources_and_funnel() -> None:
    steps = [{"step": "input", "rows": 6}, {"step": "exact_dedup", "rows": 4}]
    card = dataset_card(mix(), steps, {"chat_fr": "Apache-2.0", "english_demo": "MIT", "scholar": None})
    meta = read_front_matter(card)
    assert meta["configs"] == [{"config_name": "default", "data_files": [
        {"split": "train", "path": "train.parquet"}, {"split": "validation", "path": "validation.parquet"}]}]
    features = {f["name"]: f for f in meta["dataset_info"]["features"]}
    assert features["messages"]["list"] == [{"name": "role", "dtype": "string"},
                                            {"name": "content", "dtype": "string"}]
    assert features["n_tokens"]["dtype"] == "int64"
    assert [(s["name"], s["num_examples"]) for s in meta["dataset_info"]["splits"]] == [
        ("train", 3), ("validation", 1)]
    assert meta["license"] == "other"  # the sources do not share one licence
    assert "| gathered | chat_fr | 2 | Apache-2.0 |" in card
    assert "| scholar | scholar | 1 | unknown (set `license:`) |" in card
    assert "## Funnel" in card and "| exact_dedup | 4 |" in card


def test_sft_card_is_relative_to_the_lake_and_takes_scores(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    base = lake / "models" / "base_model"
    base.mkdir(parents=True)
    cfg = TrainConfig(base_model=str(base), datasets=["x"], output_dir=str(tmp_path / "out"))
    folder = lake / "models" / "sft_checkpoint"
    folder.mkdir()
    write_card(folder, sft_card(cfg, {"global_step": 72, "val_loss": 4.801234}, lake,
                                data=["gold/sft_mix"]))
    card = (folder / "README.md").read_text()
    meta = read_front_matter(card)  # a local base of no hub id: left out, a comment says why
    assert "base_model" not in meta and "# base_model: models/base_model has no known hub id" in card
    assert meta["license"] == "unknown"  # the base folder has no card to take a licence from
    assert "\n# Luth SFT of models/base_model\n" in card
    assert "- val_loss: `4.8012`" in card and "- `gold/sft_mix`" in card
    assert str(tmp_path) not in card  # a moved lake keeps a correct card
    assert "Not scored yet" in card
    assert update_card_scores(folder, {"mmlu_fr": 41.123, "fr_average": 40.0})
    card = (folder / "README.md").read_text()
    assert "| mmlu_fr | 41.12 |  |  |" in card and "Not scored yet" not in card
    assert not update_card_scores(tmp_path, {"mmlu_fr": 1.0})  # no card there


def test_push_to_hub_is_off_in_the_demo_and_a_failed_push_is_one_clear_line(tmp_path, monkeypatch):
    demo = load_config(Path(__file__).resolve().parents[1] / "data_lake" / "landing" / "luth.yaml")
    assert demo.curation.push_to_hub is None and demo.training.push_to_hub is None
    with socket.socket() as sock:  # a port nothing listens on: the hub is unreachable at once
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("HF_TOKEN", "hf_not_a_real_token_123")
    write_card(tmp_path, "---\nlicense: apache-2.0\n---\n# card\n")
    with pytest.raises(PushError) as err:
        push_folder(tmp_path, "someone/luth-sft-mix", "dataset", endpoint=f"http://127.0.0.1:{port}")
    assert "dataset repo someone/luth-sft-mix" in str(err.value)
    assert "hf_not_a_real_token_123" not in str(err.value)
