"""The Luth authors' evaluation protocol, benchmark by benchmark.

Each benchmark renders one row of its hub dataset (the dataset's own columns) into what lighteval
calls a `Doc`: the `query` (the user turn before any chat template), the `choices` (continuations
for log-likelihood, or the letters/answers a generation is compared with), the `gold_index`, and
an optional `instruction` (the part of the query lighteval 0.10 moves into the system turn when a
system prompt is set).

French tasks follow the authors' custom tasks (kurakurai/Luth `src/eval/tasks.py` and
`src/eval/prompts.py`); English tasks follow lighteval 0.10.0 (`leaderboard|mmlu`,
`leaderboard|hellaswag`, `leaderboard|arc:challenge`, `extended|ifeval`, and the authors' fixed
`gpqa:diamond` / `math_500`). Where the installed lighteval still has the 0.10 function unchanged
it is called (ARC, GPQA, the French multiple-choice template, HellaSwag's preprocessing); where
0.13 changed a task (MMLU, HellaSwag, MATH-500) the 0.10 prompt is written here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

Mode = Literal["loglik", "gen_exact", "gen_letter", "gen_math", "gen_number", "gen_code", "ifeval"]

GPQA_FR_TEMPLATE = (
    "Répondez à la question à choix multiple suivante. "
    "La dernière ligne de votre réponse doit avoir le format suivant : 'Réponse : $LETTRE' "
    "(sans les guillemets) où LETTRE est l'une de A, B, C ou D. "
    "Réfléchissez étape par étape avant de répondre.\n\n"
    "{problem}\n\nA) {A}\nB) {B}\nC) {C}\nD) {D}"
)
MATH500_FR_TEMPLATE = (
    "Résous le problème de mathématiques suivant de manière efficace et claire. La dernière ligne "
    "de ta réponse doit être au format suivant : 'Donc, la réponse finale est : $\\boxed{{RÉPONSE}}$. "
    "J’espère que c’est correct' (sans les guillemets), où RÉPONSE est simplement le nombre ou "
    "l’expression qui résout le problème. Raisonne étape par étape avant de répondre.\n\n{problem}"
)
# lighteval 0.10.0 `default_prompts.math_500` (0.13 asks for "ANSWER: $ANSWER" instead); the two
# spaces after "clearly." are lighteval's.
MATH500_EN_TEMPLATE = (
    "Solve the following math problem efficiently and clearly.  The last line of your response "
    "should be of the following format: 'Therefore, the final answer is: $\\boxed{{ANSWER}}$. I hope "
    "it is correct' (without quotes) where ANSWER is just the final number or expression that solves "
    "the problem. Think step by step before answering.\n\n{problem}"
)
# MGSM as a chat task (the Luth-2 suite; its prompt is unpublished, this one is ours): the question,
# then where the final number goes, in the item's language.
MGSM_TEMPLATES = {
    "fr": (
        "Résous le problème suivant étape par étape. La dernière ligne de ta réponse doit être au "
        "format suivant : 'La réponse est : NOMBRE' où NOMBRE est le résultat, sans unité.\n\n{question}"
    ),
    "en": (
        "Solve the following problem step by step. The last line of your response should be of the "
        "form 'The answer is: NUMBER' where NUMBER is the result, without units.\n\n{question}"
    ),
}
# MBPP+ as a chat task (ours): the evalplus prompt (the task and one example assertion) and where
# the code goes.
MBPP_TEMPLATE = (
    "Write a Python function for the task below; it must pass the example test. Put the whole "
    "program in one ```python code block.\n\n{prompt}"
)
HELLASWAG_FR_INTRO = (
    "Voici une série de questions à choix multiples (avec réponses) pour évaluer le bon sens.\n\n"
)


@dataclass(frozen=True)
class Doc:
    query: str
    choices: list[str]
    gold_index: int | None
    instruction: str = ""
    specific: dict | None = None


@dataclass(frozen=True)
class Protocol:
    """How one benchmark is asked and scored (the authors' task definition)."""

    columns: tuple[str, ...]  # hub columns the prompt reads (a missing one is an error)
    mode: Mode
    metric: str  # the score reported (and in the score table)
    generation_size: int | None  # new tokens without thinking (None: log-likelihood, no generation)
    generation_size_thinking: int | None  # with thinking
    follows: str  # the authors' file / lighteval definition it follows
    seeded: bool = False  # the prompt draws the answer order from Python's `random` (variants.py)


GPQA_COLUMNS = ("Correct Answer", "Incorrect Answer 1", "Incorrect Answer 2", "Incorrect Answer 3")
AUTHORS = "kurakurai/Luth src/eval/tasks.py + prompts.py"

PROTOCOLS: dict[str, Protocol] = {
    "ifeval_fr": Protocol(
        ("prompt", "instruction_id_list", "kwargs"),
        "ifeval",
        "prompt_level_strict_acc",
        1024,
        8192,
        f"{AUTHORS} (ifeval_fr, prompt_ifeval_fr)",
    ),
    "ifeval_en": Protocol(
        ("prompt", "instruction_id_list", "kwargs"),
        "ifeval",
        "prompt_level_strict_acc",
        1024,
        8192,
        "lighteval 0.10 extended|ifeval (ifeval_prompt); sizes as the authors' other generative tasks",
    ),
    "mmlu_fr": Protocol(
        ("Question", "A", "B", "C", "D", "Answer"),
        "loglik",
        "acc",
        None,
        None,
        f"{AUTHORS} (mmlu_fr: lighteval's French MCQ template, MCF formulation)",
    ),
    "mmlu_en": Protocol(
        ("question", "subject", "choices", "answer"),
        "loglik",
        "acc",
        None,
        None,
        "lighteval 0.10 leaderboard|mmlu (default_prompts.mmlu_harness)",
    ),
    "gpqa_diamond_fr": Protocol(
        ("problem", *GPQA_COLUMNS),
        "gen_letter",
        "extractive_match",
        1024,
        8192,
        f"{AUTHORS} (gpqa_fr:diamond, gpqa_fr_instruct, gpqa_instruct_pass_fr_at_1_1n)",
        seeded=True,
    ),
    "gpqa_diamond_en": Protocol(
        ("Question", *GPQA_COLUMNS),
        "gen_letter",
        "extractive_match",
        1024,
        8192,
        f"{AUTHORS} (gpqa:diamond: lighteval 0.10 default_prompts.gpqa_instruct)",
        seeded=True,
    ),
    "math500_fr": Protocol(
        ("problem", "solution"),
        "gen_math",
        "math_equivalence",
        1024,
        8192,
        f"{AUTHORS} (math_500_fr, prompt_math_500_fr, math_fr_pass_at_1_1n)",
    ),
    "math500_en": Protocol(
        ("problem", "solution"),
        "gen_math",
        "math_equivalence",
        1024,
        8192,
        f"{AUTHORS} (math_500: lighteval 0.10 default_prompts.math_500, math_pass_at_1_1n)",
    ),
    "arc_challenge_fr": Protocol(
        ("question", "choices", "answerKey"),
        "loglik",
        "acc_norm",
        None,
        None,
        f"{AUTHORS} (arc_challenge_fr, prompt_arc_fr)",
    ),
    "arc_challenge_en": Protocol(
        ("question", "choices", "answerKey"),
        "loglik",
        "acc_norm",
        None,
        None,
        "lighteval 0.10 leaderboard|arc:challenge (default_prompts.arc)",
    ),
    "hellaswag_fr": Protocol(
        ("ctx_a", "ctx_b", "endings", "label"),
        "gen_exact",
        "exact_match",
        1,
        4096,
        f"{AUTHORS} (hellaswag_fr, prompt_hellaswag_fr, exact match)",
    ),
    "hellaswag_en": Protocol(
        ("activity_label", "ctx_a", "ctx_b", "endings", "label"),
        "loglik",
        "acc_norm",
        None,
        None,
        "lighteval 0.10 leaderboard|hellaswag (default_prompts.hellaswag_harness)",
    ),
}

NEWER = "the Luth-2 suite (lm-evaluation-harness fork, unpublished prompts)"
PROTOCOLS |= {
    "mgsm_fr": Protocol(("question", "answer_number"), "gen_number", "numeric_match", 1024, 8192,
                        f"{NEWER}: MGSM French, our chat prompt (MGSM_TEMPLATES), numeric match"),
    "mgsm_en": Protocol(("question", "answer_number"), "gen_number", "numeric_match", 1024, 8192,
                        f"{NEWER}: MGSM English, our chat prompt (MGSM_TEMPLATES), numeric match"),
    "aime24_en": Protocol(("problem", "answer"), "gen_math", "math_equivalence", 1024, 8192,
                          f"{NEWER}: AIME 2024 with lighteval 0.10's math_500 prompt, boxed answer"),
    "aime25_en": Protocol(("problem", "answer"), "gen_math", "math_equivalence", 1024, 8192,
                          f"{NEWER}: AIME 2025 with lighteval 0.10's math_500 prompt, boxed answer"),
    "mbppplus_en": Protocol(("prompt", "test_imports", "test"), "gen_code", "pass_at_1", 1024, 8192,
                            f"{NEWER}: MBPP+ (evalplus tests), our chat prompt (MBPP_TEMPLATE), sandboxed"),
}


class ProtocolError(ValueError):
    """A row that lacks what the protocol reads; the message names the column."""


def check_columns(name: str, row: dict, where: str) -> None:
    for column in PROTOCOLS[name].columns:
        if column not in row or row[column] is None:
            raise ProtocolError(
                f"{where}: missing column {column!r} that the {name} protocol reads "
                f"(columns present: {sorted(row)})"
            )


def gpqa_seed(benchmark: str, item_id: str, run: int) -> str:
    return f"{benchmark}:{item_id}:{run}"


def _seeded(source: tuple | str, fn, *args):
    """Call `fn` with Python's global `random` set from `source` (a `getstate()` tuple, or a seed
    string), as the GPQA prompt functions draw the gold position with `random.randint`; then put
    the global state back."""
    state = random.getstate()
    if isinstance(source, tuple):
        random.setstate(source)
    else:
        random.seed(source)
    try:
        return fn(*args)
    finally:
        random.setstate(state)


@lru_cache(maxsize=1)
def _mmlu_fr_prompt():
    from lighteval.tasks.templates.multichoice import get_mcq_prompt_function
    from lighteval.tasks.templates.utils.formulation import MCFFormulation
    from lighteval.utils.language import Language

    return get_mcq_prompt_function(
        Language.FRENCH,
        lambda line: {
            "question": line["Question"],
            "choices": [line["A"], line["B"], line["C"], line["D"]],
            "gold_idx": LETTERS.index(str(line["Answer"]).strip()),
        },
        formulation=MCFFormulation(),
    )


def _from_lighteval(doc: Any) -> Doc:
    gold = doc.gold_index
    gold = gold[0] if isinstance(gold, list | tuple) else gold
    return Doc(
        query=doc.query,
        choices=list(doc.choices),
        gold_index=None if gold is None else int(gold),
        instruction=doc.instruction or "",
        specific=doc.specific,
    )


def _hellaswag_fr(row: dict) -> Doc:
    query = HELLASWAG_FR_INTRO + f"Question: {row['ctx_a']} {row['ctx_b'].capitalize()}\n"
    query += "".join(f"{key}. {ending}\n" for key, ending in zip(LETTERS, row["endings"], strict=False))
    query += "Réponse:"
    return Doc(query, [" " + c for c in LETTERS[: len(row["endings"])]], int(row["label"]))


def _hellaswag_en(row: dict) -> Doc:
    from lighteval.tasks.templates.hellaswag import hellaswag_preprocess

    ctx = f"{row['ctx_a']} {row['ctx_b'].capitalize()} "
    return Doc(
        hellaswag_preprocess(row["activity_label"] + ": " + ctx),
        [hellaswag_preprocess(e) for e in row["endings"]],
        int(row["label"]),
    )


def _mmlu_en(row: dict) -> Doc:
    topic = str(row["subject"]).replace("_", " ")
    intro = f"The following are multiple choice questions (with answers) about {topic}.\n\n"
    query = intro + row["question"] + "\n"
    query += "".join(f"{key}. {choice}\n" for key, choice in zip(LETTERS, row["choices"], strict=False))
    query += "Answer:"
    answer = row["answer"]
    gold = LETTERS.index(answer) if isinstance(answer, str) else int(answer)
    return Doc(query, [" A", " B", " C", " D"], gold, instruction=intro)


def _gpqa_fr_doc(row: dict) -> Doc:
    gold = random.randint(0, 3)  # the authors' `gpqa_fr_instruct` draws from the global generator
    choices = [row["Incorrect Answer 1"], row["Incorrect Answer 2"], row["Incorrect Answer 3"]]
    choices.insert(gold, row["Correct Answer"])
    query = GPQA_FR_TEMPLATE.format(
        problem=row["problem"], A=choices[0], B=choices[1], C=choices[2], D=choices[3]
    )
    return Doc(query, list(LETTERS[:4]), gold)


def _gpqa_en_doc(row: dict) -> Doc:
    from lighteval.tasks.tasks.gpqa import gpqa_prompt  # identical to 0.10's gpqa_instruct

    return _from_lighteval(gpqa_prompt(row, "gpqa:diamond"))


def _arc_en(row: dict) -> Doc:
    from lighteval.tasks.tasks.arc import arc_prompt  # identical to 0.10's default_prompts.arc

    return _from_lighteval(arc_prompt(row, "arc:challenge"))


def render_row(
    name: str,
    row: dict,
    *,
    item_id: str = "",
    run: int = 0,
    where: str = "",
    index: int | None = None,
    gpqa_order: str = "authors",
) -> Doc:
    """The benchmark's `Doc` for one hub-schema row. Only GPQA's gold position depends on more than
    the row: on `index` (the row's position in the dataset) under the authors' order, on
    `item_id` and `run` under `per_run` (`variants.py`)."""
    check_columns(name, row, where or name)
    if PROTOCOLS[name].seeded:
        from luth_train.evaluation.variants import gpqa_random_source

        try:
            source = gpqa_random_source(name, index, item_id, run, gpqa_order)
        except ValueError as err:
            raise ProtocolError(f"{where or name}: {err}") from None
    try:
        if name in ("ifeval_fr", "ifeval_en"):
            specific = {"instructions_id_list": row["instruction_id_list"], "kwargs": row["kwargs"]}
            return Doc(row["prompt"], [""], 0, specific=specific)
        if name == "mmlu_fr":
            return _from_lighteval(_mmlu_fr_prompt()(row, "mmlu_fr"))
        if name == "mmlu_en":
            return _mmlu_en(row)
        if name in ("gpqa_diamond_fr", "gpqa_diamond_en"):
            return _seeded(source, _gpqa_fr_doc if name == "gpqa_diamond_fr" else _gpqa_en_doc, row)
        if name == "math500_fr":
            return Doc(MATH500_FR_TEMPLATE.format(problem=row["problem"]), [row["solution"]], 0)
        if name == "math500_en":
            return Doc(MATH500_EN_TEMPLATE.format(problem=row["problem"]), [row["solution"]], 0)
        if name in ("mgsm_fr", "mgsm_en"):
            language = name.rsplit("_", 1)[1]
            query = MGSM_TEMPLATES[language].format(question=row["question"])
            return Doc(query, [str(row["answer_number"]).strip()], 0)
        if name in ("aime24_en", "aime25_en"):
            answer = str(row["answer"]).strip()
            return Doc(MATH500_EN_TEMPLATE.format(problem=row["problem"]), [f"$\\boxed{{{answer}}}$"], 0)
        if name == "mbppplus_en":
            imports = row["test_imports"] if isinstance(row["test_imports"], list) else [row["test_imports"]]
            tests = "\n".join([*(str(i) for i in imports), str(row["test"])])
            return Doc(MBPP_TEMPLATE.format(prompt=str(row["prompt"]).strip()), [tests], 0)
        if name == "arc_challenge_fr":
            choices = row["choices"]
            if not isinstance(choices, list):
                raise ProtocolError(f"{where}: column 'choices' must be a list of strings, got {choices!r}")
            return Doc(
                f"Question: {row['question']}\nAnswer:",
                [f" {c}" for c in choices],
                ["A", "B", "C", "D"].index(row["answerKey"]),
            )
        if name == "arc_challenge_en":
            return _arc_en(row)
        if name == "hellaswag_fr":
            return _hellaswag_fr(row)
        if name == "hellaswag_en":
            return _hellaswag_en(row)
    except ProtocolError:
        raise
    except (KeyError, ValueError, TypeError, AttributeError, IndexError) as err:
        raise ProtocolError(
            f"{where or name}: row does not fit the {name} protocol: {type(err).__name__}: {err}"
        ) from None
    raise ProtocolError(f"no protocol for benchmark {name!r}")


def generation_size(name: str, enable_thinking: bool) -> int | None:
    """The task's own generation size (`evaluation.max_new_tokens` overrides it: `variants.py`)."""
    p = PROTOCOLS[name]
    return p.generation_size_thinking if enable_thinking else p.generation_size
