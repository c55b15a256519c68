"""The `scholar:` section of the run configuration.

Stage: exam PDFs (sujet + corrigé) to question/answer items.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from luth_assets.lib.strict import StrictModel
from luth_assets.stages.scholar.crawl_settings import CrawlConfig


class VisionConfig(StrictModel):
    """`scholar.vision`: pages without a usable text layer read by a multimodal model."""

    enabled: bool = Field(False, description="send pages that stay garbled after the TeX font "
                          "repair, or have no text layer (scans), to a multimodal model as images")
    model: str | None = Field(None, description="the multimodal model (e.g. gemini-2.5-flash, or "
                              "the VLM a vLLM server serves); default: llm.steps.scholar_vision."
                              "model, else llm.model")
    dpi: int = Field(150, ge=36, le=600, description="resolution the page is rendered at")
    max_pages_per_exam: int = Field(
        40, ge=0, description="pages of one exam pair sent at most; a quarantined document "
        "with more pages than are left stays quarantined (its pages listed over_page_cap)")


class ScholarConfig(StrictModel):
    """Settings of the scholar stage. Unknown keys are errors."""

    landing_dir: Path | None = Field(
        None, description="folder watched for exam PDFs (sub-folders allowed); relative paths "
        "resolve against the config file; default: <lake>/landing/exams")
    default_subject: str = Field("mathematiques", description="when neither manifest nor name says")
    default_level: str = Field("terminale", description="when neither manifest nor name says")
    license: str | None = Field(None, description="licence of the exam papers, shown in the SFT "
                                "mix's dataset card")
    # text extraction and quality verdicts
    min_chars_per_page: int = Field(200, ge=0, description="below (on average): no text layer")
    min_words_per_line: float = Field(2.0, ge=0.0, description="below: words one per line")
    min_letter_ratio: float = Field(
        0.35, ge=0.0, le=1.0, description="a common French letter below this share of its usual "
        "frequency means letters were lost to a font encoding")
    repair_tex_fonts: bool = Field(
        True, description="map the glyphs of TeX maths fonts read without a Unicode map (OMS, "
        "OML, OMX, msam, msbm) to Unicode at extraction; off: the text as PyMuPDF prints it")
    max_unmapped_glyph_share: float = Field(
        0.01, ge=0.0, le=1.0, description="share of a document's characters still unmapped "
        "after the TeX font repair (control characters, stand-ins) above which it is "
        "quarantined garbled; a handful of glyphs never is")
    ocr: bool = Field(False, description="OCR scanned pages with Tesseract (off unless asked)")
    max_pdf_pages: int = Field(
        300, ge=1, description="a PDF with more pages is quarantined `too_many_pages` before any "
        "page is read (an exam has tens of pages; 20,000 empty pages take seconds, a huge page "
        "tree minutes and memory)")
    ocr_language: str = "fra"
    # extraction chain
    chain: Literal["ours", "authors"] = Field(
        "ours", description="ours: sujet chunks -> questions (with context and a figure flag) "
        "-> one answer call per question, structured output; authors: their four calls per exam "
        "(extract questions, add context, extract answers, enrich context) on the whole texts, "
        "their prompts byte for byte (luth_assets/stages/scholar/authors_prompts.py)")
    max_chunk_chars: int = Field(
        6000, ge=500, description="a sujet longer than this is split (at exercise headings) so "
        "each call fits the model's context")
    max_corrige_chars: int = Field(
        12000, ge=500, description="corrigé text sent with each answer call (the matching "
        "exercise when the whole corrigé is longer)")
    drop_figure_questions: bool = Field(True, description="reject questions that need a figure")
    anomaly_checks: bool = Field(
        True, description="after the cleaning call, reject items whose question points at a "
        "figure (needs_figure), that stop mid-sentence (truncated) or whose final result is not "
        "in the corrigé's answer (contradicts_corrige); off: the cleaning call's anomaly verdict "
        "alone, as the paper")
    temperature: float = Field(0.0, ge=0.0, le=2.0)
    max_output_tokens: int = Field(8192, ge=64)
    vision: VisionConfig = Field(default_factory=VisionConfig, description="vision fallback: "
                                 "garbled or image-only pages transcribed by a multimodal model")
    # plan and expected counts
    expected_rows: int | None = Field(
        None, ge=0, description="question/answer items the extraction is expected to yield "
        "(silver/scholar_items, all exams; the paper: 30,282); scholar_items_clean warns in its "
        "metadata when more than 5% off, and `luth plan` counts answer and cleaning calls with it")
    expected_exams: int | None = Field(
        None, ge=0, description="exam pairs for `luth plan` when the landing folder is not here")
    # sensor
    sensor_interval_s: int = Field(60, ge=5, description="seconds between landing-folder scans")
    sensor_running: bool = Field(False, description="start the landing sensor with the daemon")
    # crawler
    crawl: CrawlConfig = Field(default_factory=CrawlConfig, description="exam crawler: index "
                               "pages or URL lists fetched into the landing folder by "
                               "`scholar_crawl_schedule`")

    def with_base(self, base: Path) -> ScholarConfig:
        """Resolve a relative `landing_dir` against the run configuration's folder."""
        if self.landing_dir is None or self.landing_dir.is_absolute():
            return self
        return self.model_copy(update={"landing_dir": (base / self.landing_dir).resolve()})

    def landing(self, lake_root: str | Path) -> Path:
        """The landing folder: `landing_dir`, else `<lake>/landing/exams`."""
        if self.landing_dir is not None:
            return Path(self.landing_dir)
        return Path(str(lake_root).removeprefix("file://")) / "landing" / "exams"
