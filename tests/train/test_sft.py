from __future__ import annotations

import json
import random

import pytest
import torch

from luth_train.checkpoints import latest_checkpoint
from luth_train.config import TrainConfig, load_train_config
from luth_train.sft import main, train

FR = [
    ("Quelle est la capitale de la France ?", "La capitale de la France est Paris."),
    ("Combien font deux plus trois ?", "Deux plus trois font cinq."),
    ("Traduis 'cat' en français.", "Le mot 'cat' se dit 'chat' en français."),
    ("Donne une couleur.", "Le bleu est une couleur."),
    ("Qui a écrit Les Misérables ?", "Victor Hugo a écrit Les Misérables."),
    ("Quel temps fait-il ?", "Il fait beau et le soleil brille."),
]


def sft_rows(n=48, seed=0):
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        q, a = FR[rng.randrange(len(FR))]
        rows.append({"sample_id": f"s{i}", "split": "val" if i % 8 == 0 else "train",
                     "messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]})
    return rows


def tiny_cfg(model_dir, out_dir, **kw) -> TrainConfig:
    base = dict(base_model=str(model_dir), datasets=["unused"], output_dir=str(out_dir),
                sequence_len=128, learning_rate=3e-3, max_grad_norm=1.0, num_epochs=2,
                micro_batch_size=2, gradient_accumulation_steps=2, bf16=False,
                attn_implementation="sdpa", evals_per_epoch=1, save_strategy="epoch",
                logging_steps=1, seed=1)
    base.update(kw)
    return TrainConfig(**base)


def test_sft_lowers_val_loss_and_saves_everything(tiny_model_dir, tmp_path):
    from safetensors.torch import load_file
    from transformers import AutoTokenizer

    logs = []
    cfg = tiny_cfg(tiny_model_dir, tmp_path / "run", num_epochs=4)
    metrics = train(cfg, rows=sft_rows(), log=logs.append)
    evals = [r["val_loss"] for r in logs if r["event"] == "eval"]
    assert len(evals) >= 2 and evals[-1] < evals[0]
    assert metrics["packing_efficiency"] > 0.5
    start = next(r for r in logs if r["event"] == "start")
    assert start["train_rows"] == 42 and start["val_rows"] == 6
    final = tmp_path / "run" / "final"
    before, after = load_file(tiny_model_dir / "model.safetensors"), load_file(final / "model.safetensors")
    assert all(not torch.equal(before[k], after[k]) for k in before)  # full fine-tuning
    assert load_train_config(final / "train_config.yaml").learning_rate == 3e-3
    assert AutoTokenizer.from_pretrained(final).chat_template
    ck = latest_checkpoint(tmp_path / "run")
    assert ck is not None and (ck / "optimizer.pt").is_file() and (ck / "tokenizer.json").is_file()


@pytest.mark.parametrize("packing", [True, False])
def test_resume_equals_uninterrupted_run(tiny_model_dir, tmp_path, packing):
    from safetensors.torch import load_file

    quiet = lambda rec: None  # noqa: E731
    kw = dict(sample_packing=packing, save_strategy="steps", save_steps=3, evals_per_epoch=0)
    full = train(tiny_cfg(tiny_model_dir, tmp_path / "a", **kw), rows=sft_rows(), log=quiet)
    stopped = train(tiny_cfg(tiny_model_dir, tmp_path / "b", **kw), rows=sft_rows(), log=quiet,
                    stop_after_steps=5)
    assert stopped == {"stopped_at": 5}
    assert latest_checkpoint(tmp_path / "b").name == "checkpoint-5"
    resumed = train(tiny_cfg(tiny_model_dir, tmp_path / "b", resume_from_checkpoint="latest", **kw),
                    rows=sft_rows(), log=quiet)
    assert resumed["global_step"] == full["global_step"] > 5
    a = load_file(tmp_path / "a" / "final" / "model.safetensors")
    b = load_file(tmp_path / "b" / "final" / "model.safetensors")
    for k in a:
        torch.testing.assert_close(a[k], b[k], rtol=0, atol=1e-6)


def test_cli_runs_a_yaml_config(tiny_model_dir, tmp_path, capsys):
    data = tmp_path / "mix.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in sft_rows(16)), encoding="utf-8")
    cfg = tmp_path / "c.yaml"
    cfg.write_text(tiny_cfg(tiny_model_dir, tmp_path / "out", num_epochs=1).to_yaml())
    assert main([str(cfg), f"datasets={data}", "max_steps=2"]) == 0
    assert json.loads((tmp_path / "out" / "metrics.json").read_text())["global_step"] == 2
    assert main(["--help-config"]) == 0 and "sample_packing" in capsys.readouterr().out
