"""Vision fallback: pages whose text layer is unusable, read by a multimodal model.

A page is a candidate when its document is quarantined ``no_text_layer`` (a scan) or ``garbled``
(every page of it), or, in a document that was read, when the page itself is ``garbled`` after
the TeX font repair or carries an image and (almost) no text (an image-only page). Each candidate
is rendered with PyMuPDF at ``scholar.vision.dpi`` and sent as a PNG image part (one call per
page, stage ``scholar_vision``) through the LLM runtime: cached (the key holds the image's
sha256), accounted in ``ops/llm_calls``, priced by ``luth plan``.

A transcription is checked (:func:`transcription_problem`); the reasons of
``silver/exam_vision_rejects``:

- ``empty_transcription``: (almost) nothing came back,
- ``not_french``: the text is not French (a page the model translated or invented),
- ``no_mathematics``: the text layer had mathematical symbols and the transcription has none,
- ``over_page_cap``: the exam's ``max_pages_per_exam`` was spent (a quarantined document is sent
  whole or not at all),
- ``document_quarantined``: a good page of a document another page of which was rejected (the
  document stays quarantined, a sujet with a hole gives wrong items),
- ``llm_<reason>``: the call failed (``llm_truncated``, ``llm_blocked``, ...).

Every candidate page ends once: in ``silver/exam_texts`` with ``text_source = vision`` or in the
vision rejects.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from luth_assets.lib.llm import GenerationParams, ImagePart, LLMRequest, Message, RunOutput
from luth_assets.lib.llm.settings import LLMSettings, StepLLMSettings
from luth_assets.stages.scholar import prompts
from luth_assets.stages.scholar.pdf_text import symbol_substitutions
from luth_assets.stages.scholar.settings import ScholarConfig
from luth_train.sample_ids import make_sample_id

VISION_REJECT_SCHEMA = {
    "exam_id": pl.String, "role": pl.String, "path": pl.String, "sha256": pl.String,
    "page": pl.Int64, "reason": pl.String, "detail": pl.String, "text": pl.String,
}
VISION_QUARANTINE_REASONS = ("no_text_layer", "garbled")
MIN_TRANSCRIPTION_CHARS = 20     # fewer non-blank characters: an empty transcription
MIN_WORDS_FOR_LANGUAGE = 12      # fewer words: the language is not judged
MIN_FRENCH_SHARE = 0.06          # French function words per word below this: not French
IMAGE_ONLY_MAX_CHARS = 40        # a page of a read document with an image and fewer characters
NOT_MATHS = set("|~")
FRENCH_WORDS = frozenset(
    "le la les de des du un une et est sont que qui dans pour par sur au aux en on ne pas "
    "avec cette ce ces son sa ses il elle nous vous leur se si ou où donc alors soit tout "
    "toute tous plus été être fonction question montrer déterminer calculer suite".split())
ENGLISH_WORDS = frozenset(
    "the of and is are that which in for by on to with this these its it we you be let "
    "show find compute prove then if or".split())
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_LATEX = re.compile(r"\$|\\\(|\\\[|\\[A-Za-z]+")
_FENCE = re.compile(r"^\s*```[a-zA-Z]*\n(.*?)\n?```\s*$", re.DOTALL)


@dataclass(frozen=True)
class VisionPage:
    """One page to transcribe: its document (role, path, sha256), number, and whether its text
    layer shows mathematical symbols (the transcription must then have mathematics)."""

    role: str
    path: str
    sha256: str
    page: int
    had_symbols: bool
    quarantined: bool     # its document is quarantined (sent whole or not at all)


# ----------------------------------------------------------------------------- checks
def math_signs(text: str) -> int:
    """Mathematical symbols of a text: Unicode maths characters, control characters where big
    delimiters stood, Latin-1 stand-ins of a symbol font (``p Ø 0``)."""
    signs = sum(1 for ch in text if ch not in NOT_MATHS and unicodedata.category(ch) == "Sm")
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\t\r")
    return signs + controls + sum(symbol_substitutions(text).values())


def has_mathematics(text: str) -> bool:
    """LaTeX (``$``, ``\\(``, ``\\[``, a command) or a Unicode maths character."""
    return bool(_LATEX.search(text)) or any(
        ch not in NOT_MATHS and unicodedata.category(ch) == "Sm" for ch in text)


def french_share(text: str) -> tuple[int, float, float]:
    """(words, share of French function words, share of English ones), LaTeX left out."""
    prose = re.sub(r"\$[^$]*\$|\\[A-Za-z]+", " ", text)
    words = [w.lower() for w in _WORD.findall(prose)]
    if not words:
        return 0, 0.0, 0.0
    return (len(words), sum(w in FRENCH_WORDS for w in words) / len(words),
            sum(w in ENGLISH_WORDS for w in words) / len(words))


def strip_fence(text: str) -> str:
    """The transcription without a ```markdown fence around the whole of it."""
    found = _FENCE.match(text)
    return (found.group(1) if found else text).strip()


def transcription_problem(text: str, had_symbols: bool) -> tuple[str, str] | None:
    """(reason, detail) when a transcription fails its own checks, else None."""
    body = "".join(text.split())
    if len(body) < MIN_TRANSCRIPTION_CHARS:
        return "empty_transcription", f"{len(body)} non-blank characters"
    words, french, english = french_share(text)
    if words >= MIN_WORDS_FOR_LANGUAGE and (french < MIN_FRENCH_SHARE or english > french):
        return "not_french", (f"{words} words: French function words {french:.0%}, English "
                              f"{english:.0%}")
    if had_symbols and not has_mathematics(text):
        return "no_mathematics", "the text layer has mathematical symbols, the transcription none"
    return None


# ----------------------------------------------------------------------------- pages
def image_only_pages(path: Path, pages: list[int]) -> list[int]:
    """The pages of `pages` (1-based) that carry an image."""
    import pymupdf

    with pymupdf.open(path) as doc:
        return [n for n in pages if 1 <= n <= doc.page_count and doc[n - 1].get_images()]


def text_layer_symbols(path: Path) -> list[bool]:
    """Per page of a PDF: whether its raw text layer shows mathematical symbols."""
    import pymupdf

    with pymupdf.open(path) as doc:
        return [math_signs(page.get_text("text")) > 0 for page in doc]


def candidate_pages(exam: dict, texts: pl.DataFrame, quarantine: pl.DataFrame) -> list[VisionPage]:
    """Pages of one exam pair that need the vision fallback, sujet first, in page order."""
    landing = Path(exam["landing_dir"])
    found: list[VisionPage] = []
    for row in quarantine.iter_rows(named=True):
        if row["reason"] not in VISION_QUARANTINE_REASONS:
            continue
        symbols = text_layer_symbols(landing / row["path"])
        found += [VisionPage(row["role"], row["path"], row["sha256"], n, has, True)
                  for n, has in enumerate(symbols, start=1)]
    for (role, path, sha), doc in texts.group_by(["role", "path", "sha256"], maintain_order=True):
        garbled = doc.filter(pl.col("page_verdict") == "garbled")
        thin = doc.filter((pl.col("chars") < IMAGE_ONLY_MAX_CHARS)
                          & (pl.col("page_verdict") != "garbled").fill_null(True))
        pages = set(garbled["page"].to_list())
        if thin.height:
            pages |= set(image_only_pages(landing / path, thin["page"].to_list()))
        for row in doc.filter(pl.col("page").is_in(sorted(pages))).iter_rows(named=True):
            has = (row["glyphs_repaired"] or 0) + (row["glyphs_unmapped"] or 0) > 0 \
                or math_signs(row["text"]) > 0
            found.append(VisionPage(role, path, sha, row["page"], has, False))
    order = {"sujet": 0, "corrige": 1}
    return sorted(found, key=lambda p: (order.get(p.role, 2), p.page))


def within_cap(pages: list[VisionPage], cap: int) -> tuple[list[VisionPage], list[VisionPage]]:
    """(sent, over the cap): pages in order until `cap`; a quarantined document whole or not."""
    sent, over, left = [], [], cap
    by_doc: dict[tuple[str, bool], list[VisionPage]] = {}
    for p in pages:
        by_doc.setdefault((p.role, p.quarantined), []).append(p)
    for (_, quarantined), doc in by_doc.items():
        if quarantined:
            take = doc if len(doc) <= left else []
        else:
            take = doc[:max(0, left)]
        sent += take
        over += doc[len(take):]
        left -= len(take)
    return sent, over


def vision_page_count(exam: dict, texts: pl.DataFrame, quarantine: pl.DataFrame,
                      cfg: ScholarConfig) -> int:
    """Pages of one exam pair the fallback would send (for `luth plan`)."""
    return len(within_cap(candidate_pages(exam, texts, quarantine),
                          cfg.vision.max_pages_per_exam)[0])


def render_page(path: Path, page: int, dpi: int) -> bytes:
    """PNG bytes of one page (1-based) at `dpi`."""
    import pymupdf

    with pymupdf.open(path) as doc:
        return doc[page - 1].get_pixmap(dpi=dpi).tobytes("png")


def image_tokens(width_px: int, height_px: int) -> int:
    """Input tokens of one image as Gemini 2.x counts them: 258 up to 384 px a side, else 258
    per 768 x 768 tile (an A4 page at 150 dpi: 6 tiles, 1,548 tokens)."""
    if width_px <= 384 and height_px <= 384:
        return 258
    return 258 * math.ceil(width_px / 768) * math.ceil(height_px / 768)


def page_tokens(dpi: int, width_pt: float = 595, height_pt: float = 842) -> int:
    return image_tokens(round(width_pt * dpi / 72), round(height_pt * dpi / 72))


def vision_id(exam_id: str, role: str, page: int) -> str:
    return make_sample_id(prompts.STAGE_VISION, f"{exam_id}:{role}:{page}")


def vision_request(sample_id: str, png: bytes, cfg: ScholarConfig) -> LLMRequest:
    return LLMRequest(
        sample_id=sample_id, stage=prompts.STAGE_VISION,
        messages=[Message(role="system", content=prompts.VISION_SYSTEM),
                  Message(role="user", content=f"{prompts.VISION_USER}\n\n(réf. [id={sample_id}])",
                          images=(ImagePart(mime_type="image/png", data=png),))],
        params=GenerationParams(temperature=cfg.temperature,
                                max_output_tokens=cfg.max_output_tokens))


def vision_llm_settings(llm: LLMSettings, cfg: ScholarConfig) -> LLMSettings:
    """`llm:` with `scholar.vision.model` as the model of the `scholar_vision` step (over
    `llm.steps.scholar_vision.model`); unchanged when no vision model is named."""
    model = cfg.vision.model
    if not model:
        return llm
    step = llm.steps.get("scholar_vision") or StepLLMSettings()
    steps = {**llm.steps, "scholar_vision": step.model_copy(update={"model": model})}
    return llm.model_copy(update={"steps": steps})


# ----------------------------------------------------------------------------- the fallback
@dataclass
class VisionOutcome:
    texts: pl.DataFrame
    quarantine: pl.DataFrame
    rejects: pl.DataFrame
    sent: int = 0
    transcribed: int = 0


def _reject(exam: dict, page: VisionPage, reason: str, detail: str = "", text: str | None = None
            ) -> dict:
    return {"exam_id": exam["exam_id"], "role": page.role, "path": page.path,
            "sha256": page.sha256, "page": page.page, "reason": reason, "detail": detail,
            "text": text}


def vision_fallback(exam: dict, texts: pl.DataFrame, quarantine: pl.DataFrame,
                    cfg: ScholarConfig, run: Callable[[list[LLMRequest], str], RunOutput],
                    log: Callable[[str], None] = print) -> VisionOutcome:
    """Transcribe the exam's candidate pages and fold the accepted ones into its texts; a
    quarantined document whose every page is accepted leaves the quarantine."""
    landing = Path(exam["landing_dir"])
    candidates = candidate_pages(exam, texts, quarantine)
    sent, over = within_cap(candidates, cfg.vision.max_pages_per_exam)
    rejects = [_reject(exam, p, "over_page_cap", f"scholar.vision.max_pages_per_exam "
                       f"{cfg.vision.max_pages_per_exam}") for p in over]
    if not sent:
        return VisionOutcome(texts, quarantine, pl.DataFrame(rejects, schema=VISION_REJECT_SCHEMA))
    log(f"{exam['exam']}: {len(sent)} page(s) sent to the vision model "
        f"({len(over)} over the cap)")
    requests = [vision_request(vision_id(exam["exam_id"], p.role, p.page),
                               render_page(landing / p.path, p.page, cfg.vision.dpi), cfg)
                for p in sent]
    results = run(requests, prompts.STAGE_VISION).results
    accepted: dict[tuple[str, int], str] = {}
    for page, result in zip(sent, results, strict=True):
        if result.status != "ok":
            rejects.append(_reject(exam, page, f"llm_{result.reason}", result.error or "",
                                   result.text or result.raw_text))
            continue
        text = strip_fence(result.text or "")
        problem = transcription_problem(text, page.had_symbols)
        if problem is not None:
            rejects.append(_reject(exam, page, *problem, text))
        else:
            accepted[(page.role, page.page)] = text
    texts, quarantine = _fold(exam, texts, quarantine, sent, accepted, rejects)
    held = sum(r["reason"] == "document_quarantined" for r in rejects)
    return VisionOutcome(texts, quarantine, pl.DataFrame(rejects, schema=VISION_REJECT_SCHEMA),
                         sent=len(sent), transcribed=len(accepted) - held)


def _fold(exam: dict, texts: pl.DataFrame, quarantine: pl.DataFrame, sent: list[VisionPage],
          accepted: dict[tuple[str, int], str], rejects: list[dict]
          ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Texts and quarantine with the accepted transcriptions folded in (`rejects` gains the
    good pages of documents that stay quarantined)."""
    rows = texts.to_dicts()
    for row in rows:  # pages of documents that were read
        text = accepted.get((row["role"], row["page"]))
        if text is not None:
            row.update(text=text, chars=len(text), text_source="vision")
    released, held = [], []
    for q in quarantine.iter_rows(named=True):
        doc = [p for p in sent if p.role == q["role"] and p.quarantined]
        if doc and all((p.role, p.page) in accepted for p in doc):
            released.append(q["role"])
            rows += [{"exam_id": exam["exam_id"], "role": p.role, "path": p.path,
                      "sha256": p.sha256, "page": p.page, "text": accepted[(p.role, p.page)],
                      "chars": len(accepted[(p.role, p.page)]), "page_count": q["page_count"],
                      "method": "vision", "verdict": "ok", "words_per_line": None,
                      "glyphs_repaired": None, "glyphs_unmapped": None, "page_verdict": None,
                      "text_source": "vision"} for p in doc]
            continue
        if doc:
            failed = [p.page for p in doc if (p.role, p.page) not in accepted]
            rejects += [_reject(exam, p, "document_quarantined",
                                f"page(s) {failed} of the document rejected",
                                accepted[(p.role, p.page)])
                        for p in doc if (p.role, p.page) in accepted]
            q = {**q, "detail": f"{q['detail']}; vision: {len(failed)} of {len(doc)} page(s) "
                 "rejected (silver/exam_vision_rejects)"}
        held.append(q)
    order = {"sujet": 0, "corrige": 1}
    out = pl.DataFrame(rows, schema=texts.schema).sort(
        pl.col("role").replace_strict(order, default=2, return_dtype=pl.Int64), "page")
    return out, pl.DataFrame(held, schema=quarantine.schema)
