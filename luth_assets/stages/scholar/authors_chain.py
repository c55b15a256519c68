"""`scholar.chain: authors`: the authors' four calls per exam (authors_prompts.py), run through the
LLM client, ending in the same items and rejects as the default chain (chain.py).

Each call is one request per exam (sample id ``<exam_id>-authors-<step>``); the question steps
(extract questions, add context) carry the `scholar_questions` stage and the answer steps
(extract answers, enrich context) `scholar_answers`, so `llm.steps.scholar_questions` /
`.scholar_answers` choose their models. Items get the number of their place in the last answer
(``q001``, ...) and the sample id ``make_sample_id("scholar", "<exam_id>:<number>")``.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from luth_assets.lib.llm import GenerationParams, LLMRequest, Message, RunOutput
from luth_assets.stages.scholar import authors_prompts as ap
from luth_assets.stages.scholar.chain import ITEM_SCHEMA, REJECT_SCHEMA, ChainOutput, item_id
from luth_assets.stages.scholar.settings import ScholarConfig
from luth_assets.stages.scholar.subjects import subject_area

Runner = Callable[[list[LLMRequest], str], RunOutput]


def step_id(exam_id: str, step: str) -> str:
    return f"{exam_id}-authors-{step}"


def _reject(sample_id: str, exam_id: str, number: str | None, question: str | None, step: str,
            reason: str, detail: str = "") -> dict:
    return {"sample_id": sample_id, "exam_id": exam_id, "number": number, "question": question,
            "step": step, "reason": reason, "detail": detail}


def step_prompt(step: str, sujet: str, corrige: str, previous: object) -> str:
    """The prompt of one step, from the texts and the previous step's parsed answer."""
    if step == "questions":
        return ap.fill(ap.EXTRACT_QUESTIONS, subject_text=sujet)
    if step == "context":
        return ap.fill(ap.ADD_CONTEXT, subject_text=sujet, questions=ap.as_prompt_text(previous))
    if step == "answers":
        return ap.fill(ap.EXTRACT_ANSWERS, contexted_questions=ap.as_prompt_text(previous),
                       correction_text=corrige)
    return ap.fill(ap.ENRICH_CONTEXT, answers_with_context=ap.as_prompt_text(previous))


def run_authors_chain(exam: dict, sujet_pages: list[str], corrige_pages: list[str],
                      cfg: ScholarConfig, run: Runner,
                      log: Callable[[str], None] = lambda _: None) -> ChainOutput:
    exam_id = exam["exam_id"]
    sujet, corrige = ap.sujet_text(sujet_pages), ap.sujet_text(corrige_pages)
    params = GenerationParams(temperature=cfg.temperature, max_output_tokens=cfg.max_output_tokens)
    summaries = []
    previous: object = None
    result = None
    for step, stage, _ in ap.STEPS:
        request = LLMRequest(sample_id=step_id(exam_id, step), stage=stage, params=params,
                             messages=[Message(role="user", content=step_prompt(
                                 step, sujet, corrige, previous))])
        out = run([request], stage)
        summaries.append(out.summary)
        result = out.results[0]
        if result.status != "ok":
            log(f"{exam['exam']}: the {step} call failed ({result.reason}); no item")
            rejects = [_reject(request.sample_id, exam_id, None, None, step,
                               f"llm_{result.reason}", result.error or "")]
            return ChainOutput(items=pl.DataFrame(schema=ITEM_SCHEMA),
                               rejects=pl.DataFrame(rejects, schema=REJECT_SCHEMA),
                               summaries=summaries, failed_chunks=1)
        previous = ap.parse_answer(result.text)
    found = ap.items_of(previous)
    if found is None:
        rejects = [_reject(step_id(exam_id, "enrich"), exam_id, None, None, "enrich",
                           "unparsed_output", ap.as_text(previous)[:2000])]
        return ChainOutput(items=pl.DataFrame(schema=ITEM_SCHEMA),
                           rejects=pl.DataFrame(rejects, schema=REJECT_SCHEMA),
                           summaries=summaries, failed_chunks=1)
    items, rejects = [], []
    for i, entry in enumerate(found, start=1):
        number = f"q{i:03d}"
        question = ap.as_text(entry.get("question")).strip()
        answer = ap.as_text(entry.get("reponse", entry.get("response"))).strip()
        sample_id = item_id(exam_id, number)
        if not question:
            rejects.append(_reject(sample_id, exam_id, number, question, "enrich", "empty_question"))
            continue
        if not answer:
            rejects.append(_reject(sample_id, exam_id, number, question, "enrich", "empty_answer"))
            continue
        items.append({
            "sample_id": sample_id, "exam_id": exam_id, "exam": exam["exam"],
            "subject": exam["subject"], "year": exam["year"], "level": exam["level"],
            "subject_area": subject_area(exam["subject"], exam["exam"]),
            "pages": [], "number": number, "question": question,
            "context": ap.as_text(entry.get("context")).strip(), "answer": answer,
            "multi_step": False, "sujet_sha256": exam["sujet_sha256"],
            "corrige_sha256": exam["corrige_sha256"], "chunk_id": step_id(exam_id, "questions"),
            "provider": result.provider, "model": result.model,
            "input_tokens": result.input_tokens, "output_tokens": result.output_tokens,
        })
    log(f"{exam['exam']}: {len(found)} item(s) from the authors' chain, {len(items)} kept")
    return ChainOutput(items=pl.DataFrame(items, schema=ITEM_SCHEMA),
                       rejects=pl.DataFrame(rejects, schema=REJECT_SCHEMA),
                       summaries=summaries, questions=len(found))
