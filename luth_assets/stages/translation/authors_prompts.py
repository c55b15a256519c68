"""The authors' prompt set (`translation.prompts: authors`): their strings, their verdict parsing.

Quoted as data from kurakurai/Luth at commit 6248963a400e96781dd0f6e53a7d47f6d265bf02, files under
src/data/ (data_instruct.py, filtering.py, cleaning.py); each constant names its file and class.
What their scripts do, reproduced here:

- translation: their system prompt, and the user message ``"PROMPT TO TRANSLATE:\\n" + prompt``;
- regeneration: "You are a helpful assistant that responds in French." and the translated prompt;
- judges: their system prompt, and the user message ``"QUESTION:\\n" + question + "\\n\\nANSWER:\\n" +
  answer``; no JSON schema: the judge answers True or False in at most 10 tokens;
- verdict: ``"true" in answer.lower()`` keeps the row (tested first, so "True or False" or
  "untrue" keep it), else ``"false" in answer.lower()`` drops it, else their script raises and the
  row is lost (printed "Unexpected response"); here that row is rejected `unparsed_verdict`,
  with the answer kept.

Their generation settings (every call: temperature 0.7, top_p 0.8, thinking off; max_tokens 1024
to translate, 2048 to answer, 10 to judge) are `llm.steps` in configs/runs/luth_paper.yaml
(:data:`AUTHORS_MAX_TOKENS`). Their prompts are written for French only.
"""

from __future__ import annotations

from typing import Literal

from luth_assets.lib.llm import Message

LANGUAGE = "fr"
AUTHORS_MAX_TOKENS = {"translate": 1024, "regenerate": 2048, "quality_judge": 10,
                      "cleaning_judge": 10}
TRANSLATE_PREFIX = "PROMPT TO TRANSLATE:\n"          # data_instruct.py, PromptTranslation
QUESTION_HEADER = "QUESTION:\n"                      # filtering.py / cleaning.py, generate()
ANSWER_HEADER = "\n\nANSWER:\n"

# src/data/data_instruct.py, PromptTranslation.SYS_PROMPT (the continuation lines keep the
# four spaces of indentation their triple-quoted string carries)
TRANSLATE_SYSTEM = (
    'You are a professional French translator. Translate English text into natural, accurate French.\n'
    '\n'
    '    REQUIREMENTS:\n'
    '    - Preserve exact meaning, tone, and register of the original\n'
    '    - Use natural French syntax and idiomatic expressions\n'
    '    - Maintain all formatting (markdown, HTML, special characters, structure)\n'
    '    - Keep technical terms, code snippets, and proper nouns appropriately handled\n'
    '    - Ensure grammatical correctness and contemporary French usage\n'
    '\n'
    '    OUTPUT: Only the translated French text in identical format to the input.'
)

# src/data/data_instruct.py, DatasetBuilder.SYS_PROMPT
REGENERATE_SYSTEM = (
    'You are a helpful assistant that responds in French.'
)

# src/data/filtering.py, DatasetBuilder.SYS_PROMPT (the quality judge, on OpenHermes-FR)
QUALITY_SYSTEM = (
    '\n'
    '    You are a dataset quality assistant. Evaluate the question-answer pair below.\n'
    '\n'
    '    ## Return **False** if **any** of the following apply:\n'
    '\n'
    '    1. **Code-Related**\n'
    '    - Programming questions or answers\n'
    '    - Code snippets or syntax\n'
    '    - Mentions of languages, libraries, tools\n'
    '    - Debugging or optimization\n'
    '\n'
    '    2. **Tool Calling Content**\n'
    '    - Describes or requests use of external tools, APIs, or systems\n'
    '    - Includes function calls, command-line usage, API requests, or tool invocation logic\n'
    '    - Involves configuring or troubleshooting external tools (e.g., databases, IDEs, browsers, CLIs)\n'
    '\n'
    '    3. **Logical Errors**\n'
    '    - Contradictions, invalid reasoning, factual errors\n'
    '\n'
    '    4. **French Grammar Errors**\n'
    '    - Wrong conjugations, tense, gender\n'
    '    - Bad structure, spelling, accents\n'
    '\n'
    '    ## Respond only with: `True` or `False`\n'
    '    '
)

# src/data/cleaning.py, DatasetBuilder.SYS_PROMPT (the cleaning judge, on Tulu-3 persona instruct)
CLEANING_SYSTEM = (
    '\n'
    '    Validate French Q&A pairs. Return True **only if** BOTH the question and the answer '
    'meet **all** of the following criteria:\n'
    '\n'
    '    - Are written entirely in French.\n'
    '    - Are complete, grammatically correct, and coherent.\n'
    '    - Do not include any instruction to switch languages (e.g., "answer in English", '
    '"répondez en anglais", etc.).\n'
    '    - Do not contain mixed languages or foreign text (excluding proper nouns).\n'
    '    - The **question** must be an instruction or task prompt (e.g., "Traduis ce texte...", '
    '"Explique...").\n'
    '    - The **question** must **not** be a narrative, story, or purely informative content.\n'
    '\n'
    '    Return False if any of these conditions are not met.\n'
    '\n'
    '    Respond with **only**: `True` or `False`.\n'
    '    '
)


Decision = Literal["keep", "reject", "unparsed"]


def check_language(target: str) -> None:
    if target != LANGUAGE:
        raise ValueError(f"translation.prompts: authors: the authors' prompts are written for French "
                         f"(target_language fr), not {target!r}; use prompts: ours")


def first_exchange(messages: list[dict] | tuple[Message, ...]) -> tuple[str, str]:
    """The question and the answer the authors' judges read: the first user turn and the first
    assistant turn after it (their scripts index messages[0] and messages[1] of two-turn rows)."""
    turns = [(m["role"], m["content"]) if isinstance(m, dict) else (m.role, m.content)
             for m in messages]
    question = next((i for i, (role, _) in enumerate(turns) if role == "user"), None)
    if question is None:
        return "", ""
    answer = next((c for role, c in turns[question + 1:] if role == "assistant"), "")
    return turns[question][1] or "", answer or ""


def judge_user_message(messages: list[dict] | tuple[Message, ...]) -> str:
    question, answer = first_exchange(messages)
    return QUESTION_HEADER + question + ANSWER_HEADER + answer


def translate_messages(prompt: str, *, target: str, source: str = "en") -> list[Message]:
    check_language(target)
    return [Message(role="system", content=TRANSLATE_SYSTEM),
            Message(role="user", content=TRANSLATE_PREFIX + prompt)]


def regenerate_messages(prompt: str, *, target: str) -> list[Message]:
    check_language(target)
    return [Message(role="system", content=REGENERATE_SYSTEM), Message(role="user", content=prompt)]


def quality_judge_messages(messages: list[dict], *, target: str) -> list[Message]:
    check_language(target)
    return [Message(role="system", content=QUALITY_SYSTEM),
            Message(role="user", content=judge_user_message(messages))]


def cleaning_judge_messages(messages: list[dict], *, target: str) -> list[Message]:
    check_language(target)
    return [Message(role="system", content=CLEANING_SYSTEM),
            Message(role="user", content=judge_user_message(messages))]


def parse_verdict(answer: str | None) -> Decision:
    """Their parsing of a judge's answer (filtering.py / cleaning.py, generate()): "true"
    anywhere (case-insensitive) keeps, else "false" anywhere rejects, else nothing parses."""
    text = (answer or "").lower()
    if "true" in text:
        return "keep"
    if "false" in text:
        return "reject"
    return "unparsed"
