"""Multiple-choice evaluation throughput: ours vs lm-eval, same items, prompts and tiny model.

Builds a small Qwen3 model (random weights, authored tokenizer text), loads multiple-choice items
(ARC-Challenge EN and MMLU FR from ../shared/data/benchmarks when present, else the demo files),
and scores them in one run with:

- ours: `luth_train.evaluation.runner.score_multiple_choice` (model already loaded);
- lm-eval: `simple_evaluate` with `HFLM` (already loaded) on a local task YAML of the same
  contexts and choices; and lm-eval's bare `HFLM.loglikelihood` on the same requests.

Prints examples/s of each, checks the per-item accuracies are identical, and ends with one JSON
line. Exit 1 when ours is slower than lm-eval (ratio < target) or accuracies differ.

    .venv/bin/python benchmarks/eval_throughput.py [--items 120] [--batch-size 8]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = Path(os.environ.get("LUTH_SHARED_DATA", REPO.parent / "shared" / "data")) / "benchmarks"
DEMO = REPO / "data_lake" / "landing" / "benchmarks"

TEXTS = [
    "Question : Quel organe pompe le sang ? Réponse : le cœur.",
    "Question: Which organ pumps blood? Answer: the heart.",
    "Voici des questions à choix multiples (avec réponses) sur la biologie.",
    "The following are multiple choice questions (with answers) about astronomy.",
    "Le chat dort sur le canapé pendant que la pluie tombe. The quick brown fox jumps.",
] * 8


def _arc_key_is_a_label(row: dict) -> bool:
    return row["answerKey"] in row["choices"]["label"]


def load_mc_items(n: int) -> tuple[list[dict], str]:
    from luth_train.evaluation.items import load_items
    from luth_train.evaluation.registry import get_spec

    if SHARED.is_dir():
        half = n // 2
        # the stand-in has four rows whose answerKey is not among their labels: left out
        arc = Path(tempfile.mkdtemp()) / "arc.jsonl"
        rows = (SHARED / "arc_challenge_en_sample.jsonl").read_text(encoding="utf-8").splitlines()
        arc.write_text(
            "\n".join(r for r in rows if r.strip() and _arc_key_is_a_label(json.loads(r))) + "\n",
            encoding="utf-8",
        )
        items = load_items(get_spec("arc_challenge_en").with_source(path=str(arc)), half)
        items += load_items(
            get_spec("mmlu_fr").with_source(path=str(SHARED / "mmlu_fr" / "test"), format="mmlu_csv"),
            n - half,
        )
        return items, "shared/data/benchmarks (arc_challenge_en + mmlu_fr)"
    items = []
    for name in (
        "arc_challenge_fr",
        "arc_challenge_en",
        "mmlu_fr",
        "mmlu_en",
        "hellaswag_en",
    ):
        items += load_items(get_spec(name).with_source(path=str(DEMO / f"{name}.jsonl")))
    return items[:n], "demo files"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=120)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds; best time of each kept")
    parser.add_argument("--target", type=float, default=1.0, help="ours / lm-eval examples/s, at least")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    from luth_train.evaluation.lm_eval_reference import (
        TARGET_DELIMITER,
        lm_eval_request,
        load_hflm,
        run_reference,
    )
    from luth_train.evaluation.model_io import load_model
    from luth_train.evaluation.runner import EvalOptions, score_multiple_choice
    from luth_train.tiny_model import build_tiny_model

    items, source = load_mc_items(args.items)
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = build_tiny_model(
            Path(tmp) / "model", TEXTS, vocab_size=512, hidden_size=128, num_layers=4, intermediate_size=256
        )
        lm = load_model(str(model_dir), device="cpu", dtype="float32")
        hflm = load_hflm(str(model_dir), batch_size=args.batch_size)
        # the comparison reads the protocol's strings without chat template, as lm-eval does here
        options = EvalOptions(batch_size=args.batch_size, use_chat_template=False, system_prompt=None,
                              num_runs=1)
        n_requests = sum(len(i["choices"]) for i in items)
        print(
            f"{len(items)} items ({n_requests} choices) from {source}; batch size {args.batch_size}, "
            f"{args.threads} thread(s)"
        )

        # warm-up (first-call costs) on a few items, both sides
        score_multiple_choice(lm, items[:4], options)
        run_reference(hflm, items[:4], Path(tmp) / "warm")

        from lm_eval.api.instance import Instance

        requests = [
            Instance(request_type="loglikelihood", doc={}, arguments=(ctx, TARGET_DELIMITER + cont), idx=j)
            for item in items
            for ctx, conts in [lm_eval_request(item)]
            for j, cont in enumerate(conts)
        ]
        # Alternate the three measurements and keep each one's best time: the machine is shared.
        ours_s = ref_s = bare_s = float("inf")
        for round_ in range(args.rounds):
            started = time.perf_counter()
            rows = score_multiple_choice(lm, items, options)
            ours_s = min(ours_s, time.perf_counter() - started)
            ref = run_reference(hflm, items, Path(tmp) / f"task{round_}")
            ref_s = min(ref_s, ref.seconds)
            started = time.perf_counter()
            hflm.loglikelihood(requests, disable_tqdm=True)
            bare_s = min(bare_s, time.perf_counter() - started)

    ours_acc = [json.loads(r["details"])["acc"] for r in rows]
    ours_norm = [json.loads(r["details"])["acc_norm"] for r in rows]
    identical = ours_acc == ref.acc and ours_norm == ref.acc_norm
    ours_eps, ref_eps, bare_eps = len(items) / ours_s, len(items) / ref_s, len(items) / bare_s
    print(
        f"ours:                      {ours_s:7.2f}s  {ours_eps:8.1f} examples/s  "
        f"acc {sum(ours_acc)}/{len(items)}"
    )
    print(
        f"lm-eval simple_evaluate:   {ref_s:7.2f}s  {ref_eps:8.1f} examples/s  "
        f"acc {sum(ref.acc)}/{len(items)}"
    )
    print(f"lm-eval HFLM.loglikelihood:{bare_s:7.2f}s  {bare_eps:8.1f} examples/s (scoring loop only)")
    print(f"identical per-item accuracy (acc and acc_norm): {identical}")
    figures = {
        "ratio": round(ours_eps / ref_eps, 3),
        "ratio_vs_loglikelihood_loop": round(ours_eps / bare_eps, 3),
        "target": args.target,
        "ours_examples_per_s": round(ours_eps, 1),
        "lm_eval_examples_per_s": round(ref_eps, 1),
        "lm_eval_loop_examples_per_s": round(bare_eps, 1),
        "items": len(items),
        "batch_size": args.batch_size,
        "rounds": args.rounds,
        "accuracy": round(sum(ours_acc) / len(items), 4),
        "lm_eval_accuracy": round(sum(ref.acc) / len(items), 4),
        "identical_accuracy": identical,
    }
    print(json.dumps(figures))
    return (
        0
        if identical
        and figures["ratio"] >= args.target
        and figures["ratio_vs_loglikelihood_loop"] >= args.target
        else 1
    )


if __name__ == "__main__":
    sys.exit(main())
