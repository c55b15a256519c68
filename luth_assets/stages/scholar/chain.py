"""The extraction chain (plain Python, no Dagster): sujet chunks -> questions -> answers -> items.

Every call goes through :class:`luth_assets.lib.llm.LLMClient` with a pydantic schema. Every
question the model lists ends as exactly one item or one reject (with a reason); a chunk whose
call failed ends as one reject too, so nothing is lost silently.

Sample ids: a chunk call is ``<exam_id>-q<NN>``; an item is
``make_sample_id("scholar", "<exam_id>:<number>")``, and ``exam_id`` is the hash of the two PDFs'
contents (:func:`pairing.exam_id_of`), so each item traces back to its PDFs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from luth_assets.lib.llm import CallSummary, GenerationParams, LLMRequest, Message, RunOutput
from luth_assets.stages.scholar import prompts
from luth_assets.stages.scholar.prompts import AnswerExtraction, QuestionList
from luth_assets.stages.scholar.settings import ScholarConfig
from luth_assets.stages.scholar.subjects import subject_area
from luth_train.sample_ids import make_sample_id

HEADING = re.compile(r"^[ \t]*(?:EXERCICE|Exercice|EXERCISE|PROBL[ÈE]ME|Probl[èe]me)\b.*$",
                     re.MULTILINE)
PAGE_MARK = re.compile(r"\[page (\d+)\]")
ITEM_SCHEMA = {
    "sample_id": pl.String, "exam_id": pl.String, "exam": pl.String, "subject": pl.String,
    "year": pl.Int64, "level": pl.String, "pages": pl.List(pl.Int64), "number": pl.String,
    "question": pl.String, "context": pl.String, "answer": pl.String, "multi_step": pl.Boolean,
    "sujet_sha256": pl.String, "corrige_sha256": pl.String, "chunk_id": pl.String,
    "provider": pl.String, "model": pl.String, "input_tokens": pl.Int64,
    "output_tokens": pl.Int64, "subject_area": pl.String,
}
REJECT_SCHEMA = {
    "sample_id": pl.String, "exam_id": pl.String, "number": pl.String, "question": pl.String,
    "step": pl.String, "reason": pl.String, "detail": pl.String,
}

Runner = Callable[[list[LLMRequest], str], RunOutput]


@dataclass(frozen=True)
class Chunk:
    index: int
    pages: list[int]
    text: str


@dataclass
class ChainOutput:
    items: pl.DataFrame
    rejects: pl.DataFrame
    summaries: list[CallSummary] = field(default_factory=list)
    questions: int = 0          # questions the model listed
    failed_chunks: int = 0


def with_page_marks(pages: list[str]) -> str:
    return "\n".join(f"[page {i}]\n{text}" for i, text in enumerate(pages, start=1))


def _sections(text: str) -> list[str]:
    starts = {0}
    for match in HEADING.finditer(text):
        start = match.start()
        mark = re.search(r"\[page \d+\]\n$", text[max(0, start - 16):start])
        starts.add(start - len(mark.group()) if mark else start)  # a page's mark goes with it
    starts = sorted(starts)
    return [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True) if text[a:b].strip()]


def _pieces(section: str, max_chars: int) -> list[str]:
    """A section longer than max_chars, cut at line ends (a single overlong line is cut hard)."""
    pieces, current = [], ""
    for line in section.splitlines(keepends=True):
        while len(line) > max_chars:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:max_chars])
            line = line[max_chars:]
        if len(current) + len(line) > max_chars and current:
            pieces.append(current)
            current = ""
        current += line
    if current.strip():
        pieces.append(current)
    return pieces


def split_exam(pages: list[str], max_chars: int) -> list[Chunk]:
    """Cut a sujet into chunks of at most `max_chars` (+ a page mark), at exercise headings when
    possible; each chunk knows its pages and starts with a ``[page N]`` mark."""
    text = with_page_marks(pages)
    pieces: list[str] = []
    for section in _sections(text):
        pieces.extend(_pieces(section, max_chars) if len(section) > max_chars else [section])
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        if current and len(current) + len(piece) > max_chars:
            chunks.append(current)
            current = ""
        current += piece
    if current.strip():
        chunks.append(current)
    out, page = [], 1
    for i, chunk in enumerate(chunks):
        marks = [int(m) for m in PAGE_MARK.findall(chunk)]
        starts_with_mark = chunk.lstrip().startswith("[page ")
        chunk_pages = sorted(set(([] if starts_with_mark else [page]) + marks))
        if not starts_with_mark:
            chunk = f"[page {page}]\n{chunk}"
        out.append(Chunk(index=i, pages=chunk_pages, text=chunk.strip()))
        if marks:
            page = marks[-1]
    return out


def exercise_number(number: str) -> int | None:
    found = re.search(r"(?:exercice|exercise|probl[èe]me|ex\.?)\s*(\d+)", number, re.IGNORECASE)
    return int(found.group(1)) if found else None


def corrige_excerpt(corrige_pages: list[str], number: str, max_chars: int) -> str:
    """The corrigé text for one question: all of it when short enough, else its exercise."""
    text = with_page_marks(corrige_pages)
    if len(text) <= max_chars:
        return text
    wanted = exercise_number(number)
    if wanted is not None:
        for section in _sections(text):
            first_line = section.strip().splitlines()[0] if section.strip() else ""
            found = re.search(r"(\d+)", first_line)
            if HEADING.match(first_line) and found and int(found.group(1)) == wanted:
                return section[:max_chars]
    return text[:max_chars]


def _params(cfg: ScholarConfig) -> GenerationParams:
    return GenerationParams(temperature=cfg.temperature, max_output_tokens=cfg.max_output_tokens)


def chunk_id(exam_id: str, index: int) -> str:
    return f"{exam_id}-q{index:02d}"


def question_requests(exam: dict, sujet_pages: list[str], cfg: ScholarConfig
                      ) -> tuple[list[LLMRequest], list[Chunk]]:
    chunks = split_exam(sujet_pages, cfg.max_chunk_chars)
    requests = [
        LLMRequest(
            sample_id=chunk_id(exam["exam_id"], c.index), stage=prompts.STAGE_QUESTIONS,
            messages=[Message(role="system", content=prompts.QUESTIONS_SYSTEM),
                      Message(role="user", content=prompts.questions_prompt(
                          exam["exam"], exam["subject"], c.text, c.index + 1, len(chunks))
                          + f"\n\n(réf. [id={chunk_id(exam['exam_id'], c.index)}])")],
            response_schema=QuestionList, params=_params(cfg))
        for c in chunks
    ]
    return requests, chunks


def item_id(exam_id: str, number: str) -> str:
    return make_sample_id("scholar", f"{exam_id}:{number}")


def _reject(sample_id: str, exam_id: str, number: str | None, question: str | None, step: str,
            reason: str, detail: str = "") -> dict:
    return {"sample_id": sample_id, "exam_id": exam_id, "number": number, "question": question,
            "step": step, "reason": reason, "detail": detail}


def run_chain(exam: dict, sujet_pages: list[str], corrige_pages: list[str], cfg: ScholarConfig,
              run: Runner, log: Callable[[str], None] = lambda _: None) -> ChainOutput:
    """Questions, figure filter, context, answers for one exam. `run(requests, stage)` is
    ``LLMClient.run`` (tests pass a client pointed at a loopback server)."""
    exam_id = exam["exam_id"]
    rejects: list[dict] = []
    q_requests, chunks = question_requests(exam, sujet_pages, cfg)
    log(f"{exam['exam']}: {len(chunks)} chunk(s) of the sujet to read")
    summaries: list[CallSummary] = []
    q_results = []
    if q_requests:
        q_out = run(q_requests, prompts.STAGE_QUESTIONS)
        summaries.append(q_out.summary)
        q_results = q_out.results
    questions: list[dict] = []
    seen: dict[str, int] = {}
    failed_chunks = 0
    for chunk, result in zip(chunks, q_results, strict=True):
        if result.status != "ok":
            failed_chunks += 1
            rejects.append(_reject(result.sample_id, exam_id, None, None, "questions",
                                   f"llm_{result.reason}", result.error or ""))
            continue
        for q in result.parsed["questions"]:
            number = q["number"].strip() or f"chunk {chunk.index + 1}"
            seen[number] = seen.get(number, 0) + 1
            if seen[number] > 1:  # the model repeated a number: keep both, apart
                number = f"{number} #{seen[number]}"
            pages = sorted(set(q["pages"]) & set(chunk.pages)) or chunk.pages
            questions.append({**q, "number": number, "pages": pages,
                              "sample_id": item_id(exam_id, number),
                              "chunk_id": result.sample_id})
    wanted: list[dict] = []
    for q in questions:
        if not q["question"].strip():
            rejects.append(_reject(q["sample_id"], exam_id, q["number"], q["question"],
                                   "questions", "empty_question"))
        elif q["needs_figure"] and cfg.drop_figure_questions:
            rejects.append(_reject(q["sample_id"], exam_id, q["number"], q["question"],
                                   "questions", "needs_figure"))
        else:
            wanted.append(q)
    log(f"{exam['exam']}: {len(questions)} question(s), {len(wanted)} sent for their answer")
    a_requests = [
        LLMRequest(
            sample_id=q["sample_id"], stage=prompts.STAGE_ANSWERS,
            messages=[Message(role="system", content=prompts.ANSWERS_SYSTEM),
                      Message(role="user", content=prompts.answers_prompt(
                          q["number"], q["question"], q["context"],
                          corrige_excerpt(corrige_pages, q["number"], cfg.max_corrige_chars))
                          + f"\n\n(réf. [id={q['sample_id']}])")],
            response_schema=AnswerExtraction, params=_params(cfg))
        for q in wanted
    ]
    a_results = []
    if a_requests:
        a_out = run(a_requests, prompts.STAGE_ANSWERS)
        summaries.append(a_out.summary)
        a_results = a_out.results
    items: list[dict] = []
    for q, result in zip(wanted, a_results, strict=True):
        base = (q["sample_id"], exam_id, q["number"], q["question"], "answers")
        if result.status != "ok":
            rejects.append(_reject(*base, f"llm_{result.reason}", result.error or ""))
            continue
        answer = result.parsed
        if not answer["found"]:
            rejects.append(_reject(*base, "answer_not_found", "the corrigé does not treat it"))
            continue
        if not answer["answer"].strip():
            rejects.append(_reject(*base, "empty_answer"))
            continue
        context = q["context"].strip()
        if answer["multi_step"] and answer["extra_context"].strip():
            context = f"{context}\n\n{answer['extra_context'].strip()}".strip()
        items.append({
            "sample_id": q["sample_id"], "exam_id": exam_id, "exam": exam["exam"],
            "subject": exam["subject"], "year": exam["year"], "level": exam["level"],
            "subject_area": subject_area(exam["subject"], exam["exam"]),
            "pages": q["pages"], "number": q["number"], "question": q["question"].strip(),
            "context": context, "answer": answer["answer"].strip(),
            "multi_step": answer["multi_step"], "sujet_sha256": exam["sujet_sha256"],
            "corrige_sha256": exam["corrige_sha256"], "chunk_id": q["chunk_id"],
            "provider": result.provider, "model": result.model,
            "input_tokens": result.input_tokens, "output_tokens": result.output_tokens,
        })
    return ChainOutput(
        items=pl.DataFrame(items, schema=ITEM_SCHEMA),
        rejects=pl.DataFrame(rejects, schema=REJECT_SCHEMA),
        summaries=summaries, questions=len(questions), failed_chunks=failed_chunks,
    )

