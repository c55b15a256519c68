"""Run lm-eval on the same multiple-choice items, prompts and model, for comparison.

Writes the items' rendered contexts and choices to a JSONL file and a local lm-eval task YAML
(`output_type: multiple_choice`), then runs `lm_eval.simple_evaluate` with `HFLM` on the model
folder, offline. Used by the tests (accuracy must match ours) and by
`benchmarks/eval_throughput.py` (examples/s).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

TASK_NAME = "luth_mc_reference"
TARGET_DELIMITER = " "


def lm_eval_request(item: dict) -> tuple[str, list[str]]:
    """(context, choices) in lm-eval's shape (the continuation is delimiter + choice) for the
    item's protocol query and targets, without chat template: the same strings our log-likelihood
    reads with `use_chat_template: false`."""
    query, targets = item["query"], list(item["targets"])
    if all(t.startswith(TARGET_DELIMITER) for t in targets):
        return query, [t[len(TARGET_DELIMITER) :] for t in targets]
    if query.endswith(TARGET_DELIMITER):  # HellaSwag: the space ends the query
        return query[: -len(TARGET_DELIMITER)], targets
    raise ValueError(f"{item['benchmark']} {item['item_id']}: no lm-eval delimiter fits its targets")


@dataclass
class ReferenceResult:
    acc: list[bool]  # per item, in item order
    acc_norm: list[bool]
    logliks: list[list[float]]
    seconds: float  # simple_evaluate wall time (model already loaded)


def write_task(items: Sequence[dict], folder: Path) -> Path:
    """The JSONL docs and the task YAML lm-eval reads; return the folder (its include_path)."""
    folder.mkdir(parents=True, exist_ok=True)
    docs = folder / "docs.jsonl"
    with docs.open("w", encoding="utf-8") as fh:
        for i, item in enumerate(items):
            context, choices = lm_eval_request(item)
            fh.write(
                json.dumps(
                    {"idx": i, "context": context, "choices": choices, "gold": item["gold_index"]},
                    ensure_ascii=False,
                )
                + "\n"
            )
    (folder / f"{TASK_NAME}.yaml").write_text(
        f"task: {TASK_NAME}\n"
        "dataset_path: json\n"
        f"dataset_kwargs:\n  data_files:\n    test: {json.dumps(str(docs))}\n"
        "test_split: test\n"
        "output_type: multiple_choice\n"
        'doc_to_text: "{{context}}"\n'
        'doc_to_choice: "{{choices}}"\n'
        'doc_to_target: "{{gold}}"\n'
        f"target_delimiter: {json.dumps(TARGET_DELIMITER)}\n"
        "metric_list:\n  - metric: acc\n  - metric: acc_norm\n",
        encoding="utf-8",
    )
    return folder


def load_hflm(model_dir: str, batch_size: int = 8):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    from lm_eval.models.huggingface import HFLM

    return HFLM(pretrained=model_dir, batch_size=batch_size, device="cpu", dtype="float32")


def run_reference(hflm, items: Sequence[dict], workdir: Path) -> ReferenceResult:
    import lm_eval
    from lm_eval.tasks import TaskManager

    folder = write_task(items, workdir)
    manager = TaskManager(include_path=str(folder), include_defaults=False)
    started = time.perf_counter()
    out = lm_eval.simple_evaluate(
        model=hflm,
        tasks=[TASK_NAME],
        task_manager=manager,
        log_samples=True,
        num_fewshot=0,
        bootstrap_iters=0,
        verbosity="ERROR",
    )
    seconds = time.perf_counter() - started
    samples = sorted(out["samples"][TASK_NAME], key=lambda s: s["doc"]["idx"])
    return ReferenceResult(
        acc=[bool(s["acc"]) for s in samples],
        acc_norm=[bool(s["acc_norm"]) for s in samples],
        logliks=[[float(r[0]) for r in s["filtered_resps"]] for s in samples],
        seconds=seconds,
    )
