"""The twelve benchmarks render rows of their hub datasets exactly as the authors' custom tasks
(French; the strings of kurakurai/Luth src/eval/prompts.py) and lighteval 0.10.0 (English) do."""

from __future__ import annotations

import json
from string import ascii_uppercase

import pytest

from luth_train.evaluation.items import BenchmarkDataError, load_items
from luth_train.evaluation.protocol import PROTOCOLS, generation_size, render_row
from luth_train.evaluation.registry import BENCHMARK_NAMES, KNOWN_NAMES, get_spec

HELLASWAG_ROW = {
    "ind": 7,
    "activity_label": "Cuisine",
    "ctx_a": "Une femme casse deux œufs dans un bol.",
    "ctx_b": "elle",
    "endings": ["les bat avec une fourchette.", "repeint [title] le plafond.", "part nager.", "dort."],
    "label": "1",
}
GPQA_ANSWERS = {
    "Correct Answer": "l'électron",
    "Incorrect Answer 1": "le proton",
    "Incorrect Answer 2": "le neutron",
    "Incorrect Answer 3": "le photon",
}


def test_hellaswag_fr_is_the_authors_letter_prompt():
    doc = render_row("hellaswag_fr", HELLASWAG_ROW)
    assert doc.query == (
        "Voici une série de questions à choix multiples (avec réponses) pour évaluer le bon sens.\n\n"
        "Question: Une femme casse deux œufs dans un bol. Elle\n"
        "A. les bat avec une fourchette.\nB. repeint [title] le plafond.\nC. part nager.\nD. dort.\n"
        "Réponse:"
    )
    assert doc.choices == [" A", " B", " C", " D"] and doc.gold_index == 1
    p = PROTOCOLS["hellaswag_fr"]
    assert (p.mode, p.metric, generation_size("hellaswag_fr", False)) == ("gen_exact", "exact_match", 1)
    assert generation_size("hellaswag_fr", True) == 4096


def test_arc_challenge_fr_reads_a_list_of_choices():
    row = {"question": "Quel organe pompe le sang ?", "choices": ["le foie", "le cœur"], "answerKey": "B"}
    doc = render_row("arc_challenge_fr", row)
    assert doc.query == "Question: Quel organe pompe le sang ?\nAnswer:"
    assert doc.choices == [" le foie", " le cœur"] and doc.gold_index == 1
    assert PROTOCOLS["arc_challenge_fr"].mode == "loglik"


@pytest.mark.parametrize("run", [0, 1, 2])
def test_gpqa_fr_reads_problem_and_places_the_answer_at_a_seeded_position(run):
    row = {"problem": "Quelle particule porte une charge négative ?", **GPQA_ANSWERS}
    doc = render_row("gpqa_diamond_fr", row, item_id="rec1", run=run, gpqa_order="per_run")
    again = render_row("gpqa_diamond_fr", row, item_id="rec1", run=run, gpqa_order="per_run")
    assert doc == again  # seeded: the same run renders the same prompt
    options = ["le proton", "le neutron", "le photon"]
    options.insert(doc.gold_index, "l'électron")
    assert doc.query == (
        "Répondez à la question à choix multiple suivante. La dernière ligne de votre réponse doit avoir "
        "le format suivant : 'Réponse : $LETTRE' (sans les guillemets) où LETTRE est l'une de A, B, C ou D. "
        "Réfléchissez étape par étape avant de répondre.\n\n"
        "Quelle particule porte une charge négative ?\n\n"
        f"A) {options[0]}\nB) {options[1]}\nC) {options[2]}\nD) {options[3]}"
    )
    assert doc.choices == ["A", "B", "C", "D"]


def test_per_run_gpqa_position_moves_between_runs_and_items():
    row = {"problem": "Q ?", **GPQA_ANSWERS}
    golds = {
        render_row("gpqa_diamond_fr", row, item_id=f"r{i}", run=r, gpqa_order="per_run").gold_index
        for i in range(6)
        for r in (0, 1, 2)
    }
    assert len(golds) > 1


def test_gpqa_fr_without_problem_names_the_column(tmp_path):
    bad = tmp_path / "gpqa_fr.jsonl"
    bad.write_text(json.dumps({"Question": "Q ?", **GPQA_ANSWERS}) + "\n", encoding="utf-8")
    with pytest.raises(BenchmarkDataError, match=r"gpqa_fr.jsonl:1: missing column 'problem'"):
        load_items(get_spec("gpqa_diamond_fr").with_source(path=str(bad)))


def test_math500_fr_prompt_and_gold_from_the_solution():
    row = {"problem": "Calculez $2+2$.", "solution": "On a $2+2=\\boxed{4}$.", "answer": "4"}
    doc = render_row("math500_fr", row)
    assert doc.query == (
        "Résous le problème de mathématiques suivant de manière efficace et claire. La dernière ligne de ta "
        "réponse doit être au format suivant : 'Donc, la réponse finale est : $\\boxed{RÉPONSE}$. J’espère "
        "que c’est correct' (sans les guillemets), où RÉPONSE est simplement le nombre ou l’expression qui "
        "résout le problème. Raisonne étape par étape avant de répondre.\n\nCalculez $2+2$."
    )
    assert doc.choices == [row["solution"]]
    assert (generation_size("math500_fr", False), generation_size("math500_fr", True)) == (1024, 8192)


def test_ifeval_fr_query_is_the_prompt():
    row = {
        "key": 3,
        "prompt": "Écrivez sans virgule.",
        "instruction_id_list": ["punctuation:no_comma"],
        "kwargs": [{}],
    }
    doc = render_row("ifeval_fr", row)
    assert doc.query == "Écrivez sans virgule." and PROTOCOLS["ifeval_fr"].metric == "prompt_level_strict_acc"


def test_mmlu_fr_is_lightevals_french_mcf_template():
    row = {
        "Question": "Combien font 7 fois 8 ?",
        "A": "54",
        "B": "56",
        "C": "58",
        "D": "64",
        "Answer": "B",
        "Subject": "elementary_mathematics",
    }
    doc = render_row("mmlu_fr", row)
    assert doc.query == "Question: Combien font 7 fois 8 ?\n A. 54\n B. 56\n C. 58\n D. 64\nRéponse:"
    assert doc.choices == [" A", " B", " C", " D"] and doc.gold_index == 1
    from lighteval.tasks.templates.multichoice import get_mcq_prompt_function
    from lighteval.tasks.templates.utils.formulation import MCFFormulation
    from lighteval.utils.language import Language

    theirs = get_mcq_prompt_function(
        Language.FRENCH,
        lambda line: {
            "question": line["Question"],
            "choices": [line[k] for k in "ABCD"],
            "gold_idx": "ABCD".index(line["Answer"]),
        },
        formulation=MCFFormulation(),
    )(row, "mmlu_fr")
    assert (doc.query, doc.choices) == (theirs.query, theirs.choices)
    assert get_spec("mmlu_fr").revision == "038c7808122969ead7456361af05cb8f47d247f8"


# ----------------------------------------------------------------------------- English


def test_arc_en_is_lightevals_arc():
    from lighteval.tasks.tasks.arc import arc_prompt

    row = {
        "id": "x",
        "question": "Which organ pumps blood?",
        "choices": {"text": ["the liver", "the heart"], "label": ["A", "B"]},
        "answerKey": "B",
    }
    doc = render_row("arc_challenge_en", row)
    theirs = arc_prompt(row, "arc:challenge")
    assert (doc.query, doc.choices, doc.gold_index) == (theirs.query, theirs.choices, theirs.gold_index)
    assert doc.query == "Question: Which organ pumps blood?\nAnswer:" and doc.choices == [
        " the liver",
        " the heart",
    ]


def test_hellaswag_en_is_lighteval_0_10_harness_prompt():
    row = dict(HELLASWAG_ROW, activity_label="Cooking", ctx_a="A woman cracks eggs.", ctx_b="she")
    doc = render_row("hellaswag_en", row)
    # 0.10's hellaswag_harness: "<label>: <ctx_a> <Ctx_b> " through lm-eval's preprocessing
    assert doc.query == "Cooking: A woman cracks eggs. She "
    assert doc.choices[1] == "repeint. le plafond." and doc.gold_index == 1
    assert PROTOCOLS["hellaswag_en"].metric == "acc_norm"


def test_mmlu_en_is_lighteval_0_10_harness_prompt_with_its_instruction():
    row = {
        "question": "What is 7 times 8?",
        "subject": "elementary_mathematics",
        "choices": ["54", "56", "58", "64"],
        "answer": 1,
    }
    doc = render_row("mmlu_en", row)
    intro = "The following are multiple choice questions (with answers) about elementary mathematics.\n\n"
    assert doc.query == intro + "What is 7 times 8?\nA. 54\nB. 56\nC. 58\nD. 64\nAnswer:"
    assert doc.instruction == intro and doc.choices == [" A", " B", " C", " D"] and doc.gold_index == 1


def test_gpqa_en_is_lightevals_prompt_with_a_seeded_position():
    import random

    from lighteval.tasks.tasks.gpqa import gpqa_prompt

    row = {
        "Question": "Which particle is negative?",
        "Correct Answer": "electron",
        "Incorrect Answer 1": "proton",
        "Incorrect Answer 2": "neutron",
        "Incorrect Answer 3": "photon",
    }
    doc = render_row("gpqa_diamond_en", row, item_id="r", run=1, gpqa_order="per_run")
    random.seed("gpqa_diamond_en:r:1")
    theirs = gpqa_prompt(row, "gpqa:diamond")
    assert (doc.query, doc.choices, doc.gold_index) == (theirs.query, theirs.choices, theirs.gold_index)
    assert doc.query.startswith(
        "Answer the following multiple choice question. The last line of your "
        "response should be of the following format: 'Answer: $LETTER'"
    )
    assert f"{ascii_uppercase[doc.gold_index]}) electron" in doc.query


def test_math500_en_is_lighteval_0_10_prompt():
    doc = render_row("math500_en", {"problem": "Compute $1+1$.", "solution": "$\\boxed{2}$"})
    assert doc.query == (
        "Solve the following math problem efficiently and clearly.  The last line of your response should "
        "be of the following format: 'Therefore, the final answer is: $\\boxed{ANSWER}$. I hope it is "
        "correct' (without quotes) where ANSWER is just the final number or expression that solves the "
        "problem. Think step by step before answering.\n\nCompute $1+1$."
    )


def test_ifeval_en_is_lightevals_ifeval_prompt():
    row = {
        "key": 1,
        "prompt": "Write without commas.",
        "instruction_id_list": ["punctuation:no_comma"],
        "kwargs": [{}],
    }
    doc = render_row("ifeval_en", row)
    assert (doc.query, doc.choices, doc.gold_index) == ("Write without commas.", [""], 0)
    assert doc.specific == {"instructions_id_list": ["punctuation:no_comma"], "kwargs": [{}]}


def test_every_benchmark_has_a_protocol_and_its_columns_are_checked():
    assert set(PROTOCOLS) == set(KNOWN_NAMES)  # the paper's twelve and the newer benchmarks
    for p in PROTOCOLS.values():
        assert p.follows and p.columns
        if p.mode == "loglik":
            assert p.generation_size is None
        else:
            assert p.generation_size and p.generation_size_thinking >= p.generation_size


@pytest.mark.parametrize("name", BENCHMARK_NAMES)
def test_a_file_missing_a_protocol_column_fails_naming_file_and_column(tmp_path, name):
    from .conftest import DEMO_BENCHMARKS

    row = json.loads((DEMO_BENCHMARKS / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()[0])
    column = PROTOCOLS[name].columns[-1]
    row.pop(column)
    bad = tmp_path / f"{name}.jsonl"
    bad.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(BenchmarkDataError, match=rf"{name}.jsonl:1: missing column '{column}'"):
        load_items(get_spec(name).with_source(path=str(bad)))
