"""IFEval scoring with lm-eval's checkers (the Google reference code as lm-eval ships it).

Instruction ids may carry a language prefix (`en:`/`fr:`, the M-IFEval shape); French kwargs
(`"au moins"`, `"moins de"`) are translated to the checkers' relations. French-specific ids that
have an English twin in lm-eval (`fr:change_case:french_capital` / `french_lowercase`) use it
with the language check set to French; ids with no checker in lm-eval (M-IFEval's accent and
informal-address checks) are reported unscored with their reason, never counted silently.

Offline: sentence counting needs NLTK's `punkt_tab` data. When absent, lm-eval's import-time
download is not attempted and `length_constraints:number_sentences` instructions are reported
unscored ("nltk punkt_tab data missing"); point `NLTK_DATA` (or `nltk_data=` here) at a folder
holding `tokenizers/punkt_tab` to score them.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

FRENCH_RELATIONS = {"au moins": "at least", "moins de": "less than"}
NO_CHECKER = {
    "detectable_content:informal_address",
    "detectable_content:no_digits",
    "special_character:accents",
    "special_character:ethel_or_cedilla",
    "special_character:no_accents",
}
PUNKT_MISSING = (
    "nltk punkt_tab data missing (set NLTK_DATA to a folder with tokenizers/punkt_tab, "
    "e.g. after `python -m nltk.downloader punkt_tab`)"
)


def configure_nltk(nltk_data: str | None = None) -> bool:
    """Add `nltk_data` to NLTK's search path; return whether `punkt_tab` is available."""
    import nltk

    if nltk_data and nltk_data not in nltk.data.path:
        nltk.data.path.insert(0, nltk_data)
    try:
        nltk.data.find("tokenizers/punkt_tab")
        return True
    except LookupError:
        return False


@lru_cache(maxsize=1)
def _registry() -> dict[str, Any]:
    """lm-eval's INSTRUCTION_DICT, imported without its network download when punkt is absent."""
    import langdetect
    import nltk

    langdetect.DetectorFactory.seed = 0  # langdetect is random otherwise
    if configure_nltk():
        from lm_eval.tasks.ifeval import instructions_registry
    else:
        original = nltk.download
        nltk.download = lambda *args, **kwargs: False
        try:  # lm-eval prints "Downloaded punkt_tab" even when it did not: keep stdout clean
            with contextlib.redirect_stdout(io.StringIO()):
                from lm_eval.tasks.ifeval import instructions_registry
        finally:
            nltk.download = original
    return dict(instructions_registry.INSTRUCTION_DICT)


@lru_cache(maxsize=1)
def _french_checkers() -> dict[str, Any]:
    import langdetect

    _registry()  # imports lm-eval's checkers without the network download
    from lm_eval.tasks.ifeval import instructions

    class CapitalLettersFrenchChecker(instructions.CapitalLettersEnglishChecker):
        def check_following(self, value: str) -> bool:
            try:
                # langdetect misreads all-caps text (French caps come out "en"/"de"): detect on lowercase.
                return value.isupper() and langdetect.detect(value.lower()) == "fr"
            except langdetect.LangDetectException:
                return True  # as lm-eval: undetectable counts as followed

    class LowercaseLettersFrenchChecker(instructions.LowercaseLettersEnglishChecker):
        def check_following(self, value: str) -> bool:
            try:
                return value.islower() and langdetect.detect(value) == "fr"
            except langdetect.LangDetectException:
                return True

    return {
        "change_case:french_capital": CapitalLettersFrenchChecker,
        "change_case:french_lowercase": LowercaseLettersFrenchChecker,
    }


def split_id(instruction_id: str) -> tuple[str, str]:
    """`"fr:punctuation:no_comma"` -> ("fr", "punctuation:no_comma"); no prefix -> ("en", id)."""
    head, _, rest = instruction_id.partition(":")
    if len(head) == 2 and rest.count(":") == 1:
        return head, rest
    return "en", instruction_id


def checker_for(instruction_id: str) -> tuple[Any | None, str | None]:
    """(checker class, None) or (None, reason it cannot be scored)."""
    _, base = split_id(instruction_id)
    french = _french_checkers()
    if base in french:
        return french[base], None
    registry = _registry()
    if base in registry:
        return registry[base], None
    if base in NO_CHECKER:
        return None, f"no checker in lm-eval for {instruction_id}"
    return None, f"unknown instruction id {instruction_id}"


def _clean_kwargs(kwargs: dict) -> dict:
    out = {}
    for key, value in (kwargs or {}).items():
        if not value:  # lm-eval drops None/empty/0 values the same way
            continue
        if isinstance(value, str) and value in FRENCH_RELATIONS:
            value = FRENCH_RELATIONS[value]
        out[key] = value
    return out


def loose_variants(response: str) -> list[str]:
    """The eight response variants of IFEval's loose mode (first/last line removed, no '*')."""
    lines = response.split("\n")
    first = "\n".join(lines[1:]).strip()
    last = "\n".join(lines[:-1]).strip()
    both = "\n".join(lines[1:-1]).strip()
    return [
        response,
        response.replace("*", ""),
        first,
        last,
        both,
        first.replace("*", ""),
        last.replace("*", ""),
        both.replace("*", ""),
    ]


@dataclass
class IFEvalResult:
    instruction_ids: list[str]
    strict: list[bool | None]
    loose: list[bool | None]
    unscored: dict[str, str] = field(default_factory=dict)

    @property
    def prompt_strict(self) -> bool | None:
        scored = [s for s in self.strict if s is not None]
        return all(scored) if scored else None

    @property
    def prompt_loose(self) -> bool | None:
        scored = [s for s in self.loose if s is not None]
        return all(scored) if scored else None


def score_response(
    prompt: str, instruction_ids: Sequence[str], kwargs_list: Sequence[dict], response: str
) -> IFEvalResult:
    """Check one response against its instructions, strict and loose."""
    result = IFEvalResult(list(instruction_ids), [], [])
    variants = loose_variants(response)
    for instruction_id, kwargs in zip(instruction_ids, kwargs_list, strict=True):
        cls, reason = checker_for(instruction_id)
        if cls is None:
            result.strict.append(None)
            result.loose.append(None)
            result.unscored[instruction_id] = reason or ""
            continue
        checker = _build_checker(cls, instruction_id, kwargs, prompt)
        try:
            strict = bool(response.strip()) and bool(checker.check_following(response))
            loose = any(v.strip() and checker.check_following(v) for v in variants)
        except LookupError:
            result.strict.append(None)
            result.loose.append(None)
            result.unscored[instruction_id] = PUNKT_MISSING
            continue
        result.strict.append(strict)
        result.loose.append(bool(loose))
    return result


def _build_checker(cls: Any, instruction_id: str, kwargs: dict, prompt: str) -> Any:
    """A checker built as lm-eval builds it. Where a kwarg is unusable (e.g. letter "#"), lm-eval
    draws a random one; we seed that draw per instruction so scores are reproducible."""
    state = random.getstate()
    random.seed(f"{instruction_id}|{json.dumps(kwargs, sort_keys=True, default=str)}")
    try:
        checker = cls(split_id(instruction_id)[1])
        checker.build_description(**_clean_kwargs(kwargs))
        args = checker.get_instruction_args()
        if args and "prompt" in args:
            checker.build_description(prompt=prompt)
    finally:
        random.setstate(state)
    return checker


def _mean(values: Iterable[bool | None]) -> float | None:
    scored = [v for v in values if v is not None]
    return sum(scored) / len(scored) if scored else None


def aggregate(results: Sequence[IFEvalResult]) -> dict[str, Any]:
    """Prompt-level and instruction-level accuracy, strict and loose, over scored instructions;
    with how many instructions were left unscored and why."""
    unscored: dict[str, int] = {}
    for r in results:
        for reason in r.unscored.values():
            unscored[reason] = unscored.get(reason, 0) + 1
    return {
        "prompt_level_strict_acc": _mean(r.prompt_strict for r in results),
        "inst_level_strict_acc": _mean(s for r in results for s in r.strict),
        "prompt_level_loose_acc": _mean(r.prompt_loose for r in results),
        "inst_level_loose_acc": _mean(s for r in results for s in r.loose),
        "prompts": len(results),
        "prompts_scored": sum(r.prompt_strict is not None for r in results),
        "instructions": sum(len(r.strict) for r in results),
        "instructions_unscored": sum(unscored.values()),
        "unscored_reasons": unscored,
    }
