"""The authors' Scholar prompts and parsing (`scholar.chain: authors`): four calls per exam.

Their script (kurakurai/Luth @ 6248963a400e96781dd0f6e53a7d47f6d265bf02,
src/data/scholar-fr/scripts/asynchronous_calls_extraction.py, prompts from prompts.py there)
sends, for each exam, the whole sujet text and then the whole corrigé text:

1. extract questions (the sujet) -> a JSON list of question strings;
2. add context (the sujet + the questions) -> a JSON list of {question, context};
3. extract answers (the corrigé + the questions with context) -> answers;
4. enrich context (the answers) -> a JSON list of {question, context, reponse}: the items.

Each answer is parsed as JSON when it parses, else passed on as its raw text, and the next prompt
embeds a list as ``json.dumps(..., ensure_ascii=False)`` and anything else as its text, as their
``try_parse_json`` and f-strings do. The prompt templates below are their f-strings byte for byte
(leading newline and indentation included); ``@@name@@`` marks where a value goes. Their
``filter_questions`` prompt (drop questions that need a figure) is defined in prompts.py but never
called by the chain, so it is not here either.

Where this differs from their script, deliberately: a failed call (their ``call_gemini`` returned
the text ``ERREUR: ...`` and the chain carried on with it) rejects the exam with the call's
reason; a last answer that is not a list of items rejects the exam ``unparsed_output`` with the
text kept; an item without question or answer is rejected. Their calls asked Gemini for
``application/json`` without a schema; the LLM client here sends a JSON mime type only with a
schema, so these calls are plain text and the JSON is read from the answer (code fences removed).
"""

from __future__ import annotations

import json
import re
from typing import Any

from luth_assets.stages.scholar.prompts import STAGE_ANSWERS, STAGE_QUESTIONS

# Prompts.extract_questions(subject_text)
EXTRACT_QUESTIONS = (
    '\n'
    '        You are given the full text of a French high school exam.\n'
    '\n'
    '        Task:\n'
    '        - Extract all actual **student questions** that require an answer.\n'
    '        - Do not include titles, sections, instructions, or metadata.\n'
    '        - Questions can be numbered in many ways (1., 1), 1a, Q1, etc.) — detect all valid forms.\n'
    '        - All equations should be reformulated in LaTeX format with $ prefix and suffix.\n'
    '        - Return a **JSON list of strings**: one entry per question.\n'
    '        - Do not rephrase. Copy questions exactly as they appear.\n'
    '\n'
    '        Exam text:\n'
    '        @@subject_text@@\n'
    '    '
)

# Prompts.add_context_to_questions(subject_text, questions)
ADD_CONTEXT = (
    '\n'
    '        The following is the full text of a French high school exam:\n'
    '        ----\n'
    '        @@subject_text@@\n'
    '        ----\n'
    '\n'
    '        For each question below, extract its introductory description from the subject (such '
    'as problem description or setup).\n'
    '        Do not summarize or rewrite. \n'
    '        Return a JSON list of dictionaries with keys: "question" and "context".\n'
    '\n'
    '        Questions:\n'
    '        @@questions@@\n'
    '    '
)

# Prompts.extact_answers(contexted_questions, correction_text) (their spelling)
EXTRACT_ANSWERS = (
    '\n'
    '        You are extracting exact answers (in French) from the correction of a French high '
    'school exam.\n'
    '\n'
    '        Rules:\n'
    '        - Use only what is explicitly written in the correction text below.\n'
    '        - Return the answer **exactly** as it appears, in French.\n'
    '        - All equations should be reformulated in LaTeX format with $ prefix and suffix.\n'
    '\n'
    '        Correction:\n'
    '        @@correction_text@@\n'
    '\n'
    '        Questions with context:\n'
    '        @@contexted_questions@@\n'
    '    '
)

# Prompts.enrich_context(answers_with_context)
ENRICH_CONTEXT = (
    '\n'
    '        Some questions below may require previous answers to make sense (multi-step problems).\n'
    '\n'
    '        For each question, if a previous answer is needed to understand or solve it, add it to '
    'the context.\n'
    '\n'
    '        Return a JSON list of updated items with keys: "question", "context", "reponse"\n'
    '\n'
    '        Entries:\n'
    '        @@answers_with_context@@\n'
    '    '
)

# Prompts.clean_sample(question, context, response) (asynchronous_calls_clean.py's call)
CLEAN_SAMPLE = (
    '\n'
    '        You will receive three inputs: a question, a context, and an answer.\n'
    '\n'
    '        Your tasks are:\n'
    '        - Correct any errors in spelling, grammar, LaTeX, and formatting in all three inputs.\n'
    '        - Carefully review the context and correct it if there are any issues. If the context '
    'is missing or empty but should be present based on the question and answer, generate a '
    'relevant and useful context. But do not provide the answer to the question or a hint.\n'
    '        - Translate all English text fully into French.\n'
    '        - Rephrase the answer to add clarity by:\n'
    '            - Expanding on the reasoning,\n'
    '            - Breaking the answer down into logical steps or explanations,\n'
    '            - Justifying the conclusion.\n'
    '        The final answer must remain logically and factually equivalent to the original.\n'
    '        - Do not change the overall intent of the question, context, or response unless '
    'necessary for correction.\n'
    '        - Provide your output strictly in JSON format with the following keys: "question", '
    '"context", and "reponse".\n'
    '        - The entire output must be in French.\n'
    '        - Do not add any hints in the context related to the question.\n'
    '        - If the question content is missing (i.e., only the question number is present), '
    'generate a relevant and useful question according to the context and question.\n'
    '        Entries:\n'
    '        Question: @@question@@\n'
    '        Context: @@context@@\n'
    '        Response: @@response@@\n'
    '        '
)

# the four calls: (step, stage of the LLM step whose model it uses, template)
STEPS = (("questions", STAGE_QUESTIONS, EXTRACT_QUESTIONS),
         ("context", STAGE_QUESTIONS, ADD_CONTEXT),
         ("answers", STAGE_ANSWERS, EXTRACT_ANSWERS),
         ("enrich", STAGE_ANSWERS, ENRICH_CONTEXT))
FENCE = re.compile(r"^\s*```(?:json)?\s*\n(.*?)\n?```\s*$", re.DOTALL)


def fill(template: str, **values: str) -> str:
    out = template
    for name, value in values.items():
        out = out.replace(f"@@{name}@@", value)
    return out


def as_prompt_text(value: Any) -> str:
    """How their f-strings embed a value: a list as JSON (non-ASCII kept), anything else as
    ``str(value)``."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list) else f"{value}"


def parse_answer(text: str) -> Any:
    """Their try_parse_json: the JSON value when the answer parses, else the stripped text.
    A code fence around the JSON (plain-text calls) is removed first."""
    text = (text or "").strip()
    fenced = FENCE.match(text)
    try:
        return json.loads(fenced.group(1) if fenced else text)
    except json.JSONDecodeError:
        return text


def sujet_text(pages: list[str]) -> str:
    """Their extract_text: every page's text joined with a newline."""
    return "\n".join(pages)


def items_of(final: Any) -> list[dict] | None:
    """The items in the last answer: a list of objects, or None when it is not one."""
    if isinstance(final, dict):   # a single object around the list
        lists = [v for v in final.values() if isinstance(v, list)]
        final = lists[0] if len(lists) == 1 else final
    if not isinstance(final, list) or not all(isinstance(x, dict) for x in final):
        return None
    return final


BAD_BACKSLASH = re.compile(r'(?<!\\)\\(?![\\nt"bfr])')


def parse_cleaned(text: str, question: str, context: str, answer: str) -> dict[str, str] | None:
    """Their clean_questions and the entry they saved (asynchronous_calls_clean.py): the JSON
    answer, else the same with lone backslashes doubled; a missing key keeps the value sent
    (`reponse`, else `responses`, for the answer). None when neither parses to an object (their
    script saved it as `raw_output`, which their gathering step could not use)."""
    raw = (text or "").strip()
    fenced = FENCE.match(raw)
    raw = fenced.group(1) if fenced else raw
    data: Any = None
    for candidate in (raw, BAD_BACKSLASH.sub(r"\\\\", raw)):
        try:
            data = json.loads(candidate)
            break
        except json.JSONDecodeError:
            continue
    if not isinstance(data, dict) or data.get("raw_output"):
        return None
    return {"question": as_text(data.get("question", question)),
            "context": as_text(data.get("context", context)),
            "answer": as_text(data.get("reponse", data.get("responses", answer)))}


def as_text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
