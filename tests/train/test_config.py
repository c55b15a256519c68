from __future__ import annotations

from pathlib import Path

import pytest

from luth_train.config import ConfigError, TrainConfig, config_help, load_train_config, parse_overrides

CONFIGS = sorted(p for p in (Path(__file__).resolve().parents[2] / "configs" / "train").rglob("*.yaml")
                 if "accelerate" not in p.parts)


def test_configs_are_shipped():
    names = {f"{p.parent.name}/{p.name}" for p in CONFIGS}
    assert {"paper/qwen3_0.6b.yaml", "paper/qwen3_1.7b.yaml", "paper/lfm2_1.2b.yaml",
            "train/tiny_full_sft_cpu.yaml"} <= names


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_every_shipped_config_loads(path):
    cfg = load_train_config(path)
    assert isinstance(cfg, TrainConfig)
    assert cfg.datasets and not cfg.train_on_inputs and cfg.sample_packing
    if "paper" in path.parts:  # the paper's settings
        assert (cfg.learning_rate, cfg.lr_scheduler, cfg.warmup_ratio) == (5e-5, "cosine", 0.1)
        assert (cfg.max_grad_norm, cfg.num_epochs, cfg.bf16) == (0.1, 3, True)


def test_unknown_key_is_named(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("base_model: x\nlearning_rat: 1e-4\n")
    with pytest.raises(ConfigError, match=r"c\.yaml: unknown key `learning_rat`.*learning_rate"):
        load_train_config(p)


@pytest.mark.parametrize(
    "text, key",
    [
        ("base_model: x\nwarmup_ratio: 1.5\n", "warmup_ratio"),
        ("base_model: x\nlr_scheduler: step\n", "lr_scheduler"),
        ("base_model: x\nmicro_batch_size: two\n", "micro_batch_size"),
        ("learning_rate: 1e-4\n", "base_model"),
        ("base_model: x\nsave_strategy: steps\n", "save_steps"),
    ],
)
def test_bad_values_name_the_key(tmp_path, text, key):
    p = tmp_path / "c.yaml"
    p.write_text(text)
    with pytest.raises(ConfigError, match=f"`{key}`"):
        load_train_config(p)


def test_overrides_and_round_trip(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("base_model: x\ndatasets: [{path: a.parquet, type: chat_template}]\n")
    cfg = load_train_config(p, parse_overrides(["learning_rate=1e-4", "bf16=false"]))
    assert cfg.learning_rate == 1e-4 and cfg.bf16 is False and cfg.datasets == ["a.parquet"]
    q = tmp_path / "resolved.yaml"
    q.write_text(cfg.to_yaml())
    assert load_train_config(q) == cfg
    assert "max_grad_norm" in config_help()
