"""Answer extraction (GPQA letters) and maths equivalence, through lighteval's extractive match
configured as the authors' metrics (lighteval 0.10.0)."""

from __future__ import annotations

import pytest

from luth_train.evaluation.extraction import extract_letter, math_equivalent


@pytest.mark.parametrize(
    ("response", "language", "expected"),
    [
        ("Après réflexion, la bonne option est claire.\nRéponse : B", "fr", "B"),
        ("La réponse est (C).", "fr", "C"),
        ("Reasoning... Answer: D", "en", "D"),
        ("**A**", "en", "A"),
        # lighteval 0.10 also extracts without an anchor (0.13 no longer does): the authors' scores
        # count a reply starting with a word in C as option C
        ("Cher countile, 40000", "en", "C"),
        ("", "fr", None),
    ],
)
def test_letters(response, language, expected):
    assert extract_letter(response, 4, language) == expected


@pytest.mark.parametrize(
    ("solution", "response", "language", "correct"),
    [
        ("On trouve $\\boxed{\\frac{3}{4}}$.", "On simplifie : \\boxed{0.75}", "fr", True),
        (
            "Hence $\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}$.",
            "So the answer is \\boxed{(3, \\pi/2)}.",
            "en",
            True,
        ),
        ("$\\boxed{70000}$", "Il gagne 70 000 dollars, donc la réponse est $70000$.", "fr", True),
        ("$3 + 8 = \\boxed{11}$", "Compute: 3 + 8 = \\boxed{12}", "en", False),
        ("$\\boxed{3}$", "je ne sais pas", "fr", False),
    ],
)
def test_maths_equivalence_against_the_solutions_boxed_answer(solution, response, language, correct):
    ok, extracted = math_equivalent(solution, response, language)
    assert ok is correct
    if correct:
        assert extracted
