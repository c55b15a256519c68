"""Cleaning/enrichment call, then deterministic sanity checks and the anomaly verdict.

The checks (:func:`sanity_problem`) run on the cleaned text; the first problem found is the
reject reason:

- ``empty_question`` / ``empty_answer``,
- ``question_only_number``: the question is only a number (a lost heading, not a question),
- ``answer_bare_number``: the answer is only a number, no reasoning restated,
- ``unbalanced_dollars``: an odd number of unescaped ``$`` (``$$`` counts as one delimiter),
- ``unbalanced_braces``: ``{``/``}`` (unescaped) or ``\\left``/``\\right`` that do not match,
- ``latex_parse_error``: ``\\begin``/``\\end`` environments that do not nest, a ``\\frac``
  without its two arguments,
- ``needs_figure``, ``truncated``, ``contradicts_corrige``: the deterministic anomaly checks
  (anomalies.py, ``scholar.anomaly_checks``),
- ``anomaly``: the cleaning call's own verdict (``anomaly_reason`` in the detail).

Each item carries ``subject_area``: its subject as one of the paper's five, or other
(subjects.py).

With ``scholar.chain: authors`` the call is the authors' ``clean_sample`` prompt (plain text, no
anomaly verdict), read as their script reads it (authors_prompts.parse_cleaned); an answer that
is not a JSON object is rejected ``unparsed_output``. The checks above run the same.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import polars as pl

from luth_assets.lib.llm import CallSummary, GenerationParams, LLMRequest, Message, RunOutput
from luth_assets.stages.scholar import authors_prompts, prompts
from luth_assets.stages.scholar.anomalies import anomaly_problem
from luth_assets.stages.scholar.prompts import CleanedItem
from luth_assets.stages.scholar.settings import ScholarConfig
from luth_assets.stages.scholar.subjects import subject_area

NUMBER = re.compile(r"^[\s$]*[-+−]?\s*\d+(?:[.,]\d+)?\s*(?:%|€)?[\s$.]*$")
ONLY_NUMBER_QUESTION = re.compile(r"^[\s(]*\d+(?:[.)]\s*[a-z]?\)?)?[\s.)]*$", re.IGNORECASE)
CLEAN_SCHEMA = {
    "sample_id": pl.String, "exam_id": pl.String, "subject": pl.String, "year": pl.Int64,
    "level": pl.String, "pages": pl.List(pl.Int64), "question": pl.String, "context": pl.String,
    "answer": pl.String,
    "messages": pl.List(pl.Struct({"role": pl.String, "content": pl.String})),
    "exam": pl.String, "number": pl.String, "sujet_sha256": pl.String,
    "corrige_sha256": pl.String, "provider": pl.String, "model": pl.String,
    "input_tokens": pl.Int64, "output_tokens": pl.Int64, "subject_area": pl.String,
}
CLEAN_REJECT_SCHEMA = {
    "sample_id": pl.String, "exam_id": pl.String, "subject": pl.String, "year": pl.Int64,
    "level": pl.String, "question": pl.String, "answer": pl.String, "reason": pl.String,
    "detail": pl.String, "subject_area": pl.String,
}


def _dollars_balanced(text: str) -> bool:
    bare = re.sub(r"\\\$", "", text).replace("$$", "$")
    return bare.count("$") % 2 == 0


def _braces_balanced(text: str) -> bool:
    depth = 0
    bare = re.sub(r"\\[{}]", "", text)
    for ch in bare:
        depth += ch == "{"
        depth -= ch == "}"
        if depth < 0:
            return False
    if depth:
        return False
    return len(re.findall(r"\\left\b", text)) == len(re.findall(r"\\right\b", text))


def _latex_problem(text: str) -> str | None:
    stack: list[str] = []
    for kind, env in re.findall(r"\\(begin|end)\{([^}]*)\}", text):
        if kind == "begin":
            stack.append(env)
        elif not stack or stack.pop() != env:
            return f"\\end{{{env}}} without its \\begin"
    if stack:
        return f"\\begin{{{stack[-1]}}} never ended"
    for match in re.finditer(r"\\[dt]?frac(?![a-zA-Z])", text):
        rest = text[match.end():].lstrip()
        args = re.match(r"(\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}|\\?[A-Za-z0-9])\s*"
                        r"(\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}|\\?[A-Za-z0-9])", rest)
        if args is None:
            return "\\frac without two arguments"
    return None


def sanity_problem(question: str, context: str, answer: str) -> tuple[str, str] | None:
    """(reason, detail) of the first deterministic problem of an item, or None."""
    if not question.strip():
        return "empty_question", ""
    if not answer.strip():
        return "empty_answer", ""
    if ONLY_NUMBER_QUESTION.match(question):
        return "question_only_number", question.strip()[:40]
    if NUMBER.match(answer):
        return "answer_bare_number", answer.strip()[:40]
    for name, text in (("question", question), ("context", context), ("answer", answer)):
        if not _dollars_balanced(text):
            return "unbalanced_dollars", f"odd number of $ in the {name}"
        if not _braces_balanced(text):
            return "unbalanced_braces", f"braces or \\left/\\right do not match in the {name}"
        problem = _latex_problem(text)
        if problem:
            return "latex_parse_error", f"{problem} in the {name}"
    return None


def user_turn(context: str, question: str) -> str:
    return f"{context.strip()}\n\n{question.strip()}" if context.strip() else question.strip()


def clean_requests(items: pl.DataFrame, cfg: ScholarConfig) -> list[LLMRequest]:
    params = GenerationParams(temperature=cfg.temperature, max_output_tokens=cfg.max_output_tokens)
    if cfg.chain == "authors":   # their clean_sample prompt, alone, plain text
        return [LLMRequest(
            sample_id=row["sample_id"], stage=prompts.STAGE_CLEAN, params=params,
            messages=[Message(role="user", content=authors_prompts.fill(
                authors_prompts.CLEAN_SAMPLE, question=row["question"],
                context=row["context"] or "", response=row["answer"]))])
            for row in items.iter_rows(named=True)]
    return [
        LLMRequest(
            sample_id=row["sample_id"], stage=prompts.STAGE_CLEAN,
            messages=[Message(role="system", content=prompts.CLEAN_SYSTEM),
                      Message(role="user", content=prompts.clean_prompt(
                          row["question"], row["context"] or "", row["answer"])
                          + f"\n\n(réf. [id={row['sample_id']}])")],
            response_schema=CleanedItem, params=params)
        for row in items.iter_rows(named=True)
    ]


def clean_items(items: pl.DataFrame, cfg: ScholarConfig,
                run: Callable[[list[LLMRequest], str], RunOutput]
                ) -> tuple[pl.DataFrame, pl.DataFrame, CallSummary | None]:
    """Clean every item with one call, then check it. Returns (kept, rejected, accounting);
    every input row is in exactly one of the two frames."""
    requests = clean_requests(items, cfg)
    out = run(requests, prompts.STAGE_CLEAN) if requests else None
    results = out.results if out is not None else []
    kept, rejected = [], []
    for row, result in zip(items.iter_rows(named=True), results, strict=True):
        common = {k: row[k] for k in ("sample_id", "exam_id", "subject", "year", "level")}
        common["subject_area"] = row.get("subject_area") or subject_area(row["subject"],
                                                                          row.get("exam"))
        if result.status != "ok":
            rejected.append({**common, "question": row["question"], "answer": row["answer"],
                             "reason": f"llm_{result.reason}", "detail": result.error or ""})
            continue
        if cfg.chain == "authors":
            fields = authors_prompts.parse_cleaned(result.text, row["question"],
                                                   row["context"] or "", row["answer"])
            if fields is None:
                rejected.append({**common, "question": row["question"], "answer": row["answer"],
                                 "reason": "unparsed_output", "detail": (result.text or "")[:2000]})
                continue
            cleaned = CleanedItem(**fields)
        else:
            cleaned = CleanedItem.model_validate(result.parsed)
        problem = sanity_problem(cleaned.question, cleaned.context, cleaned.answer)
        if problem is None and cfg.anomaly_checks:
            problem = anomaly_problem(cleaned.question, cleaned.context, cleaned.answer,
                                      row["answer"] or "", cfg.drop_figure_questions)
        if problem is None and cleaned.anomaly:
            problem = ("anomaly", cleaned.anomaly_reason or "flagged by the cleaning call")
        if problem is not None:
            rejected.append({**common, "question": cleaned.question, "answer": cleaned.answer,
                             "reason": problem[0], "detail": problem[1]})
            continue
        kept.append({
            **common, "pages": row["pages"], "question": cleaned.question.strip(),
            "context": cleaned.context.strip(), "answer": cleaned.answer.strip(),
            "messages": [{"role": "user", "content": user_turn(cleaned.context, cleaned.question)},
                         {"role": "assistant", "content": cleaned.answer.strip()}],
            "exam": row["exam"], "number": row["number"], "sujet_sha256": row["sujet_sha256"],
            "corrige_sha256": row["corrige_sha256"], "provider": result.provider,
            "model": result.model,
            "input_tokens": (row["input_tokens"] or 0) + result.input_tokens,
            "output_tokens": (row["output_tokens"] or 0) + result.output_tokens,
        })
    return (pl.DataFrame(kept, schema=CLEAN_SCHEMA),
            pl.DataFrame(rejected, schema=CLEAN_REJECT_SCHEMA),
            out.summary if out is not None else None)
