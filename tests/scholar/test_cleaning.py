"""The deterministic sanity checks run on every cleaned item."""

from __future__ import annotations

import pytest

from luth_assets.stages.scholar.cleaning import sanity_problem

GOOD_ANSWER = ("Étape 1 : $f'(x) = \\frac{1}{x}$.\nÉtape 2 : $$\\int_1^e \\frac{dx}{x} = 1$$ "
               "et \\begin{cases} x > 0 \\\\ y = \\left( x + 1 \\right) \\end{cases} ; 5 \\$ reste.")


@pytest.mark.parametrize("question, answer, reason", [
    ("Calculer l'intégrale.", GOOD_ANSWER, None),
    ("", GOOD_ANSWER, "empty_question"),
    ("Calculer f(1).", "  ", "empty_answer"),
    ("3.", GOOD_ANSWER, "question_only_number"),
    ("2.b)", GOOD_ANSWER, "question_only_number"),
    ("Calculer f(1).", "$ 4,5 $", "answer_bare_number"),
    ("Calculer f(1).", "-12", "answer_bare_number"),
    ("Calculer f(1).", "On trouve $f(1) = 2.", "unbalanced_dollars"),
    ("Calculer f(1).", "On trouve $f(1) = \\frac{2}{3$.", "unbalanced_braces"),
    ("Calculer f(1).", "On a $\\left( x \\right.$ et $\\left( y$ donc 2.", "unbalanced_braces"),
    ("Calculer f(1).", "$\\begin{array}{c} 1 \\end{matrix}$ donc 1.", "latex_parse_error"),
    ("Calculer f(1).", "\\begin{align} x = 1 donc f(1) = 2.", "latex_parse_error"),
    ("Calculer f(1).", "On a $\\frac 1$ donc 2.", "latex_parse_error"),
    ("Résoudre $x^2 = 4$", "Les solutions sont $-2$ et $2$.", None),
])
def test_sanity_checks(question: str, answer: str, reason: str | None):
    problem = sanity_problem(question, "", answer)
    assert (problem[0] if problem else None) == reason


def test_context_is_checked_too():
    problem = sanity_problem("Calculer f(1).", "Soit $f(x) = x^2", "On trouve $f(1) = 1$ donc 1.")
    assert problem == ("unbalanced_dollars", "odd number of $ in the context")
