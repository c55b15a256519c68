"""Training checkpoints: model folders written atomically (weights, tokenizer + chat template,
resolved config, and for a checkpoint the optimizer, scheduler and trainer state), the latest
resumable one, and pruning of old ones."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from luth_train.config import TrainConfig

STATE_FILE = "trainer_state.json"
CONFIG_FILE = "train_config.yaml"


def save_model_folder(
    path: Path, model, tokenizer, cfg: TrainConfig, accelerator, extra: dict | None = None
) -> None:
    tmp = path.with_name(path.name + ".tmp")
    if accelerator.is_main_process:
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        unwrapped = accelerator.unwrap_model(model)
        unwrapped.save_pretrained(tmp, safe_serialization=True, state_dict=accelerator.get_state_dict(model))
        tokenizer.save_pretrained(tmp)
        (tmp / CONFIG_FILE).write_text(cfg.to_yaml(), encoding="utf-8")
        if extra is not None:
            import torch

            torch.save(extra["optimizer"], tmp / "optimizer.pt")
            torch.save(extra["scheduler"], tmp / "scheduler.pt")
            (tmp / STATE_FILE).write_text(json.dumps(extra["state"], indent=1), encoding="utf-8")
        shutil.rmtree(path, ignore_errors=True)
        tmp.rename(path)
    accelerator.wait_for_everyone()


def latest_checkpoint(output_dir: str | Path) -> Path | None:
    cks = [p for p in Path(output_dir).glob("checkpoint-*") if (p / STATE_FILE).is_file()]
    return max(cks, key=lambda p: int(p.name.split("-")[1])) if cks else None


def prune_checkpoints(output_dir: Path, keep: int) -> None:
    if keep <= 0:
        return
    cks = sorted(
        (p for p in output_dir.glob("checkpoint-*") if p.name.split("-")[1].isdigit()),
        key=lambda p: int(p.name.split("-")[1]),
    )
    for p in cks[:-keep]:
        shutil.rmtree(p, ignore_errors=True)
