"""The twelve evaluations of the Luth paper: six benchmarks, each in French and English.

Each entry says where the items come from in a real run (hub id, config, split) and how a
response is scored (the prompt and metric of each benchmark are in `protocol.py`):

- `loglik_mc`   : multiple choice by log-likelihood of each choice (ARC, MMLU, HellaSwag English);
- `gen_exact`   : generation of one letter, exact match (HellaSwag French, as the authors);
- `gen_letter`  : generation, the chosen letter is extracted (GPQA-Diamond);
- `gen_math`    : generation, the final answer is compared for mathematical equivalence (Math500);
- `gen_number`  : generation, the final number is compared with the gold number (MGSM);
- `gen_code`    : generation, the program runs with the item's tests in the sandbox (MBPP+);
- `ifeval`      : generation, IFEval's verifiable instructions (prompt/instruction level,
                  strict/loose).

Beside the paper's twelve (`BENCHMARK_NAMES`, what an empty `evaluation.benchmarks` runs), the
newer benchmarks of the Luth-2 suite (`NEWER_BENCHMARK_NAMES`: MGSM, AIME 2024/2025, MBPP+) are known and
run when a configuration names them.

A run configuration can point any benchmark at a local file instead (`path`): read in the hub
dataset's own columns (`format: hub`, the default) or converted from a stand-in shape.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

Scoring = Literal["loglik_mc", "gen_exact", "gen_letter", "gen_math", "gen_number", "gen_code", "ifeval"]
Language = Literal["fr", "en"]

# Row shapes a local file may have (see `items.py`): `hub` is the benchmark's hub dataset's own
# columns (the protocol's columns in `protocol.PROTOCOLS`); the others are stand-ins converted to it.
FORMATS = (
    "hub",
    "mmlu_csv",  # headerless CSV: question,A,B,C,D,answer-letter (a file or a folder of them)
    "gpqa_prompts",  # prompt (options already inside as "(A) ..."), answer (letter, maybe \boxed{X})
    "mgsm_tsv",  # question<TAB>answer, no header: MGSM's columns for mgsm_*, else a maths stand-in
    # (solution = \boxed{answer})
)


@dataclass(frozen=True)
class BenchmarkSpec:
    name: str
    task: str
    language: Language
    scoring: Scoring
    format: str = "hub"
    hub_id: str | None = None
    hub_config: str | None = None
    split: str = "test"
    path: str | None = None  # local-file alternative (a file, or a folder for mmlu_csv)
    revision: str | None = None  # hub revision (commit) the protocol pins
    # items in the hub split (its dataset viewer's row count); None where not known. Checked against
    # `gold/benchmark_items` (a local `path`: its own row count instead).
    expected_items: int | None = None

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
        same_split = (hub_id or self.hub_id, hub_config or self.hub_config, split or self.split) == (
            self.hub_id, self.hub_config, self.split)
        return replace(
            self,
            path=path if path is not None else self.path,
            format=fmt,
            hub_id=hub_id or self.hub_id,
            revision=self.revision if not hub_id or hub_id == self.hub_id else None,
            expected_items=self.expected_items if same_split else None,
            hub_config=hub_config or self.hub_config,
            split=split or self.split,
        )


TASKS = ("ifeval", "mmlu", "gpqa_diamond", "math500", "arc_challenge", "hellaswag")

REGISTRY: dict[str, BenchmarkSpec] = {
    spec.name: spec
    for spec in [
        BenchmarkSpec("ifeval_fr", "ifeval", "fr", "ifeval", "hub", "jzhang86/fr_ifeval", None, "train"),
        BenchmarkSpec("ifeval_en", "ifeval", "en", "ifeval", "hub", "google/IFEval", None, "train",
                      expected_items=541),
        BenchmarkSpec(
            "mmlu_fr",
            "mmlu",
            "fr",
            "loglik_mc",
            "hub",
            "openai/MMMLU",
            "FR_FR",
            "test",
            revision="038c7808122969ead7456361af05cb8f47d247f8",
        ),
        BenchmarkSpec("mmlu_en", "mmlu", "en", "loglik_mc", "hub", "cais/mmlu", "all", "test",
                      expected_items=14_042),
        BenchmarkSpec(
            "gpqa_diamond_fr",
            "gpqa_diamond",
            "fr",
            "gen_letter",
            "hub",
            "le-leadboard/gpqa-fr",
            "gpqa_diamond",
            "train",
        ),
        BenchmarkSpec(
            "gpqa_diamond_en",
            "gpqa_diamond",
            "en",
            "gen_letter",
            "hub",
            "Idavidrein/gpqa",
            "gpqa_diamond",
            "train",
            expected_items=198,
        ),
        BenchmarkSpec(
            "math500_fr", "math500", "fr", "gen_math", "hub", "bezir/MATH-500-multilingual", "French", "test"
        ),
        BenchmarkSpec(
            "math500_en", "math500", "en", "gen_math", "hub", "HuggingFaceH4/MATH-500", None, "test",
            expected_items=500,
        ),
        BenchmarkSpec(
            "arc_challenge_fr",
            "arc_challenge",
            "fr",
            "loglik_mc",
            "hub",
            "manu/french_bench_arc_challenge",
            None,
            "test",
        ),
        BenchmarkSpec(
            "arc_challenge_en",
            "arc_challenge",
            "en",
            "loglik_mc",
            "hub",
            "allenai/ai2_arc",
            "ARC-Challenge",
            "test",
            expected_items=1_172,
        ),
        BenchmarkSpec(
            "hellaswag_fr",
            "hellaswag",
            "fr",
            "gen_exact",
            "hub",
            "manu/french_bench_hellaswag",
            None,
            "validation",
        ),
        BenchmarkSpec(
            "hellaswag_en", "hellaswag", "en", "loglik_mc", "hub", "Rowan/hellaswag", None, "validation",
            expected_items=10_042,
        ),
    ]
}

BENCHMARK_NAMES: tuple[str, ...] = tuple(REGISTRY)

# The newer benchmarks of the Luth-2 suite. MGSM (juletxara/mgsm: `question`, `answer_number`; the
# human-translated French and English test sets); AIME (`problem`, `answer`; English, 30 each);
# MBPP+ (evalplus: `prompt`, `test_imports`, `test`; English, 378).
NEWER_TASKS = ("mgsm", "aime24", "aime25", "mbppplus")
NEWER_SPECS = [
    BenchmarkSpec("mgsm_fr", "mgsm", "fr", "gen_number", "hub", "juletxara/mgsm", "fr", "test"),
    BenchmarkSpec("mgsm_en", "mgsm", "en", "gen_number", "hub", "juletxara/mgsm", "en", "test"),
    BenchmarkSpec("aime24_en", "aime24", "en", "gen_math", "hub", "HuggingFaceH4/aime_2024", None, "train"),
    BenchmarkSpec("aime25_en", "aime25", "en", "gen_math", "hub", "yentinglin/aime_2025", None, "train"),
    BenchmarkSpec("mbppplus_en", "mbppplus", "en", "gen_code", "hub", "evalplus/mbppplus", None, "test"),
]
REGISTRY.update({spec.name: spec for spec in NEWER_SPECS})
NEWER_BENCHMARK_NAMES: tuple[str, ...] = tuple(spec.name for spec in NEWER_SPECS)
KNOWN_NAMES: tuple[str, ...] = BENCHMARK_NAMES + NEWER_BENCHMARK_NAMES

# Loss-based view: mean token loss on held-out French / English text (`language_loss.py`); scored
# like a benchmark (a `gold/benchmark_scores` cell per model) but not one of the twelve.
LANGUAGE_LOSS_NAMES: tuple[str, ...] = ("language_loss_fr", "language_loss_en")


def language_of(name: str) -> str:
    return REGISTRY[name].language if name in REGISTRY else name.rsplit("_", 1)[-1]


def get_spec(name: str) -> BenchmarkSpec:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown benchmark {name!r}; known: {', '.join(KNOWN_NAMES)}") from None


def parse_benchmark_list(text: str) -> list[str]:
    """`"arc_challenge_fr,mmlu"` -> names; a task name (`mmlu`) expands to its FR and EN entries;
    `all` means the twelve."""
    names: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if part == "all":
            expanded = list(BENCHMARK_NAMES)
        elif part in TASKS or part in NEWER_TASKS:
            expanded = [n for n in (f"{part}_fr", f"{part}_en") if n in REGISTRY]
        else:
            expanded = [get_spec(part).name]
        names += [n for n in expanded if n not in names]
    if not names:
        raise ValueError("no benchmark named; give e.g. --benchmarks arc_challenge_fr,mmlu_en")
    return names
