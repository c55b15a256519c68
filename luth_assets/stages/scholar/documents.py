"""The two documents of one exam pair read into page texts, or quarantined with the reason
(plain Python, no Dagster): the rows of `silver/exam_texts` and `silver/exam_quarantine`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl

from luth_assets.lib.confinement import OUTSIDE_REASON, is_inside
from luth_assets.stages.scholar.pdf_text import ExtractedPdf, QualityThresholds, extract_pdf
from luth_assets.stages.scholar.settings import ScholarConfig
from luth_assets.stages.scholar.tex_glyphs import PageRepair

ROLES = ("sujet", "corrige")
TEXT_SCHEMA = {
    "exam_id": pl.String, "role": pl.String, "path": pl.String, "sha256": pl.String,
    "page": pl.Int64, "text": pl.String, "chars": pl.Int64, "page_count": pl.Int64,
    "method": pl.String, "verdict": pl.String, "words_per_line": pl.Float64,
    "glyphs_repaired": pl.Int64, "glyphs_unmapped": pl.Int64, "page_verdict": pl.String,
    "text_source": pl.String,
}
# where a page's text came from: the PDF's text layer as it is, repaired TeX maths fonts, OCR,
# or the vision model (vision.py)
TEXT_SOURCES = ("text_layer", "repaired", "ocr", "vision")
QUARANTINE_SCHEMA = {
    "exam_id": pl.String, "role": pl.String, "path": pl.String, "sha256": pl.String,
    "reason": pl.String, "detail": pl.String, "methods_tried": pl.String,
    "page_count": pl.Int64, "exam": pl.String, "subject": pl.String, "year": pl.Int64,
}


def thresholds(cfg: ScholarConfig) -> QualityThresholds:
    return QualityThresholds(min_chars_per_page=cfg.min_chars_per_page,
                             min_words_per_line=cfg.min_words_per_line,
                             min_letter_ratio=cfg.min_letter_ratio,
                             repair_tex_fonts=cfg.repair_tex_fonts,
                             max_unmapped_glyph_share=cfg.max_unmapped_glyph_share)


def read_exam(exam: dict, cfg: ScholarConfig, warn: Callable[[str], None] = print
              ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(texts, quarantine) of one `bronze/exam_pdfs` row: each of the sujet and the corrigé is
    either a page per row of texts or one row of quarantine."""
    texts, quarantined = [], []
    for role in ROLES:
        path = Path(exam["landing_dir"]) / exam[f"{role}_path"]
        if not is_inside(path, exam["landing_dir"]):  # replaced by a symlink since the pairing
            result = ExtractedPdf(str(path), verdict=OUTSIDE_REASON,
                                  detail="resolves outside the landing folder: never opened")
        else:
            result = extract_pdf(path, thresholds(cfg), ocr=cfg.ocr, ocr_language=cfg.ocr_language,
                                 max_pages=cfg.max_pdf_pages)
        common = {"exam_id": exam["exam_id"], "role": role, "path": exam[f"{role}_path"],
                  "sha256": exam[f"{role}_sha256"]}
        if not result.ok:
            warn(f"{exam[f'{role}_path']}: quarantined ({result.verdict}: {result.detail})")
            quarantined.append({**common, "reason": result.verdict, "detail": result.detail,
                                "methods_tried": ",".join(result.tried),
                                "page_count": result.page_count, "exam": exam["exam"],
                                "subject": exam["subject"], "year": exam["year"]})
            continue
        wpl = result.quality.words_per_line if result.quality else None
        share = thresholds(cfg).max_unmapped_glyph_share
        texts += [{**common, "page": i, "text": text, "chars": len(text),
                   "page_count": result.page_count, "method": result.method,
                   "verdict": result.verdict, "words_per_line": wpl,
                   "text_source": "ocr" if result.method == "ocr" else "text_layer",
                   **_repair_columns(result.repairs[i - 1] if i <= len(result.repairs) else None,
                                     share)}
                  for i, text in enumerate(result.pages, start=1)]
    return (pl.DataFrame(texts, schema=TEXT_SCHEMA),
            pl.DataFrame(quarantined, schema=QUARANTINE_SCHEMA))


def _repair_columns(repair: PageRepair | None, max_share: float) -> dict:
    """glyphs_repaired, glyphs_unmapped, page_verdict of one page (null when not repaired,
    e.g. OCR text or the repair switched off)."""
    if repair is None:
        return {"glyphs_repaired": None, "glyphs_unmapped": None, "page_verdict": None}
    return {"glyphs_repaired": repair.repaired, "glyphs_unmapped": repair.unmapped,
            "page_verdict": repair.verdict(max_share),
            "text_source": "repaired" if repair.repaired else "text_layer"}


def check_document(path: Path, cfg: ScholarConfig) -> tuple[str, str]:
    """(verdict, detail) of one PDF as the quarantine would judge it (`ok` when readable)."""
    result = extract_pdf(path, thresholds(cfg), ocr=cfg.ocr, ocr_language=cfg.ocr_language,
                         max_pages=cfg.max_pdf_pages)
    return result.verdict, result.detail


def pages(texts: pl.DataFrame, role: str) -> list[str]:
    """The page texts of one document of the exam, in page order (empty when quarantined)."""
    return texts.filter(pl.col("role") == role).sort("page")["text"].to_list()


def value_counts(frame: pl.DataFrame, column: str) -> dict[str, int]:
    """Rows per value of `column` (for metadata)."""
    if frame.is_empty():
        return {}
    return {str(k): v for k, v in frame.group_by(column).len().rows()}
