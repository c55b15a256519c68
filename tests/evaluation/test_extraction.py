"""Answer extraction (GPQA letters) and maths equivalence, through lighteval's extractive match."""

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
        ("Cher countile, 40000", "en", None),  # no anchor: a word starting with C is not an answer
        ("", "fr", None),
    ],
)
def test_letters(response, language, expected):
    assert extract_letter(response, 4, language) == expected


@pytest.mark.parametrize(
    ("gold", "response", "language", "correct"),
    [
        ("\\frac{3}{4}", "On simplifie : \\boxed{0.75}", "fr", True),
        ("\\left( 3, \\frac{\\pi}{2} \\right)", "So the answer is \\boxed{(3, \\pi/2)}.", "en", True),
        ("70000", "Il gagne 70 000 dollars, donc la réponse est 70000.", "fr", True),
        ("11", "Compute: 3 + 8 = \\boxed{12}", "en", False),
        ("3", "je ne sais pas", "fr", False),
    ],
)
def test_maths_equivalence(gold, response, language, correct):
    ok, extracted = math_equivalent(gold, response, language)
    assert ok is correct
    if correct:
        assert extracted
