"""Verifiable rewards for the reinforcement-learning specialists, as plain functions reusing the
evaluation's scorers, so a reward and the benchmark it aims at judge an answer the same way:

- math: the MATH answer equivalence of the MATH-500 scoring (`evaluation.extraction`, lighteval's
  extractive match compared with sympy): 1.0 when the response's final answer equals the gold's;
- instruction following: the IFEval checkers (`evaluation.ifeval`, lm-eval's, French ids
  included): the share of the prompt's instructions the response follows (strict), or 1.0 / 0.0
  with `all_or_nothing`; None when none of its instructions can be checked;
- code: the response's program and the item's unit tests run in the sandbox (`sandbox.py`): 1.0
  when every assertion holds.

Each reward has a batch form with the signature TRL's GRPO trainer calls reward functions with
(`prompts`, `completions`, then the dataset's columns as keyword lists); a conversational
completion (a list of messages) is read as its last message's content.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from luth_train.evaluation.code_exec import extract_program
from luth_train.evaluation.extraction import math_equivalent
from luth_train.evaluation.ifeval import score_response
from luth_train.sandbox import SandboxLimits, run_unit_tests

CODE_LIMITS = SandboxLimits(cpu_seconds=5, wall_seconds=10, memory_bytes=512 * 1024**2)


def _gold_solution(gold: str) -> str:
    """A bare answer ("18", "\\frac{1}{2}") is boxed, as MATH solutions end; a solution that already
    boxes its answer is kept."""
    return gold if "\\boxed" in gold else f"\\boxed{{{gold.strip()}}}"


def math_reward(response: str, gold: str, language: str = "en") -> float:
    """1.0 when the response's final answer is mathematically equal to `gold` (a MATH solution
    with a boxed answer, or the bare answer), else 0.0."""
    equal, _ = math_equivalent(_gold_solution(gold), response, language)
    return 1.0 if equal else 0.0


def ifeval_reward(
    prompt: str,
    instruction_ids: Sequence[str],
    kwargs_list: Sequence[dict],
    response: str,
    *,
    all_or_nothing: bool = False,
) -> float | None:
    """The share of the prompt's checkable instructions the response follows (IFEval strict); with
    `all_or_nothing`, 1.0 only when it follows all of them. None when no instruction is checkable
    (no checker for its ids), so the sample is left out rather than scored 0."""
    result = score_response(prompt, instruction_ids, kwargs_list, response)
    scored = [s for s in result.strict if s is not None]
    if not scored:
        return None
    if all_or_nothing:
        return 1.0 if all(scored) else 0.0
    return sum(scored) / len(scored)


def code_reward(response: str, tests: str, *, limits: SandboxLimits = CODE_LIMITS) -> float:
    """1.0 when the response's program passes `tests` (assert statements) in the sandbox, else 0.0
    (a failed assertion, an exception, a timeout, a refused network or process call)."""
    result = run_unit_tests(extract_program(response), tests, limits=limits)
    return 1.0 if result.passed else 0.0


def completion_text(completion: Any) -> str:
    """A TRL completion as text: a string as it is, a conversation as its last message's content."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list) and completion and isinstance(completion[-1], dict):
        return str(completion[-1].get("content") or "")
    raise TypeError(f"a completion is a string or a list of messages, not {type(completion).__name__}")


def prompt_text(prompt: Any) -> str:
    """A TRL prompt as text: a string, or a conversation's last user message."""
    if isinstance(prompt, str):
        return prompt
    users = [m.get("content", "") for m in prompt if isinstance(m, dict) and m.get("role") == "user"]
    return str(users[-1]) if users else ""


def math_rewards(
    prompts: list, completions: list, answer: list[str], language: list[str] | None = None, **_: Any
) -> list[float]:
    """Batch math reward (TRL signature); the dataset gives `answer` and optionally `language`."""
    languages = language or ["en"] * len(completions)
    return [
        math_reward(completion_text(c), gold, lang)
        for c, gold, lang in zip(completions, answer, languages, strict=True)
    ]


def ifeval_rewards(
    prompts: list, completions: list, instruction_id_list: list, kwargs: list, **_: Any
) -> list[float | None]:
    """Batch instruction-following reward (TRL signature); the dataset gives IFEval's columns."""
    return [
        ifeval_reward(prompt_text(p), ids, kw, completion_text(c))
        for p, c, ids, kw in zip(prompts, completions, instruction_id_list, kwargs, strict=True)
    ]


def code_rewards(prompts: list, completions: list, tests: list[str], **_: Any) -> list[float]:
    """Batch code reward (TRL signature); the dataset gives `tests` (assert statements)."""
    return [code_reward(completion_text(c), t) for c, t in zip(completions, tests, strict=True)]


REWARDS = {"math": math_rewards, "instruction_following": ifeval_rewards, "code": code_rewards}


def reward_for(domain: str):
    """The batch reward function of a specialist's domain."""
    try:
        return REWARDS[domain]
    except KeyError:
        raise ValueError(f"no verifiable reward for domain {domain!r}; known: {', '.join(REWARDS)}") from None
