"""The translation stage's prompt sets, chosen by `translation.prompts`.

- ``ours`` (prompts.py): instructions with the target language as a parameter, judges answering a
  JSON verdict with the issue and a reason (validated against a pydantic schema);
- ``authors`` (authors_prompts.py): the authors' strings byte for byte, judges answering True or
  False, parsed as their scripts parse it. French only.

Each set builds the messages of the four steps and turns a judge's answer into a decision:
``keep`` | ``reject`` (with the issue) | ``unparsed`` (an answer the set cannot read).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from luth_assets.lib.llm import LLMResult, Message
from luth_assets.stages.translation import authors_prompts, prompts

PromptSetName = Literal["ours", "authors"]
Decision = Literal["keep", "reject", "unparsed"]
JudgeBuilder = Callable[..., list[Message]]


@dataclass(frozen=True)
class Verdict:
    decision: Decision
    issue: str | None       # why a rejected row was rejected (the reject table's `reason`)
    reason: str | None      # the judge's own words (its explanation, or its raw answer)


@dataclass(frozen=True)
class PromptSet:
    name: PromptSetName
    translate: Callable[..., list[Message]]
    regenerate: Callable[..., list[Message]]
    judges: dict[str, JudgeBuilder]
    schemas: dict[str, type[BaseModel] | None]
    judge_output_tokens: int          # what `luth plan` assumes a judge answers

    def verdict(self, judge: str, result: LLMResult) -> Verdict:
        """The decision in an ok judge call's answer."""
        if self.schemas[judge] is not None:
            parsed = result.parsed or {}
            if parsed.get("verdict") == "keep":
                return Verdict("keep", None, parsed.get("reason"))
            issue = parsed.get("issue")
            return Verdict("reject", issue if issue and issue != "none" else f"{judge}_reject",
                           parsed.get("reason"))
        decision = authors_prompts.parse_verdict(result.text)
        issue = {"keep": None, "reject": f"{judge}_reject", "unparsed": "unparsed_verdict"}[decision]
        return Verdict(decision, issue, result.text)


OURS = PromptSet(
    name="ours", translate=prompts.translate_messages, regenerate=prompts.regenerate_messages,
    judges={"quality": prompts.quality_judge_messages, "cleaning": prompts.cleaning_judge_messages},
    schemas={"quality": prompts.QualityVerdict, "cleaning": prompts.CleaningVerdict},
    judge_output_tokens=60)
AUTHORS = PromptSet(
    name="authors", translate=authors_prompts.translate_messages,
    regenerate=authors_prompts.regenerate_messages,
    judges={"quality": authors_prompts.quality_judge_messages,
            "cleaning": authors_prompts.cleaning_judge_messages},
    schemas={"quality": None, "cleaning": None},
    judge_output_tokens=2)
PROMPT_SETS: dict[str, PromptSet] = {"ours": OURS, "authors": AUTHORS}


def prompt_set(name: str, target: str | None = None) -> PromptSet:
    """The named set; with `target`, a set that cannot write in that language is an error."""
    if name not in PROMPT_SETS:
        raise ValueError(f"translation.prompts: {name!r} is not a prompt set ({', '.join(PROMPT_SETS)})")
    if name == "authors" and target is not None:
        authors_prompts.check_language(target)
    return PROMPT_SETS[name]
