"""The protocol's switchable details: where the authors' pipeline and a corrected one part ways.

Each is a key of `evaluation:` whose default is what the authors ran (kurakurai/Luth
`configs/eval/eval_config.yaml` on lighteval 0.10.0); the alternative is named, never silent.

- `max_new_tokens`: an override of every generative task's own generation size, as lighteval
  0.10's vLLM model reads it (`generation_parameters.max_new_tokens or split[0].generation_size`).
  The authors set 8192; null keeps each task's size (`protocol.generation_size`).
- `hellaswag_fr_scoring`: `authors` generates with the task's size after the override and
  exact-matches the whole stripped reply with the gold letter (lighteval's `em`, the authors' task
  metric), so "A. Elle les bat…" scores wrong; `first_token` always generates the task's own size
  (1 token without thinking) and scores that, so a model that explains its letter still scores.
- `gpqa_order`: `authors` places each GPQA answer where the authors' pipeline did: lighteval seeds
  `random.seed(1234)` when a `Pipeline` starts (each of their runs makes a new one), then formats
  every selected task in sorted name order, each row in dataset order. Of their twelve task
  names, only `community|arc_challenge_fr` sorts before `community|gpqa:diamond` and it draws
  nothing (and `datasets` draws its fingerprints from its own generator); `gpqa:diamond` (English,
  198 rows) draws `randint(0, 3)` once per row, then `gpqa_fr:diamond` once per row. So English
  row i takes draw i and French row j draw 198 + j, identical in every run. `per_run` draws from
  a generator seeded with `benchmark:item_id:run`, so the order moves between runs and the runs
  measure the answer-order variance.
- `math_scoring`: `authors` reproduces their MATH-500 metric: lighteval's `PassAtK` calls
  `compare_gold_target(prediction, gold, doc)`, so the `Doc` lands in `precision`; any
  comparison that rounds a float (`2.25` against `\\frac{9}{4}`) then raises inside and scores
  False. `corrected` compares gold with prediction at the default precision (6 digits).
- `preset`: a named protocol filling the keys a configuration leaves out (keys it gives win).
  `luth2` is the Luth-2 release's protocol (their lm-evaluation-harness fork): sampled decoding at
  temperature 0.6, top_p 0.95, top_k 20, thinking off, the mean and standard deviation of 10 runs.
  Each run samples with its own seed (`seed + run`), so the standard deviation measures sampling.
- MMLU-EN is reported as `leaderboard|mmlu:_average`, the mean of the subject accuracies
  (lighteval's per-superset average); the mean over items is kept beside it (`tables.py`).
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass

from luth_train.evaluation.protocol import PROTOCOLS, generation_size, gpqa_seed

HELLASWAG_FR_SCORINGS = ("authors", "first_token")
PRESETS: dict[str, dict] = {
    "luth2": {"temperature": 0.6, "top_p": 0.95, "top_k": 20, "enable_thinking": False, "num_runs": 10},
}


def apply_preset(section: dict) -> dict:
    """An `evaluation:` mapping with its `preset`'s values under the keys it does not set itself."""
    name = section.get("preset")
    if name is None:
        return section
    if name not in PRESETS:
        raise ValueError(f"evaluation.preset must be one of {', '.join(PRESETS)}; got {name!r}")
    return PRESETS[name] | section

GPQA_ORDERS = ("authors", "per_run")
MATH_SCORINGS = ("authors", "corrected")

AUTHORS_SEED = 1234  # lighteval 0.10 `Pipeline._init_random_seeds`
GPQA_DIAMOND_EN_ROWS = 198  # Idavidrein/gpqa gpqa_diamond (train): the draws before the French task's
# position of a benchmark's first draw in the authors' sequence (sorted task names, rows in order)
GPQA_FIRST_DRAW = {"gpqa_diamond_en": 0, "gpqa_diamond_fr": GPQA_DIAMOND_EN_ROWS}

_STATES: list[tuple] = []


def authors_random_state(position: int) -> tuple:
    """Python's `random` state after `position` draws of `randint(0, 3)` from `seed(1234)`: the
    state the authors' GPQA prompt function finds at that draw."""
    if position < 0:
        raise ValueError(f"draw position must be >= 0, got {position}")
    if not _STATES:
        _STATES.append(random.Random(AUTHORS_SEED).getstate())
    rng = random.Random()
    while len(_STATES) <= position:
        rng.setstate(_STATES[-1])
        rng.randint(0, 3)
        _STATES.append(rng.getstate())
    return _STATES[position]


def gpqa_random_source(name: str, index: int | None, item_id: str, run: int, order: str) -> tuple | str:
    """What seeds the global `random` before a GPQA row's prompt function: the authors' state for
    the row's position (`authors`), or the `benchmark:item_id:run` string (`per_run`)."""
    if order == "per_run":
        return gpqa_seed(name, item_id, run)
    if index is None:
        raise ValueError(f"{name}: the authors' answer order needs the row's position in the dataset")
    return authors_random_state(GPQA_FIRST_DRAW[name] + index)


def _check(key: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"evaluation.{key} must be one of {', '.join(allowed)}; got {value!r}")


@dataclass(frozen=True)
class ProtocolChoices:
    """The switchable details of one evaluation (defaults: the authors')."""

    max_new_tokens: int | None = None
    enable_thinking: bool = False
    hellaswag_fr_scoring: str = "authors"
    gpqa_order: str = "authors"
    math_scoring: str = "authors"

    def __post_init__(self) -> None:
        _check("hellaswag_fr_scoring", self.hellaswag_fr_scoring, HELLASWAG_FR_SCORINGS)
        _check("gpqa_order", self.gpqa_order, GPQA_ORDERS)
        _check("math_scoring", self.math_scoring, MATH_SCORINGS)
        if self.max_new_tokens is not None and self.max_new_tokens < 1:
            raise ValueError(f"evaluation.max_new_tokens must be >= 1 or null; got {self.max_new_tokens}")

    def generation_size(self, name: str) -> int | None:
        """New tokens generated for the benchmark (None: log-likelihood, nothing generated)."""
        own = generation_size(name, self.enable_thinking)
        if own is None:
            return None
        if name == "hellaswag_fr" and self.hellaswag_fr_scoring == "first_token":
            return own
        return self.max_new_tokens or own

    def metric(self, name: str) -> str:
        """What scores an item of the benchmark, as `--dump-prompts` and the rows record it."""
        p = PROTOCOLS[name]
        if p.mode == "loglik":
            return f"loglik_{p.metric}"
        if name == "hellaswag_fr":
            if self.hellaswag_fr_scoring == "authors":
                return "exact_match_whole_reply"
            return "exact_match_first_token"
        if p.mode == "gen_math":
            return f"math_equivalence_{self.math_scoring}"
        if p.mode == "gen_letter":
            return "extractive_match_letter"
        return p.metric

    def varies_between_runs(self, name: str) -> bool:
        """Whether a run's prompts differ from the first run's (GPQA under `per_run` only)."""
        return PROTOCOLS[name].seeded and self.gpqa_order == "per_run"


def subject_average(rows: Sequence[dict]) -> float | None:
    """lighteval's `leaderboard|mmlu:_average`: the mean of the subjects' accuracies (rows whose
    `details` name a subject; None when none does)."""
    by_subject: dict[str, list[float]] = {}
    for r in rows:
        subject = json.loads(r.get("details") or "{}").get("subject")
        if subject is not None and r["correct"] is not None:
            by_subject.setdefault(subject, []).append(1.0 if r["correct"] else 0.0)
    if not by_subject:
        return None
    return sum(sum(v) / len(v) for v in by_subject.values()) / len(by_subject)


def alternate_math_score(rows: Sequence[dict]) -> tuple[str, float] | None:
    """(the scoring not reported, its accuracy) of MATH rows that carry both verdicts."""
    details = [json.loads(r.get("details") or "{}") for r in rows]
    details = [d for d in details if "math_scoring" in d]
    if not details:
        return None
    other = "corrected" if details[0]["math_scoring"] == "authors" else "authors"
    return other, sum(1.0 for d in details if d[other]) / len(details)
