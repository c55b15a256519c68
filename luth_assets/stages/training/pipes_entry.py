"""The training process launched by the `sft_checkpoint` asset through Dagster Pipes.

    python -m luth_assets.stages.training.pipes_entry                       (subprocess launcher)
    accelerate launch [...] -m luth_assets.stages.training.pipes_entry      (accelerate launcher)
    (same module as the container command)                                  (k8s launcher)

Everything it needs comes in the Pipes extras: ``train_config`` (a resolved TrainConfig mapping),
``final_dir`` (where the published checkpoint goes), ``fingerprint`` and ``record`` (what to
write beside it). It runs `luth_train.sft.train` (which knows nothing of Dagster), streams each
loss / learning-rate / tokens-per-second / eval record back as a Pipes log line, publishes
``output_dir/final`` to ``final_dir`` atomically with its hash, and reports the materialisation.

With several ranks (accelerate), every rank trains; only rank 0 talks to Dagster and publishes.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any


def _rank() -> int:
    return int(os.environ.get("RANK", os.environ.get("LOCAL_RANK", "0")) or 0)


def summarize(events: list[dict[str, Any]], metrics: dict[str, Any]) -> dict[str, Any]:
    """Materialisation metadata from the run's events and final metrics."""
    train = [e for e in events if e.get("event") == "train"]
    evals = [e for e in events if e.get("event") == "eval"]
    start = next((e for e in events if e.get("event") == "start"), {})
    tps = [e["tokens_per_s"] for e in train if e.get("tokens_per_s")]
    first_val = evals[0]["val_loss"] if evals else None
    last_val = metrics.get("val_loss")
    return {
        "global_step": metrics.get("global_step"),
        "train_loss": metrics.get("train_loss"),
        "val_loss_first": first_val,
        "val_loss_final": last_val,
        "val_loss_fell": bool(first_val is not None and last_val is not None and last_val < first_val),
        "packing_efficiency": metrics.get("packing_efficiency"),
        "tokens_per_s": tps[-1] if tps else None,
        "train_rows": metrics.get("train_rows"),
        "rejected_rows": metrics.get("rejected_rows"),
        "val_rows": start.get("val_rows"),
        "world_size": start.get("world_size"),
        "attn": start.get("attn"),
        "loss_curve": [{"step": e["step"], "loss": e["loss"], "lr": e["lr"]} for e in train],
        "val_curve": [{"step": e["step"], "val_loss": e["val_loss"]} for e in evals],
    }


def publish(output_dir: Path, final_dir: Path, record: dict[str, Any]) -> dict[str, Any]:
    """Move ``output_dir/final`` to `final_dir` (rename over it), write its record, return it."""
    from luth_assets.stages.training.checkpoints import checkpoint_digest, folder_size, write_record

    src = output_dir / "final"
    work = final_dir.with_name(f".{final_dir.name}.partial")
    shutil.rmtree(work, ignore_errors=True)
    final_dir.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(src, work)
    record = {**record, "checkpoint_sha256": checkpoint_digest(work), "size_bytes": folder_size(work)}
    write_record(work, record)
    if final_dir.exists():
        shutil.rmtree(final_dir)
    os.replace(work, final_dir)
    return record


def run(pipes) -> dict[str, Any]:
    from luth_assets.lib.metadata import png_markdown
    from luth_assets.stages.training.loss_sparkline import loss_sparkline_markdown
    from luth_train.cards import sft_card, write_card
    from luth_train.config import train_config_from_dict
    from luth_train.loss_plot import loss_curves_png
    from luth_train.sft import train

    extras = pipes.extras if pipes is not None else json.loads(os.environ["LUTH_TRAIN_EXTRAS"])
    cfg = train_config_from_dict(extras["train_config"], source="pipes extras train_config")
    events: list[dict[str, Any]] = []

    def log(rec: dict[str, Any]) -> None:
        events.append(rec)
        line = json.dumps(rec)
        if pipes is not None:
            pipes.log.info(line)
        else:
            print(line, flush=True)

    metrics = train(cfg, log=log)
    summary = summarize(events, metrics)
    if pipes is None:
        return summary
    record = publish(Path(cfg.output_dir), Path(extras["final_dir"]),
                     {**extras.get("record", {}), "fingerprint": extras["fingerprint"],
                      "metrics": {k: v for k, v in summary.items() if not k.endswith("_curve")}})
    final_dir = Path(extras["final_dir"])  # <lake>/models/sft_checkpoint: the card's paths are
    data = extras.get("data", "gold/sft_mix (its train and validation splits)")
    write_card(final_dir, sft_card(cfg, metrics, final_dir.parents[1],  # relative to the lake
                                   data=[data], datasets=extras.get("datasets", [])))
    meta = {k: v for k, v in summary.items() if v is not None and not k.endswith("_curve")}
    meta.update({
        "checkpoint_path": final_dir.relative_to(final_dir.parents[1]).as_posix(),  # to the lake
        "checkpoint_sha256": record["checkpoint_sha256"],
        "size_bytes": record["size_bytes"],
        "fingerprint": extras["fingerprint"],
        "skipped": False,
        "loss_plot": {"raw_value": png_markdown(loss_curves_png(summary["loss_curve"],
                                                               summary["val_curve"]), "SFT loss"),
                      "type": "md"},
        # small enough for the UI to show in place (the PNG above opens behind "Show Markdown")
        "loss_curve_inline": {"raw_value": loss_sparkline_markdown(summary["loss_curve"],
                                                                   summary["val_curve"]) or "no loss logged",
                              "type": "md"},
        "loss_curve": {"raw_value": summary["loss_curve"], "type": "json"},
        "val_curve": {"raw_value": summary["val_curve"], "type": "json"},
    })
    pipes.report_asset_materialization(metadata=meta, data_version=extras["fingerprint"])
    return summary


def _extras_without_pipes() -> None:
    """Ranks other than 0 read the extras from the Pipes context without opening Pipes."""
    if "LUTH_TRAIN_EXTRAS" in os.environ:
        return
    from dagster_pipes import PipesDefaultContextLoader, PipesEnvVarParamsLoader

    params = PipesEnvVarParamsLoader().load_context_params()
    with PipesDefaultContextLoader().load_context(params) as data:
        os.environ["LUTH_TRAIN_EXTRAS"] = json.dumps(data["extras"])


def main() -> int:
    if _rank() != 0 or "DAGSTER_PIPES_CONTEXT" not in os.environ:
        # other ranks train but do not talk to Dagster; outside Dagster, LUTH_TRAIN_EXTRAS
        # (a JSON object with train_config) drives a plain run
        _extras_without_pipes()
        run(None)
        return 0
    from dagster_pipes import open_dagster_pipes

    with open_dagster_pipes() as pipes:
        run(pipes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
