"""Score a model on benchmarks: items in, per-sample rows (one set per run) and a summary out.

Every item is asked as its protocol renders it (`protocol.py`), through the chat template with the
system prompt and `enable_thinking` (`chat.py`). Log-likelihood tasks score each target after that
string; generative tasks decode greedily (temperature 0) up to the task's generation size, and with
thinking on the scored answer is the text after the last `</think>`.

`num_runs` repeats the evaluation (the authors average three). Only GPQA's prompt changes between
runs (its seeded gold position moves); for every other task the inputs are identical and decoding
is greedy, so runs after the first reuse the first run's rows (marked `reused_run` in `details`)
instead of recomputing the same numbers.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from luth_train.evaluation import ifeval as ifeval_scoring
from luth_train.evaluation.chat import final_answer, model_input
from luth_train.evaluation.items import load_items
from luth_train.evaluation.model_io import LoadedModel, load_model
from luth_train.evaluation.protocol import PROTOCOLS, Doc, generation_size, render_row
from luth_train.evaluation.registry import BenchmarkSpec

Log = Callable[[str], None]

IFEVAL_METRIC = "prompt_level_strict_acc"
DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant."


@dataclass
class EvalOptions:
    limit: int | None = None
    batch_size: int = 8
    max_new_tokens: int | None = None  # a cap on each task's generation size (protocol.py); None: none
    use_chat_template: bool = True
    system_prompt: str | None = DEFAULT_SYSTEM_PROMPT
    enable_thinking: bool = False
    temperature: float = 0.0
    num_runs: int = 3
    backend: str = "transformers"  # or "vllm" (GPU)
    device: str | None = None
    dtype: str = "auto"
    nltk_data: str | None = None

    def __post_init__(self) -> None:
        if self.temperature != 0.0:
            raise ValueError(
                f"temperature {self.temperature}: only greedy decoding (temperature 0, the authors' "
                "setting) is implemented"
            )
        if self.num_runs < 1:
            raise ValueError(f"num_runs must be at least 1, got {self.num_runs}")


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


def population_std(values: Sequence[float]) -> float | None:
    """Standard deviation over runs as the authors print it (numpy's `np.std`, ddof=0)."""
    if not values:
        return None
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))


def _row(item: dict, run: int, prompt: str, **values: Any) -> dict:
    row = {
        "benchmark": item["benchmark"],
        "item_id": item["item_id"],
        "sample_id": item["sample_id"],
        "run": run,
        "prompt": prompt,
        "response": None,
        "choice_logliks": None,
        "extracted": None,
        "correct": None,
        "details": "{}",
    }
    row.update(values)
    return row


def item_doc(item: dict, run: int = 0) -> Doc:
    """The item's protocol rendering for `run` (run 0 is stored on the item)."""
    if run == 0 or not PROTOCOLS[item["benchmark"]].seeded:
        return Doc(item["query"], list(item["targets"]), item["gold_index"], item.get("instruction") or "")
    row = json.loads(item["metadata"])["row"]
    return render_row(item["benchmark"], row, item_id=item["item_id"], run=run)


def model_inputs(lm: LoadedModel, docs: Sequence[Doc], options: EvalOptions) -> list[str]:
    return [
        model_input(
            lm.tokenizer,
            d.query,
            d.instruction,
            use_chat_template=options.use_chat_template,
            system_prompt=options.system_prompt,
            enable_thinking=options.enable_thinking,
            model_name=lm.name_or_path,
        )
        for d in docs
    ]


def score_multiple_choice(
    lm: LoadedModel,
    items: Sequence[dict],
    options: EvalOptions,
    log: Log | None = None,
    run: int = 0,
) -> list[dict]:
    from luth_train.evaluation.loglik import continuation_logliks

    docs = [item_doc(i, run) for i in items]
    contexts = model_inputs(lm, docs, options)
    requests: list[tuple[str, str]] = []
    spans: list[tuple[int, int]] = []
    for doc, context in zip(docs, contexts, strict=True):
        spans.append((len(requests), len(doc.choices)))
        requests += [(context, c) for c in doc.choices]
    progress = (lambda d, t: log(f"  log-likelihood {d}/{t}")) if log else None
    scores = continuation_logliks(lm, requests, batch_size=options.batch_size, progress=progress)
    rows = []
    for item, doc, context, (start, n) in zip(items, docs, contexts, spans, strict=True):
        logliks = [s for s, _ in scores[start : start + n]]
        # lighteval's acc_norm divides by the choice's length in characters; ARC's `nospace`
        # variant leaves out the leading space.
        nospace = item["task"] == "arc_challenge"
        lengths = [len(c[1:]) if nospace and c.startswith(" ") else len(c) for c in doc.choices]
        pred = max(range(n), key=lambda i: logliks[i])
        pred_norm = max(range(n), key=lambda i: logliks[i] / max(1, lengths[i]))
        metric = PROTOCOLS[item["benchmark"]].metric
        chosen = pred_norm if metric == "acc_norm" else pred
        details = {
            "acc": pred == doc.gold_index,
            "acc_norm": pred_norm == doc.gold_index,
            "metric": metric,
            "gold_index": doc.gold_index,
            "targets": doc.choices,
        }
        rows.append(
            _row(
                item,
                run,
                context,
                choice_logliks=logliks,
                extracted=doc.choices[chosen].strip(),
                correct=chosen == doc.gold_index,
                details=json.dumps(details, ensure_ascii=False),
            )
        )
    return rows


def _generate(
    lm: LoadedModel, texts: list[str], max_new_tokens: int, options: EvalOptions, log: Log | None
) -> list[str]:
    from luth_train.evaluation.generation import generate_greedy, generate_vllm

    if options.backend == "vllm":
        return generate_vllm(lm.name_or_path, texts, max_new_tokens=max_new_tokens)
    progress = (lambda d, t: log(f"  generated {d}/{t}")) if log else None
    return generate_greedy(
        lm, texts, max_new_tokens=max_new_tokens, batch_size=options.batch_size, progress=progress
    )


def score_responses(
    spec: BenchmarkSpec,
    items: Sequence[dict],
    responses: Sequence[str],
    *,
    enable_thinking: bool = False,
    prompts: Sequence[str] | None = None,
    run: int = 0,
) -> list[dict]:
    """Score given responses to generative items (HellaSwag-FR letter, GPQA, maths, IFEval)."""
    from luth_train.evaluation.extraction import extract_letter, math_equivalent

    rows = []
    for k, (item, response) in enumerate(zip(items, responses, strict=True)):
        doc = item_doc(item, run)
        prompt = prompts[k] if prompts is not None else doc.query
        answer = final_answer(response, enable_thinking)
        thinking = {"unterminated_thinking": answer is None} if enable_thinking else {}
        details = thinking
        extracted = None
        if spec.scoring == "gen_exact":
            extracted = None if answer is None else answer.strip()
            correct = extracted == doc.choices[doc.gold_index].strip()
        elif spec.scoring == "gen_letter":
            extracted = None if answer is None else extract_letter(answer, len(doc.choices), item["language"])
            correct = extracted == doc.choices[doc.gold_index]
        elif spec.scoring == "gen_math":
            correct, extracted = (
                (False, None) if answer is None else math_equivalent(doc.choices[0], answer, item["language"])
            )
        elif spec.scoring == "ifeval":
            meta = json.loads(item["metadata"])
            res = ifeval_scoring.score_response(
                doc.query, meta["instruction_id_list"], meta["kwargs"], answer or ""
            )
            correct = res.prompt_strict
            details = {"instruction_ids": res.instruction_ids, "strict": res.strict, "loose": res.loose,
                       "prompt_loose": res.prompt_loose, "unscored": res.unscored, **thinking}
        else:
            raise ValueError(f"{spec.name}: scoring {spec.scoring!r} is not generative")
        rows.append(_row(item, run, prompt, response=response, extracted=extracted, correct=correct,
                         details=json.dumps(details, ensure_ascii=False)))
    return rows


def _run_once(
    lm: LoadedModel, spec: BenchmarkSpec, items: list[dict], options: EvalOptions, run: int, log: Log | None
) -> list[dict]:
    if spec.scoring == "loglik_mc":
        return score_multiple_choice(lm, items, options, log, run=run)
    docs = [item_doc(i, run) for i in items]
    texts = model_inputs(lm, docs, options)
    size = generation_size(spec.name, options.enable_thinking) or 1
    if options.max_new_tokens:
        size = min(size, options.max_new_tokens)
    responses = _generate(lm, texts, size, options, log)
    return score_responses(
        spec, items, responses, enable_thinking=options.enable_thinking, prompts=texts, run=run
    )


def _reuse(rows: list[dict], run: int) -> list[dict]:
    out = []
    for row in rows:
        details = json.loads(row["details"]) | {"reused_run": 0}
        out.append(dict(row, run=run, details=json.dumps(details, ensure_ascii=False)))
    return out


def summarise(spec: BenchmarkSpec, rows: Sequence[dict]) -> dict[str, Any]:
    """Score (fraction correct, 0..1): the mean over runs of each run's accuracy, the runs'
    standard deviation (`score_std`), and the first run's per-item standard error (`stderr`)."""
    runs = sorted({r.get("run", 0) for r in rows}) or [0]
    per_run = []
    for run in runs:
        values = [
            1.0 if r["correct"] else 0.0 for r in rows if r.get("run", 0) == run and r["correct"] is not None
        ]
        per_run.append(mean_stderr(values))
    first = [r for r in rows if r.get("run", 0) == runs[0]]
    scores = [m for m, _ in per_run if m is not None]
    summary: dict[str, Any] = {
        "benchmark": spec.name,
        "task": spec.task,
        "language": spec.language,
        "scoring": spec.scoring,
        "metric": PROTOCOLS[spec.name].metric,
        "n": len(first),
        "n_scored": sum(r["correct"] is not None for r in first),
        "num_runs": len(runs),
        "run_scores": scores,
        "score": sum(scores) / len(scores) if scores else None,
        "score_std": population_std(scores),
        "stderr": per_run[0][1],
    }
    if spec.scoring == "loglik_mc":
        details = [json.loads(r["details"]) for r in first]
        summary["acc"] = mean_stderr([float(d["acc"]) for d in details])[0]
        summary["acc_norm"] = mean_stderr([float(d["acc_norm"]) for d in details])[0]
    elif spec.scoring == "ifeval":
        results = []
        for r in first:
            d = json.loads(r["details"])
            results.append(
                ifeval_scoring.IFEvalResult(d["instruction_ids"], d["strict"], d["loose"], d["unscored"])
            )
        summary |= ifeval_scoring.aggregate(results)
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
        log(f"{spec.name}: {len(items)} items ({spec.scoring}), {options.num_runs} run(s)")
    if spec.scoring == "ifeval":
        ifeval_scoring.configure_nltk(options.nltk_data)
    rows: list[dict] = []
    first: list[dict] = []
    for run in range(options.num_runs):
        if run and not PROTOCOLS[spec.name].seeded:
            rows += _reuse(first, run)  # same inputs, greedy decoding: the same rows
            continue
        done = _run_once(lm, spec, items, options, run, log)
        first = first or done
        rows += done
    summary = summarise(spec, rows)
    summary["seconds"] = round(time.perf_counter() - started, 3)
    return BenchmarkResult(spec, rows, summary)


def evaluate_model(
    model: str, specs: Sequence[BenchmarkSpec], options: EvalOptions, log: Log | None = None
) -> list[BenchmarkResult]:
    lm = load_model(model, device=options.device, dtype=options.dtype)
    return [evaluate_benchmark(lm, spec, options, log=log) for spec in specs]
