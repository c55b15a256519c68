"""The twelve evaluations of the Luth paper: six benchmarks, each in French and English.

Each entry says where the items come from in a real run (hub id, config, split, the row shape
`format`), which prompt template renders them, and how a response is scored:

- `loglik_mc`   : multiple choice by log-likelihood of each choice (ARC, HellaSwag, MMLU);
- `gen_letter`  : generation, the chosen letter is extracted (GPQA-Diamond);
- `gen_math`    : generation, the final answer is compared for mathematical equivalence (Math500);
- `ifeval`      : generation, IFEval's verifiable instructions (prompt/instruction level,
                  strict/loose).

A run configuration can point any benchmark at a local file instead (`path` + `format`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

Scoring = Literal["loglik_mc", "gen_letter", "gen_math", "ifeval"]
Language = Literal["fr", "en"]

# Row shapes the loaders understand (see `items.py`).
FORMATS = (
    "ifeval",  # key, prompt, instruction_id_list, kwargs (google/IFEval, M-IFEval, fr_ifeval)
    "mmlu",  # question, choices (list), answer (int or letter) [, subject]  (cais/mmlu)
    "mmlu_csv",  # headerless CSV: question,A,B,C,D,answer-letter (a file or a folder of them)
    "arc",  # id, question, choices{text,label}, answerKey (allenai/ai2_arc)
    "hellaswag",  # ctx | ctx_a+ctx_b, endings, label [, activity_label] (Rowan/hellaswag)
    "gpqa",  # Question, Correct Answer, Incorrect Answer 1..3 (Idavidrein/gpqa)
    "gpqa_prompts",  # prompt (options already inside), answer (letter, maybe \boxed{X})
    "math",  # problem, answer [, solution, subject, level] (MATH-500)
    "mgsm_tsv",  # question<TAB>answer, no header (MGSM, a maths stand-in)
)


@dataclass(frozen=True)
class BenchmarkSpec:
    name: str
    task: str
    language: Language
    scoring: Scoring
    format: str
    hub_id: str | None = None
    hub_config: str | None = None
    split: str = "test"
    path: str | None = None  # local-file alternative (a file, or a folder for mmlu_csv)

    def with_source(
        self,
        *,
        path: str | None = None,
        format: str | None = None,
        hub_id: str | None = None,
        hub_config: str | None = None,
        split: str | None = None,
    ) -> BenchmarkSpec:
        fmt = format or self.format
        if fmt not in FORMATS:
            raise ValueError(f"benchmark {self.name}: unknown format {fmt!r}; expected one of {FORMATS}")
        return replace(
            self,
            path=path if path is not None else self.path,
            format=fmt,
            hub_id=hub_id or self.hub_id,
            hub_config=hub_config or self.hub_config,
            split=split or self.split,
        )


TASKS = ("ifeval", "mmlu", "gpqa_diamond", "math500", "arc_challenge", "hellaswag")

REGISTRY: dict[str, BenchmarkSpec] = {
    spec.name: spec
    for spec in [
        BenchmarkSpec("ifeval_fr", "ifeval", "fr", "ifeval", "ifeval", "jzhang86/fr_ifeval", None, "train"),
        BenchmarkSpec("ifeval_en", "ifeval", "en", "ifeval", "ifeval", "google/IFEval", None, "train"),
        BenchmarkSpec("mmlu_fr", "mmlu", "fr", "loglik_mc", "mmlu", "openai/MMMLU", "FR_FR", "test"),
        BenchmarkSpec("mmlu_en", "mmlu", "en", "loglik_mc", "mmlu", "cais/mmlu", "all", "test"),
        BenchmarkSpec(
            "gpqa_diamond_fr",
            "gpqa_diamond",
            "fr",
            "gen_letter",
            "gpqa",
            "le-leadboard/gpqa-fr",
            "gpqa_diamond",
            "train",
        ),
        BenchmarkSpec(
            "gpqa_diamond_en",
            "gpqa_diamond",
            "en",
            "gen_letter",
            "gpqa",
            "Idavidrein/gpqa",
            "gpqa_diamond",
            "train",
        ),
        BenchmarkSpec(
            "math500_fr", "math500", "fr", "gen_math", "math", "bezir/MATH-500-multilingual", "French", "test"
        ),
        BenchmarkSpec(
            "math500_en", "math500", "en", "gen_math", "math", "HuggingFaceH4/MATH-500", None, "test"
        ),
        BenchmarkSpec(
            "arc_challenge_fr",
            "arc_challenge",
            "fr",
            "loglik_mc",
            "arc",
            "manu/french_bench_arc_challenge",
            None,
            "test",
        ),
        BenchmarkSpec(
            "arc_challenge_en",
            "arc_challenge",
            "en",
            "loglik_mc",
            "arc",
            "allenai/ai2_arc",
            "ARC-Challenge",
            "test",
        ),
        BenchmarkSpec(
            "hellaswag_fr",
            "hellaswag",
            "fr",
            "loglik_mc",
            "hellaswag",
            "manu/french_bench_hellaswag",
            None,
            "validation",
        ),
        BenchmarkSpec(
            "hellaswag_en", "hellaswag", "en", "loglik_mc", "hellaswag", "Rowan/hellaswag", None, "validation"
        ),
    ]
}

BENCHMARK_NAMES: tuple[str, ...] = tuple(REGISTRY)


def get_spec(name: str) -> BenchmarkSpec:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown benchmark {name!r}; known: {', '.join(BENCHMARK_NAMES)}") from None


def parse_benchmark_list(text: str) -> list[str]:
    """`"arc_challenge_fr,mmlu"` -> names; a task name (`mmlu`) expands to its FR and EN entries;
    `all` means the twelve."""
    names: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if part == "all":
            expanded = list(BENCHMARK_NAMES)
        elif part in TASKS:
            expanded = [f"{part}_fr", f"{part}_en"]
        else:
            expanded = [get_spec(part).name]
        names += [n for n in expanded if n not in names]
    if not names:
        raise ValueError("no benchmark named; give e.g. --benchmarks arc_challenge_fr,mmlu_en")
    return names
