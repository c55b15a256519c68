"""`luth train` leaves `loss.png` beside `log_history.json`: the train loss and the validation loss
against the step, a real PNG that is not blank."""

from __future__ import annotations

import io
import json

from PIL import Image

from luth_train.loss_plot import loss_plot_png
from luth_train.sft import main

from .test_sft import sft_rows, tiny_cfg


def colours(png: bytes) -> int:
    return len(set(Image.open(io.BytesIO(png)).convert("RGB").getdata()))


def test_the_plot_draws_both_curves_and_says_when_nothing_was_logged():
    history = [{"event": "eval", "step": 0, "val_loss": 5.0},
               *({"event": "train", "step": s, "loss": 5.0 - s / 10} for s in range(1, 11)),
               {"event": "eval", "step": 10, "val_loss": 4.2}]
    png = loss_plot_png(history)
    assert png.startswith(b"\x89PNG") and Image.open(io.BytesIO(png)).size == (700, 350)
    assert colours(png) > colours(loss_plot_png([])) > 1


def test_luth_train_writes_loss_png_beside_log_history(tiny_model_dir, tmp_path):
    data = tmp_path / "mix.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in sft_rows(16)), encoding="utf-8")
    cfg = tmp_path / "c.yaml"
    cfg.write_text(tiny_cfg(tiny_model_dir, tmp_path / "out", num_epochs=1).to_yaml())
    assert main([str(cfg), f"datasets={data}", "max_steps=3", "logging_steps=1"]) == 0
    out = tmp_path / "out"
    history = json.loads((out / "log_history.json").read_text())
    assert [r["step"] for r in history if r["event"] == "train"] == [1, 2, 3]
    png = (out / "loss.png").read_bytes()
    assert png.startswith(b"\x89PNG") and colours(png) > 50
