"""Answer extraction and maths equivalence through lighteval's extractive match (what the Luth
authors used): letters for GPQA (French-aware anchors such as « Réponse : B »), LaTeX/expressions
for maths compared with sympy (`compare_gold_target`).

lighteval is imported on first use (it takes seconds); the regexes are cached per language.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any


def _language(code: str):
    from lighteval.utils.language import Language

    return Language.FRENCH if code == "fr" else Language.ENGLISH


@lru_cache(maxsize=16)
def _letter_regexes(n_choices: int, language: str):
    from lighteval.metrics.utils.extractive_match_utils import (
        IndicesExtractionConfig,
        lazy_indices_regex,
    )

    config = IndicesExtractionConfig(prefix_for_extraction="NativeLetters", try_extract_without_anchor=False)
    return [(lazy_indices_regex(config, n_choices, _language(language)), config)]


@lru_cache(maxsize=4)
def _math_regexes(language: str):
    from lighteval.metrics.utils.extractive_match_utils import (
        ExprExtractionConfig,
        LatexExtractionConfig,
        get_extraction_regexes,
    )

    return get_extraction_regexes(
        None, [LatexExtractionConfig(), ExprExtractionConfig()], _language(language)
    )


def extract_letter(response: str, n_choices: int, language: str) -> str | None:
    """The chosen option letter in a response (`"B"`), or None.

    Only anchored forms count ("Réponse : B", "(B)", a bare "B", "**B**"): without an anchor
    lighteval would read the first letter of any word ("Cher..." -> C), as its docs warn."""
    from lighteval.metrics.utils.extractive_match_utils import extract_target_from_pred

    found = extract_target_from_pred(response, _letter_regexes(n_choices, language))
    return str(found[0]) if found else None


def _extract_math(text: str, language: str) -> list[Any]:
    from lighteval.metrics.utils.extractive_match_utils import extract_target_from_pred

    return extract_target_from_pred(text, _math_regexes(language), fallback_mode="first_match")


def math_equivalent(gold: str, response: str, language: str) -> tuple[bool, str | None]:
    """(is the response's final answer mathematically equal to `gold`?, the extracted answer)."""
    from lighteval.metrics.utils.math_comparison import compare_gold_target

    gold_parsed = _extract_math(f"${gold}$", language) or _extract_math(gold, language)
    pred = _extract_math(response, language)
    if not pred:
        return False, None
    shown = str(pred[-1]) if isinstance(pred[-1], str) else str(pred[0])
    if not gold_parsed:
        return False, shown
    try:
        return bool(compare_gold_target(gold_parsed, pred)), shown
    except Exception:  # a comparison that times out or fails counts as not equal
        return False, shown
