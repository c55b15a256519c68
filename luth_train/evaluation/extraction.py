"""Answer extraction and maths equivalence through lighteval's extractive match, configured as
the authors' metrics (lighteval 0.10.0):

- GPQA (`gpqa_instruct_pass_fr_at_1_1n` / `gpqa_instruct_pass_at_1_1n`): the letter is extracted
  with `IndicesExtractionConfig(prefix_for_extraction="NativeLetters")` in the item's language,
  `fallback_mode="first_match"`, `extraction_mode="any_match"`. 0.10's default for
  `try_extract_without_anchor` was True (0.13 made it False); 0.10's is kept, so a response with
  no anchor ("Réponse : B", "Answer: B", "(B)") can still yield a letter, as it did for the authors.
- MATH-500 (`math_fr_pass_at_1_1n` / `math_pass_at_1_1n`): gold and prediction are both extracted
  with `[ExprExtractionConfig(), LatexExtractionConfig()]` (no fallback; `\\boxed{}` first) and
  compared with sympy (`compare_gold_target`). The gold is the `solution` text, so its last boxed
  answer is what counts.

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

    config = IndicesExtractionConfig(prefix_for_extraction="NativeLetters", try_extract_without_anchor=True)
    return [(lazy_indices_regex(config, n_choices, _language(language)), config)]


@lru_cache(maxsize=4)
def _math_regexes(language: str):
    from lighteval.metrics.utils.extractive_match_utils import (
        ExprExtractionConfig,
        LatexExtractionConfig,
        get_extraction_regexes,
    )

    return get_extraction_regexes(
        None, [ExprExtractionConfig(), LatexExtractionConfig()], _language(language)
    )


def extract_letter(response: str, n_choices: int, language: str) -> str | None:
    """The chosen option letter in a response (`"B"`), or None."""
    from lighteval.metrics.utils.extractive_match_utils import extract_target_from_pred

    found = extract_target_from_pred(
        response,
        _letter_regexes(n_choices, language),
        fallback_mode="first_match",
        extraction_mode="any_match",
    )
    return str(found[0]) if found else None


def _extract_math(text: str, language: str) -> list[Any]:
    from lighteval.metrics.utils.extractive_match_utils import extract_target_from_pred

    return extract_target_from_pred(text, _math_regexes(language))


def math_equivalent(gold_solution: str, response: str, language: str) -> tuple[bool, str | None]:
    """(is the response's final answer mathematically equal to the solution's?, the extracted
    answer). `gold_solution` is the dataset's `solution` (its boxed answer is extracted)."""
    from lighteval.metrics.utils.math_comparison import compare_gold_target

    gold_parsed = _extract_math(gold_solution, language)
    pred = _extract_math(response.strip(), language)
    if not pred:
        return False, None
    shown = str(pred[-1]) if isinstance(pred[-1], str) else str(pred[0])
    if not gold_parsed:
        return False, shown
    try:
        return bool(compare_gold_target(gold_parsed, pred)), shown
    except Exception:  # a comparison that times out or fails counts as not equal
        return False, shown
