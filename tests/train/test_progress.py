"""What `luth train` prints: readable lines with an ETA in CI logs, a progress bar on a terminal,
raw JSON with --json; a tracker receives the scalars."""

from __future__ import annotations

import io
import json

from luth_train.progress import TrainProgress, scalars

EVENTS = [
    {"event": "start", "total_steps": 120, "steps_per_epoch": 40, "train_rows": 300, "val_rows": 20,
     "rejected_rows": 1, "attn": "sdpa", "rank": 0},
    {"event": "eval", "step": 0, "val_loss": 6.201234567890123},
    {"event": "train", "step": 20, "loss": 2.3412345678901234, "lr": 0.000951, "tokens_per_s": 1234.5},
    {"event": "end", "global_step": 120, "train_loss": 1.5, "val_loss": 4.8, "rank": 0},
]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_when_not_a_terminal() -> None:
    out = io.StringIO()
    progress = TrainProgress(stream=out)
    for rec in EVENTS:
        progress(rec)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("training 120 steps (40/epoch) on 300 rows")
    assert lines[1] == "step 0: validation loss 6.2012"
    assert lines[2].startswith("step 20/120 (16%)  loss 2.3412  lr 9.51e-04  tok/s 1,234  eta ")
    assert "2.34123456" not in out.getvalue()  # no 16-digit floats
    assert lines[3].startswith("done: 120 steps")


def test_a_bar_on_a_terminal_and_json_on_request() -> None:
    out = Terminal()
    progress = TrainProgress(stream=out)
    for rec in EVENTS:
        progress(rec)
    text = out.getvalue()
    assert "20/120" in text and "loss 2.3412" in text and "1,234 tok/s" in text
    assert "<" in text  # tqdm's elapsed<remaining: the ETA
    raw = io.StringIO()
    sent = []
    progress = TrainProgress(stream=raw, json_lines=True, trackers=[sent.append])
    for rec in EVENTS:
        progress(rec)
    assert [json.loads(x) for x in raw.getvalue().splitlines()] == EVENTS
    assert scalars(sent[2]) == {"train/loss": EVENTS[2]["loss"], "train/lr": 0.000951,
                                "train/tokens_per_s": 1234.5}
    assert scalars(sent[1]) == {"eval/loss": EVENTS[1]["val_loss"]}
