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
  answer is what counts. `math_scores` gives both verdicts: the authors' (lighteval's `PassAtK`
  calls `compare_gold_target(prediction, gold, doc)`, so the `Doc` is the `precision` and a
  comparison that rounds a float fails) and the corrected one (gold, prediction, 6 digits).

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


def _compare(first: list[Any], second: list[Any], **kwargs: Any) -> bool:
    from lighteval.metrics.utils.math_comparison import compare_gold_target

    try:
        return bool(compare_gold_target(first, second, **kwargs))
    except Exception:  # a comparison that times out or fails counts as not equal
        return False


@lru_cache(maxsize=1)
def _a_doc():
    """A lighteval `Doc`, the object the authors' metric passes where `precision` is expected."""
    from lighteval.tasks.requests import Doc

    return Doc(query="", choices=[""], gold_index=0)


def math_scores(gold_solution: str, response: str, language: str) -> tuple[bool, bool, str | None]:
    """(the authors' verdict, the corrected verdict, the extracted answer) of a response against
    the dataset's `solution` (its boxed answer is extracted)."""
    gold_parsed = _extract_math(gold_solution.strip(), language)
    pred = _extract_math(response.strip(), language) if response else []
    if not pred:
        return False, False, None
    shown = str(pred[-1]) if isinstance(pred[-1], str) else str(pred[0])
    if not gold_parsed:
        return False, False, shown
    # the authors' call: PassAtK's score_sample(prediction, gold, doc) -> compare_gold_target(gold=
    # prediction, target=gold, precision=doc)
    authors = _compare(pred, gold_parsed, precision=_a_doc())
    corrected = _compare(gold_parsed, pred)
    return authors, corrected, shown


def math_equivalent(gold_solution: str, response: str, language: str) -> tuple[bool, str | None]:
    """(is the response's final answer mathematically equal to the solution's? (corrected), the
    extracted answer)."""
    _, corrected, shown = math_scores(gold_solution, response, language)
    return corrected, shown
