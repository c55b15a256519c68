"""Score a model on benchmarks: items in, per-sample rows (one set per run) and a summary out.

Every item is asked as its protocol renders it (`protocol.py`), through the chat template with the
system prompt and `enable_thinking` (`chat.py`). Log-likelihood tasks score each target after that
string; generative tasks decode greedily (temperature 0) up to the generation size (the task's,
or `max_new_tokens` over it: `variants.py`), and with thinking on the scored answer is the text
after the last `</think>`.

`num_runs` repeats the evaluation (the authors average three). Only GPQA's prompt can change
between runs (with `gpqa_order: per_run` its gold position moves); otherwise the inputs are
identical and decoding is greedy, so runs after the first reuse the first run's rows (marked
`reused_run` in `details`) instead of recomputing the same numbers.
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
from luth_train.evaluation.generation import Sampling
from luth_train.evaluation.items import load_items
from luth_train.evaluation.model_io import LoadedModel, load_model
from luth_train.evaluation.protocol import PROTOCOLS, Doc, render_row
from luth_train.evaluation.registry import BenchmarkSpec
from luth_train.evaluation.variants import ProtocolChoices, alternate_math_score, subject_average

Log = Callable[[str], None]

IFEVAL_METRIC = "prompt_level_strict_acc"
DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant."


@dataclass
class EvalOptions:
    limit: int | None = None
    batch_size: int = 8
    max_new_tokens: int | None = None  # overrides every task's generation size; None: the task's own
    use_chat_template: bool = True
    system_prompt: str | None = DEFAULT_SYSTEM_PROMPT
    enable_thinking: bool = False
    temperature: float = 0.0  # 0: greedy (the paper); > 0: sampled with top_p, top_k (Luth-2)
    top_p: float = 1.0
    top_k: int | None = None
    seed: int = 0  # sampling seed of run 0; run r uses seed + r
    num_runs: int = 3
    backend: str = "transformers"  # or "vllm" (GPU)
    device: str | None = None
    dtype: str = "auto"
    nltk_data: str | None = None
    hellaswag_fr_scoring: str = "authors"  # or "first_token" (variants.py)
    gpqa_order: str = "authors"  # or "per_run"
    math_scoring: str = "authors"  # or "corrected"

    def __post_init__(self) -> None:
        self.choices()  # an unknown variant is an error here
        if self.temperature < 0:
            raise ValueError(f"temperature must be >= 0 (0: greedy); got {self.temperature}")
        self.sampling(0)  # a bad top_p / top_k is an error here
        if self.num_runs < 1:
            raise ValueError(f"num_runs must be at least 1, got {self.num_runs}")

    @property
    def sampled(self) -> bool:
        return self.temperature > 0

    def sampling(self, run: int) -> Sampling | None:
        """Run `run`'s decoding: None (greedy) at temperature 0, else sampled with seed + run."""
        if not self.sampled:
            return None
        return Sampling(self.temperature, self.top_p, self.top_k, self.seed + run)

    def choices(self) -> ProtocolChoices:
        return ProtocolChoices(
            max_new_tokens=self.max_new_tokens,
            enable_thinking=self.enable_thinking,
            hellaswag_fr_scoring=self.hellaswag_fr_scoring,
            gpqa_order=self.gpqa_order,
            math_scoring=self.math_scoring,
        )


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


def item_doc(item: dict, run: int = 0, gpqa_order: str = "authors") -> Doc:
    """The item's protocol rendering for `run` (run 0 in the items' own GPQA order is stored on
    the item)."""
    stored = Doc(item["query"], list(item["targets"]), item["gold_index"], item.get("instruction") or "")
    if not PROTOCOLS[item["benchmark"]].seeded:
        return stored
    meta = json.loads(item["metadata"])
    if run == 0 and meta.get("gpqa_order", "authors") == gpqa_order:
        return stored
    return render_row(
        item["benchmark"],
        meta["row"],
        item_id=item["item_id"],
        run=run,
        index=meta.get("index"),
        gpqa_order=gpqa_order,
        where=meta.get("source", ""),
    )


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

    docs = [item_doc(i, run, options.gpqa_order) for i in items]
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
        if item["benchmark"] == "mmlu_en":  # reported as the mean of the subject accuracies
            details["subject"] = json.loads(item["metadata"])["row"].get("subject")
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
    lm: LoadedModel, texts: list[str], max_new_tokens: int, options: EvalOptions, log: Log | None, run: int
) -> list[str]:
    from luth_train.evaluation.generation import generate_texts

    progress = (lambda d, t: log(f"  generated {d}/{t}")) if log else None
    return generate_texts(lm, texts, max_new_tokens=max_new_tokens, batch_size=options.batch_size,
                          backend=options.backend, sampling=options.sampling(run), progress=progress)


def score_responses(
    spec: BenchmarkSpec,
    items: Sequence[dict],
    responses: Sequence[str],
    *,
    enable_thinking: bool = False,
    prompts: Sequence[str] | None = None,
    run: int = 0,
    choices: ProtocolChoices | None = None,
) -> list[dict]:
    """Score given responses to generative items (HellaSwag-FR letter, GPQA, maths, IFEval), with
    the protocol's `choices` (default: the authors'; their `enable_thinking` wins over the
    argument)."""
    from luth_train.evaluation.code_exec import run_program_tests
    from luth_train.evaluation.extraction import extract_letter, math_scores
    from luth_train.evaluation.numeric import numeric_match

    choices = choices or ProtocolChoices(enable_thinking=enable_thinking)
    enable_thinking = choices.enable_thinking
    rows = []
    for k, (item, response) in enumerate(zip(items, responses, strict=True)):
        doc = item_doc(item, run, choices.gpqa_order)
        prompt = prompts[k] if prompts is not None else doc.query
        answer = final_answer(response, enable_thinking)
        thinking = {"unterminated_thinking": answer is None} if enable_thinking else {}
        details = {
            "metric": choices.metric(spec.name),
            "generation_size": choices.generation_size(spec.name),
            **thinking,
        }
        extracted = None
        if spec.scoring == "gen_exact":
            # lighteval's `em` (ExactMatches(strip_strings=True)): the whole stripped reply
            extracted = None if answer is None else answer.strip()
            gold = doc.choices[doc.gold_index].strip()
            correct = bool(extracted) and extracted == gold
            details["prefix_exact_match"] = bool(extracted) and extracted.startswith(gold)
        elif spec.scoring == "gen_letter":
            extracted = None if answer is None else extract_letter(answer, len(doc.choices), item["language"])
            correct = extracted == doc.choices[doc.gold_index]
            details["gold_index"] = doc.gold_index
        elif spec.scoring == "gen_math":
            authors, corrected, extracted = (False, False, None)
            if answer is not None:
                authors, corrected, extracted = math_scores(doc.choices[0], answer, item["language"])
            correct = authors if choices.math_scoring == "authors" else corrected
            details |= {"math_scoring": choices.math_scoring, "authors": authors, "corrected": corrected}
        elif spec.scoring == "gen_number":
            correct, extracted = False, None
            if answer is not None:
                correct, extracted = numeric_match(doc.choices[0], answer, item["language"])
        elif spec.scoring == "gen_code":  # the program with the item's tests, in the sandbox
            ran = run_program_tests(answer or "", doc.choices[0])
            correct, extracted, details["verdict"] = ran.passed, ran.verdict, ran.verdict
        elif spec.scoring == "ifeval":
            meta = json.loads(item["metadata"])
            res = ifeval_scoring.score_response(
                doc.query, meta["instruction_id_list"], meta["kwargs"], answer or ""
            )
            correct = res.prompt_strict
            details |= {"instruction_ids": res.instruction_ids, "strict": res.strict, "loose": res.loose,
                        "prompt_loose": res.prompt_loose, "unscored": res.unscored}
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
    choices = options.choices()
    docs = [item_doc(i, run, choices.gpqa_order) for i in items]
    texts = model_inputs(lm, docs, options)
    size = choices.generation_size(spec.name) or 1
    responses = _generate(lm, texts, size, options, log, run)
    return score_responses(spec, items, responses, prompts=texts, run=run, choices=choices)


def _reuse(rows: list[dict], run: int) -> list[dict]:
    out = []
    for row in rows:
        details = json.loads(row["details"]) | {"reused_run": 0}
        out.append(dict(row, run=run, details=json.dumps(details, ensure_ascii=False)))
    return out


def summarise(spec: BenchmarkSpec, rows: Sequence[dict]) -> dict[str, Any]:
    """Score (fraction correct, 0..1): the mean over runs of each run's accuracy (MMLU-EN: of its
    subject average), the runs' standard deviation (`score_std`), and the first run's per-item
    standard error (`stderr`). MMLU-EN adds `item_mean`; MATH-500 the other scoring's score
    (`score_corrected` or `score_authors`)."""
    runs = sorted({r.get("run", 0) for r in rows}) or [0]
    per_run, item_means, alternates = [], [], []
    for run in runs:
        mine = [r for r in rows if r.get("run", 0) == run]
        values = [1.0 if r["correct"] else 0.0 for r in mine if r["correct"] is not None]
        mean, stderr = mean_stderr(values)
        item_means.append(mean)
        by_subject = subject_average(mine)
        per_run.append((by_subject if by_subject is not None else mean, stderr))
        alternates.append(alternate_math_score(mine))
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
    if subject_average(first) is not None:
        means = [m for m in item_means if m is not None]
        summary["item_mean"] = sum(means) / len(means) if means else None
    if alternates[0] is not None:
        other = alternates[0][0]
        summary[f"score_{other}"] = sum(a[1] for a in alternates if a) / len([a for a in alternates if a])
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
        sampled = options.sampled and spec.scoring != "loglik_mc"
        if run and not sampled and not options.choices().varies_between_runs(spec.name):
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
