"""The files a `luth train` run leaves beside its final model: `metrics.json`, `log_history.json`
and `loss.png`, the training loss per logged step and the validation loss at each evaluation
(matplotlib, no display needed)."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def loss_plot_png(history: Sequence[dict[str, Any]], title: str = "SFT loss") -> bytes:
    """PNG of the `train` records' loss and the `eval` records' val_loss against the step."""
    train = [r for r in history if r.get("event") == "train" and r.get("loss") is not None]
    val = [r for r in history if r.get("event") == "eval" and r.get("val_loss") is not None]
    return loss_curves_png(train, val, title)


def loss_curves_png(train: Sequence[dict[str, Any]], val: Sequence[dict[str, Any]],
                    title: str = "SFT loss") -> bytes:
    """PNG of the training loss per step (`step`, `loss`) and the validation loss at each
    evaluation (`step`, `val_loss`)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.5), dpi=100)
    if train:
        ax.plot([r["step"] for r in train], [r["loss"] for r in train], label="train loss")
    if val:
        ax.plot([r["step"] for r in val], [r["val_loss"] for r in val], marker="o", label="validation loss")
    if not train and not val:
        ax.text(0.5, 0.5, "no loss logged", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("optimizer step")
    ax.set_ylabel("loss (nats per trained token)")
    ax.set_title(title)
    if train or val:
        ax.legend()
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def write_run_files(out_dir: str | Path, metrics: dict[str, Any], history: Sequence[dict[str, Any]]
                    ) -> Path:
    """`metrics.json`, `log_history.json` and its plot `loss.png` in `out_dir`; returns the plot."""
    out = Path(out_dir)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1), encoding="utf-8")
    (out / "log_history.json").write_text(json.dumps(list(history), indent=1), encoding="utf-8")
    plot = out / "loss.png"
    plot.write_bytes(loss_plot_png(history))
    return plot
