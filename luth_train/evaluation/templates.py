"""Prompt templates, French for the French benchmarks and English for the English ones.

Multiple choice (`loglik_mc`) renders a context and one continuation per choice, the way
lm-eval's tasks do (the continuation starts with the target delimiter " "). Generative tasks
render the user message sent through the model's chat template.
"""

from __future__ import annotations

import json

from luth_train.evaluation.items import LETTERS

TARGET_DELIMITER = " "

WORDS = {
    "fr": {
        "question": "Question :",
        "answer": "Réponse :",
        "mmlu_intro": "Voici des questions à choix multiples (avec réponses) sur {subject}.\n\n",
        "gpqa_instruction": (
            "Répondez par la lettre de la bonne option. Terminez votre réponse par "
            "« Réponse : X », où X est l'une des lettres {letters}."
        ),
        "math_instruction": ("Raisonnez étape par étape et donnez votre réponse finale dans \\boxed{}."),
    },
    "en": {
        "question": "Question:",
        "answer": "Answer:",
        "mmlu_intro": "The following are multiple choice questions (with answers) about {subject}.\n\n",
        "gpqa_instruction": (
            "Answer with the letter of the correct option. End your reply with "
            "'Answer: X', where X is one of {letters}."
        ),
        "math_instruction": "Please reason step by step, and put your final answer within \\boxed{}.",
    },
}


def mc_request(item: dict) -> tuple[str, list[str]]:
    """(context, continuations) for a multiple-choice item."""
    words = WORDS[item["language"]]
    task = item["task"]
    choices = item["choices"]
    if task == "mmlu":
        subject = json.loads(item["metadata"]).get("subject", "")
        intro = words["mmlu_intro"].format(subject=subject.replace("_", " ")) if subject else ""
        options = "\n".join(f"{LETTERS[i]}. {c}" for i, c in enumerate(choices))
        context = f"{intro}{item['question']}\n{options}\n{words['answer']}"
        return context, [f"{TARGET_DELIMITER}{LETTERS[i]}" for i in range(len(choices))]
    if task == "hellaswag":
        label = json.loads(item["metadata"]).get("activity_label", "")
        context = f"{label}: {item['question']}" if label else item["question"]
        return context, [f"{TARGET_DELIMITER}{c}" for c in choices]
    context = f"{words['question']} {item['question']}\n{words['answer']}"
    return context, [f"{TARGET_DELIMITER}{c}" for c in choices]


def user_prompt(item: dict) -> str:
    """The user message for a generative item (IFEval, GPQA, maths)."""
    words = WORDS[item["language"]]
    task = item["task"]
    if task == "ifeval":
        return item["question"]
    if item["choices"]:
        letters = [LETTERS[i] for i in range(len(item["choices"]))]
        options = "\n".join(f"({L}) {c}" for L, c in zip(letters, item["choices"], strict=True))
        joined = ", ".join(letters)
        return f"{item['question']}\n\n{options}\n\n{words['gpqa_instruction'].format(letters=joined)}"
    return f"{item['question']}\n\n{words['math_instruction']}"


def render(item: dict, scoring: str) -> str:
    """A readable rendering of what the model sees (stored as `prompt` in benchmark_scores)."""
    if scoring == "loglik_mc":
        context, continuations = mc_request(item)
        return context + "\n" + "\n".join(f"[{i}]{c}" for i, c in enumerate(continuations))
    return user_prompt(item)
