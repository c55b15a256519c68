"""What `luth train` shows while it trains, and where else the metrics go.

On a terminal: one progress bar (step/total, loss, tokens/s, elapsed and ETA) with validation
losses printed above it. Elsewhere (CI logs, a pipe): one plain line per logging step, e.g.
``step 20/120 (17%)  loss 2.3412  lr 9.51e-04  tok/s 1,234  eta 0:01:23``. ``--json`` keeps the
raw event dicts, one JSON line each. ``report_to: tensorboard | wandb`` in the training config also
sends the train/eval scalars there, as `transformers` users expect.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TextIO

TRACKER_PACKAGES = {"tensorboard": "tensorboard", "wandb": "wandb"}


def fmt_float(value: Any, digits: int = 4) -> str:
    if value is None:
        return "-"
    value = float(value)
    return f"{value:.2e}" if value != 0 and abs(value) < 1e-3 else f"{value:.{digits}f}"


def eta(started: float, step: int, first_step: int, total: int) -> str:
    done = step - first_step
    if done <= 0 or total <= step:
        return "0:00:00" if total <= step else "?"
    left = (time.monotonic() - started) / done * (total - step)
    return str(timedelta(seconds=round(left)))


def describe(rec: dict[str, Any], total: int | None, started: float, first_step: int) -> str | None:
    """One readable line for an event (None for events a plain log leaves out)."""
    event = rec.get("event")
    if event == "start":
        return (f"training {rec['total_steps']} steps ({rec['steps_per_epoch']}/epoch) on "
                f"{rec['train_rows']} rows, {rec['val_rows']} validation rows, "
                f"{rec['rejected_rows']} rejected; attention {rec['attn']}")
    if event == "train":
        step = rec["step"]
        pct = f" ({100 * step // total}%)" if total else ""
        tps = rec.get("tokens_per_s")
        return (f"step {step}/{total or '?'}{pct}  loss {fmt_float(rec.get('loss'))}  "
                f"lr {fmt_float(rec.get('lr'), 2)}  tok/s {f'{tps:,.0f}' if tps else '-'}  "
                f"eta {eta(started, step, first_step, total or step)}")
    if event == "eval":
        return f"step {rec['step']}: validation loss {fmt_float(rec.get('val_loss'))}"
    if event == "resume":
        return f"resumed from {rec['checkpoint']} at step {rec['step']}"
    if event == "warning":
        return f"warning: {rec['message']}"
    if event == "end":
        return (f"done: {rec.get('global_step')} steps, train loss {fmt_float(rec.get('train_loss'))}, "
                f"validation loss {fmt_float(rec.get('val_loss'))}")
    return None


class TrainProgress:
    """A `log` callback for `luth_train.sft.train`: bar on a terminal, lines otherwise."""

    def __init__(self, stream: TextIO | None = None, json_lines: bool = False,
                 bar: bool | None = None, trackers: list[Callable[[dict], None]] | None = None):
        self.stream = stream or sys.stdout
        self.json_lines = json_lines
        self.use_bar = (self.stream.isatty() if bar is None else bar) and not json_lines
        self.trackers = trackers or []
        self.total: int | None = None
        self.started = time.monotonic()
        self.first_step = 0
        self._bar = None

    def __call__(self, rec: dict[str, Any]) -> None:
        first_rank = os.environ.get("RANK", "0") == "0"  # under accelerate/torchrun
        if first_rank:
            for tracker in self.trackers:
                tracker(rec)
        if self.json_lines:  # every rank's events, as they come
            print(json.dumps(rec), file=self.stream, flush=True)
            return
        if not first_rank:
            return
        if rec.get("event") == "start":
            self.total, self.started = rec["total_steps"], time.monotonic()
        if rec.get("event") == "resume":
            self.first_step = rec["step"]
        if self.use_bar and rec.get("event") == "train":
            self._update_bar(rec)
            return
        line = describe(rec, self.total, self.started, self.first_step)
        if line is None:
            return
        if self._bar is not None:
            self._bar.write(line, file=self.stream)
        else:
            print(line, file=self.stream, flush=True)
        if rec.get("event") == "end":
            self.close()

    def _update_bar(self, rec: dict[str, Any]) -> None:
        from tqdm import tqdm

        if self._bar is None:
            self._bar = tqdm(total=self.total, initial=self.first_step, file=self.stream,
                             unit="step", dynamic_ncols=True)
        self._bar.update(rec["step"] - self._bar.n)
        tps = rec.get("tokens_per_s")
        self._bar.set_postfix_str(f"loss {fmt_float(rec.get('loss'))}"
                                  f"{f', {tps:,.0f} tok/s' if tps else ''}")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def check_report_to(report_to: str) -> None:
    """A tracker that is not installed is a one-line error before any model is loaded."""
    package = TRACKER_PACKAGES.get(report_to)
    if package and importlib.util.find_spec(package) is None:
        raise ModuleNotFoundError(f"report_to: {report_to} needs the `{package}` package "
                                  f"(pip install -e '.[tracking]', or set report_to: none)")


def tracker(report_to: str, output_dir: str, config: dict[str, Any]) -> Callable[[dict], None] | None:
    """A sink sending train/eval scalars to TensorBoard (``<output_dir>/runs``) or W&B."""
    if report_to == "none":
        return None
    check_report_to(report_to)
    if report_to == "tensorboard":
        from torch.utils.tensorboard import SummaryWriter

        writer = SummaryWriter(log_dir=f"{output_dir}/runs")

        def send(rec: dict[str, Any]) -> None:
            for name, value in scalars(rec).items():
                writer.add_scalar(name, value, rec["step"])
            if rec.get("event") == "end":
                writer.close()
        return send
    import wandb

    run = wandb.init(config=config, dir=output_dir)

    def send_wandb(rec: dict[str, Any]) -> None:
        if values := scalars(rec):
            run.log(values, step=rec["step"])
        if rec.get("event") == "end":
            run.finish()
    return send_wandb


def scalars(rec: dict[str, Any]) -> dict[str, float]:
    """The numbers a tracker plots from one event: train/loss, train/lr, ..., eval/loss."""
    if rec.get("event") == "train":
        return {f"train/{k}": float(rec[k]) for k in ("loss", "lr", "grad_norm", "tokens_per_s")
                if rec.get(k) is not None}
    if rec.get("event") == "eval" and rec.get("val_loss") is not None:
        return {"eval/loss": float(rec["val_loss"])}
    return {}
