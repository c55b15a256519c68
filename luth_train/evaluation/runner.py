"""Score a model on benchmarks: items in, per-sample rows and an aggregate score out."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from luth_train.evaluation import ifeval as ifeval_scoring
from luth_train.evaluation.items import LETTERS, load_items
from luth_train.evaluation.model_io import LoadedModel, load_model
from luth_train.evaluation.registry import BenchmarkSpec
from luth_train.evaluation.templates import mc_request, render, user_prompt

Log = Callable[[str], None]

# The per-sample metric each multiple-choice task reports (the Open LLM Leaderboard's choice).
MC_METRIC = {"mmlu": "acc", "arc_challenge": "acc_norm", "hellaswag": "acc_norm"}
IFEVAL_METRIC = "prompt_level_strict_acc"


@dataclass
class EvalOptions:
    limit: int | None = None
    batch_size: int = 8
    max_new_tokens: int = 512
    system_prompt: str | None = None
    backend: str = "transformers"  # or "vllm" (GPU)
    device: str | None = None
    dtype: str = "auto"
    nltk_data: str | None = None


@dataclass
class BenchmarkResult:
    spec: BenchmarkSpec
    rows: list[dict]
    summary: dict[str, Any] = field(default_factory=dict)


def mean_stderr(values: Sequence[float]) -> tuple[float | None, float | None]:
    """Mean and its standard error (sample standard deviation / sqrt(n), as lm-eval)."""
    n = len(values)
    if n == 0:
        return None, None
    mean = sum(values) / n
    if n < 2:
        return mean, None
    var = sum((v - mean) ** 2 for v in values) / (n - 1)
    return mean, math.sqrt(var / n)


def _row(item: dict, prompt: str, **values: Any) -> dict:
    row = {
        "benchmark": item["benchmark"],
        "item_id": item["item_id"],
        "sample_id": item["sample_id"],
        "prompt": prompt,
        "response": None,
        "choice_logliks": None,
        "extracted": None,
        "correct": None,
        "details": "{}",
    }
    row.update(values)
    return row


def score_multiple_choice(
    lm: LoadedModel, items: Sequence[dict], options: EvalOptions, log: Log | None = None
) -> list[dict]:
    from luth_train.evaluation.loglik import continuation_logliks

    requests: list[tuple[str, str]] = []
    spans: list[tuple[int, int]] = []
    for item in items:
        context, continuations = mc_request(item)
        spans.append((len(requests), len(continuations)))
        requests += [(context, c) for c in continuations]
    progress = (lambda d, t: log(f"  log-likelihood {d}/{t}")) if log else None
    scores = continuation_logliks(lm, requests, batch_size=options.batch_size, progress=progress)
    rows = []
    for item, (start, n) in zip(items, spans, strict=True):
        logliks = [s for s, _ in scores[start : start + n]]
        lengths = [len(c) for c in item["choices"]] if item["task"] != "mmlu" else [1] * n
        pred = max(range(n), key=lambda i: logliks[i])
        pred_norm = max(range(n), key=lambda i: logliks[i] / max(1, lengths[i]))
        metric = MC_METRIC.get(item["task"], "acc")
        chosen = pred_norm if metric == "acc_norm" else pred
        details = {
            "acc": pred == item["gold_index"],
            "acc_norm": pred_norm == item["gold_index"],
            "metric": metric,
            "gold_index": item["gold_index"],
        }
        rows.append(
            _row(
                item,
                render(item, "loglik_mc"),
                choice_logliks=logliks,
                extracted=LETTERS[chosen],
                correct=chosen == item["gold_index"],
                details=json.dumps(details),
            )
        )
    return rows


def _generate(lm: LoadedModel, prompts: list[str], options: EvalOptions, log: Log | None) -> list[str]:
    from luth_train.evaluation.generation import generate_greedy, generate_vllm

    if options.backend == "vllm":
        return generate_vllm(
            lm.name_or_path,
            lm.tokenizer,
            prompts,
            system_prompt=options.system_prompt,
            max_new_tokens=options.max_new_tokens,
        )
    progress = (lambda d, t: log(f"  generated {d}/{t}")) if log else None
    return generate_greedy(
        lm,
        prompts,
        system_prompt=options.system_prompt,
        max_new_tokens=options.max_new_tokens,
        batch_size=options.batch_size,
        progress=progress,
    )


def score_responses(spec: BenchmarkSpec, items: Sequence[dict], responses: Sequence[str]) -> list[dict]:
    """Score given responses to generative items (GPQA letters, maths, IFEval)."""
    from luth_train.evaluation.extraction import extract_letter, math_equivalent

    rows = []
    for item, response in zip(items, responses, strict=True):
        prompt = user_prompt(item)
        if spec.scoring == "gen_letter":
            letter = extract_letter(response, len(item["choices"]), item["language"])
            rows.append(
                _row(
                    item,
                    prompt,
                    response=response,
                    extracted=letter,
                    correct=letter == LETTERS[item["gold_index"]],
                )
            )
        elif spec.scoring == "gen_math":
            ok, extracted = math_equivalent(item["answer"], response, item["language"])
            rows.append(_row(item, prompt, response=response, extracted=extracted, correct=ok))
        elif spec.scoring == "ifeval":
            meta = json.loads(item["metadata"])
            res = ifeval_scoring.score_response(
                item["question"], meta["instruction_id_list"], meta["kwargs"], response
            )
            details = {
                "instruction_ids": res.instruction_ids,
                "strict": res.strict,
                "loose": res.loose,
                "prompt_loose": res.prompt_loose,
                "unscored": res.unscored,
            }
            rows.append(
                _row(
                    item,
                    prompt,
                    response=response,
                    correct=res.prompt_strict,
                    details=json.dumps(details, ensure_ascii=False),
                )
            )
        else:
            raise ValueError(f"{spec.name}: scoring {spec.scoring!r} is not generative")
    return rows


def summarise(spec: BenchmarkSpec, rows: Sequence[dict]) -> dict[str, Any]:
    """Aggregate score (fraction correct, 0..1) with its standard error, and task extras."""
    values = [1.0 if r["correct"] else 0.0 for r in rows if r["correct"] is not None]
    score, stderr = mean_stderr(values)
    summary: dict[str, Any] = {
        "benchmark": spec.name,
        "task": spec.task,
        "language": spec.language,
        "scoring": spec.scoring,
        "n": len(rows),
        "n_scored": len(values),
        "score": score,
        "stderr": stderr,
    }
    if spec.scoring == "loglik_mc":
        details = [json.loads(r["details"]) for r in rows]
        summary["metric"] = MC_METRIC.get(spec.task, "acc")
        summary["acc"] = mean_stderr([float(d["acc"]) for d in details])[0]
        summary["acc_norm"] = mean_stderr([float(d["acc_norm"]) for d in details])[0]
    elif spec.scoring == "ifeval":
        results = []
        for r in rows:
            d = json.loads(r["details"])
            results.append(
                ifeval_scoring.IFEvalResult(d["instruction_ids"], d["strict"], d["loose"], d["unscored"])
            )
        summary["metric"] = IFEVAL_METRIC
        summary |= ifeval_scoring.aggregate(results)
    else:
        summary["metric"] = "exact_match" if spec.scoring == "gen_letter" else "math_equivalence"
    return summary


def evaluate_benchmark(
    lm: LoadedModel,
    spec: BenchmarkSpec,
    options: EvalOptions,
    items: Sequence[dict] | None = None,
    log: Log | None = None,
) -> BenchmarkResult:
    started = time.perf_counter()
    items = list(items) if items is not None else load_items(spec, options.limit)
    if options.limit is not None:
        items = items[: options.limit]
    if log:
        log(f"{spec.name}: {len(items)} items ({spec.scoring})")
    if spec.scoring == "ifeval":
        ifeval_scoring.configure_nltk(options.nltk_data)
    if spec.scoring == "loglik_mc":
        rows = score_multiple_choice(lm, items, options, log)
    else:
        responses = _generate(lm, [user_prompt(i) for i in items], options, log)
        rows = score_responses(spec, items, responses)
    summary = summarise(spec, rows)
    summary["seconds"] = round(time.perf_counter() - started, 3)
    return BenchmarkResult(spec, rows, summary)


def evaluate_model(
    model: str, specs: Sequence[BenchmarkSpec], options: EvalOptions, log: Log | None = None
) -> list[BenchmarkResult]:
    lm = load_model(model, device=options.device, dtype=options.dtype)
    return [evaluate_benchmark(lm, spec, options, log=log) for spec in specs]
