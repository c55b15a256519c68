"""Text of an exam PDF with PyMuPDF, page by page, and a verdict on its quality.

`extract_pdf(path)` never raises on a bad file: it returns an :class:`ExtractedPdf` whose
``verdict`` is ``ok`` or one of the quarantine reasons:

- ``corrupt``: PyMuPDF cannot open the file (or it has no page),
- ``encrypted``: the file needs a password to be opened (a user password; a PDF encrypted with
  an owner password only opens without one and is read),
- ``too_many_pages``: more pages than ``max_pages`` (``scholar.max_pdf_pages``): no exam is that
  long, and reading it would take minutes and memory for nothing; the pages are never read,
- ``no_text_layer``: (almost) no text on the pages, e.g. a scan; OCR runs only when asked,
- ``garbled``: the text layer is there but unusable: letters lost to a font encoding (a common
  letter of French nearly absent) or one word per line even after a better extraction.

A first pass uses PyMuPDF's plain text mode (content-stream order). When it looks garbled, a
second pass rebuilds lines from the page's words sorted by position (``sort=True``), which
repairs exams whose words come one per line; the best of the two is kept (``method``).

TeX maths fonts read without a Unicode map are repaired on the way (``tex_glyphs``): each page
carries the glyphs repaired and those still unmapped, and a document whose unmapped share is
over ``max_unmapped_glyph_share`` is ``garbled``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from luth_assets.stages.scholar.tex_glyphs import PageRepair, repaired_page

if TYPE_CHECKING:  # imported where a PDF is read: its import (~0.4 s) is not paid by every
    import pymupdf  # Dagster run and step process that only loads the definitions

# TeX fonts without a ToUnicode map put ligatures at these code points (T1 encoding)
LIGATURES = {
    "\x1b": "ff", "\x1c": "fi", "\x1d": "fl", "\x1e": "ffi", "\x1f": "ffl",
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
    "\ufb05": "st", "\ufb06": "st",
}
# relative frequency of the commonest letters in French text (accents folded)
FRENCH_LETTERS = {
    "e": 0.147, "a": 0.076, "s": 0.079, "i": 0.075, "t": 0.072, "n": 0.071, "r": 0.066,
    "u": 0.063, "l": 0.055, "o": 0.054, "d": 0.037, "c": 0.033, "m": 0.030, "p": 0.030,
}
VERDICTS = ("ok", "corrupt", "encrypted", "too_many_pages", "no_text_layer", "garbled")
# Latin-1 characters a maths symbol font without a Unicode map comes out as (``p ≥ 0`` read as
# ``p Ø 0``, ``A ⊂ B`` as ``A µ B``): one of them standing alone between two operands is a lost
# symbol, not a word
SYMBOL_SUBSTITUTES = "ØøµÞþÐð¶¸¹¾¼½¬¯´¨¤¦¡¿ßÆæ§"
_SUBSTITUTED = re.compile(rf"(?<=[\w)\]}}] )[{SYMBOL_SUBSTITUTES}](?= [\w(\[{{-])")


@dataclass(frozen=True)
class QualityThresholds:
    min_chars_per_page: int = 200       # below (on average): no text layer
    min_words_per_line: float = 2.0     # below: one word per line (broken layout)
    min_letter_ratio: float = 0.35      # a common letter below this share of its usual frequency
    min_letters_for_ratio: int = 1500   # letter statistics only on enough text
    max_symbol_substitutions: int = 1   # above: maths symbols lost to a symbol font
    repair_tex_fonts: bool = True       # map TeX maths fonts' glyphs to Unicode (tex_glyphs)
    max_unmapped_glyph_share: float = 0.01  # above (whole document): garbled


@dataclass
class Quality:
    chars: int
    words_per_line: float
    control_chars: int
    lost_letters: dict[str, float]      # letter -> observed / expected frequency
    verdict: str
    detail: str


@dataclass
class ExtractedPdf:
    path: str
    pages: list[str] = field(default_factory=list)
    page_count: int = 0
    verdict: str = "ok"
    detail: str = ""
    method: str = "text"
    quality: Quality | None = None
    tried: list[str] = field(default_factory=list)
    repairs: list[PageRepair] = field(default_factory=list)  # one per page of `pages`

    @property
    def ok(self) -> bool:
        return self.verdict == "ok"

    @property
    def chars(self) -> int:
        return sum(len(p) for p in self.pages)


def clean_text(text: str) -> tuple[str, int]:
    """Map ligatures, drop other control characters, tidy blank space. Returns (text, controls)."""
    controls = 0
    out = []
    for ch in text:
        if ch in LIGATURES:
            out.append(LIGATURES[ch])
        elif unicodedata.category(ch) == "Cc" and ch not in "\n\t":
            controls += 1
        else:
            out.append(ch)
    text = "".join(out).replace("\t", " ")
    text = re.sub(r"[ \u00a0]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip(), controls


def words_per_line(text: str) -> float:
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return 0.0
    return sum(len(line.split()) for line in lines) / len(lines)


def lost_letters(text: str, thresholds: QualityThresholds) -> dict[str, float]:
    """Common French letters that are (nearly) missing: the mark of a broken font encoding."""
    folded = unicodedata.normalize("NFD", text.lower())
    letters = Counter(ch for ch in folded if "a" <= ch <= "z")
    total = sum(letters.values())
    if total < thresholds.min_letters_for_ratio:
        return {}
    ratios = {k: letters[k] / total / expected for k, expected in FRENCH_LETTERS.items()}
    return {k: round(r, 3) for k, r in ratios.items() if r < thresholds.min_letter_ratio}


def symbol_substitutions(text: str) -> Counter:
    """Latin-1 stand-ins for maths symbols (``p Ø 0``): character -> occurrences."""
    return Counter(match.group() for match in _SUBSTITUTED.finditer(text))


def assess(pages: list[str], thresholds: QualityThresholds, controls: int = 0) -> Quality:
    text = "\n".join(pages)
    chars = len(text.strip())
    wpl = words_per_line(text)
    lost = lost_letters(text, thresholds)
    per_page = chars / max(1, len(pages))
    if per_page < thresholds.min_chars_per_page:
        verdict, detail = "no_text_layer", (
            f"{chars} characters on {len(pages)} page(s) (< {thresholds.min_chars_per_page} "
            "per page): scanned or image-only pages")
    elif lost:
        letters = ", ".join(f"'{k}' at {v:.0%} of its usual frequency" for k, v in lost.items())
        verdict, detail = "garbled", f"letters lost to the font encoding: {letters}"
    elif sum((subs := symbol_substitutions(text)).values()) > thresholds.max_symbol_substitutions:
        found = ", ".join(f"'{k}' x{v}" for k, v in subs.most_common())
        verdict, detail = "garbled", (f"maths symbols lost to a symbol font: {found} stand "
                                      "between two operands (p Ø 0 for p ≥ 0)")
    elif wpl < thresholds.min_words_per_line:
        verdict, detail = "garbled", f"{wpl:.2f} words per line: words come one per line"
    else:
        verdict, detail = "ok", ""
    return Quality(chars=chars, words_per_line=round(wpl, 2), control_chars=controls,
                   lost_letters=lost, verdict=verdict, detail=detail)


def _page_texts(doc: pymupdf.Document, sort: bool, repair: bool = False
                ) -> tuple[list[str], int, list[PageRepair]]:
    pages, controls, repairs, fonts = [], 0, [], {}
    for page in doc:
        raw = page.get_text("text", sort=sort)
        if repair:  # the repaired text only where a glyph was repaired: others stay as they are
            fixed, stats = repaired_page(doc, page, sort, fonts)
            raw = fixed if fixed is not None else raw
            repairs.append(stats)
        text, n = clean_text(raw)
        pages.append(text)
        controls += n
    return pages, controls, repairs


def unmapped_verdict(repairs: list[PageRepair], max_share: float) -> str:
    """``garbled: ...`` detail when the document's unmapped glyph share is over `max_share`."""
    chars = sum(r.chars for r in repairs)
    unmapped = sum(r.unmapped for r in repairs)
    if not chars or unmapped / chars <= max_share:
        return ""
    pages = sum(r.verdict(max_share) == "garbled" for r in repairs)
    return (f"{unmapped} of {chars} glyphs ({unmapped / chars:.1%}) still unmapped after the TeX "
            f"font repair (> {max_share:.1%}); {pages} page(s) garbled")


def _ocr_pages(doc: pymupdf.Document, language: str) -> list[str]:
    pages = []
    for page in doc:
        textpage = page.get_textpage_ocr(language=language, full=True)
        pages.append(clean_text(page.get_text("text", textpage=textpage))[0])
    return pages


def extract_pdf(path: str | Path, thresholds: QualityThresholds | None = None,
                ocr: bool = False, ocr_language: str = "fra",
                max_pages: int | None = None) -> ExtractedPdf:
    """Text per page and the quality verdict of one PDF (never raises on a bad file); past
    `max_pages` pages the file is `too_many_pages` before any page is read."""
    thresholds = thresholds or QualityThresholds()
    result = ExtractedPdf(path=str(path))
    import pymupdf

    try:
        doc = pymupdf.open(path)
    except Exception as err:  # PyMuPDF raises FileDataError / RuntimeError on broken files
        message = str(err).replace(str(path), Path(path).name)
        result.verdict, result.detail = "corrupt", f"PyMuPDF cannot open the file: {message}"
        return result
    with doc:
        if doc.needs_pass:
            result.verdict, result.detail = "encrypted", "the PDF needs a password"
            return result
        try:
            result.page_count = doc.page_count
        except Exception as err:  # a page tree PyMuPDF cannot walk
            result.verdict, result.detail = "corrupt", f"cannot count the pages: {err}"
            return result
        if doc.page_count == 0:
            result.verdict, result.detail = "corrupt", "the PDF has no page"
            return result
        if max_pages is not None and doc.page_count > max_pages:
            result.verdict, result.detail = "too_many_pages", (
                f"{doc.page_count} pages > scholar.max_pdf_pages {max_pages}: not read (raise "
                "the setting if this really is one exam)")
            return result
        try:
            repair = thresholds.repair_tex_fonts
            pages, controls, repairs = _page_texts(doc, sort=False, repair=repair)
            result.tried.append("text")
            quality = assess(pages, thresholds, controls)
            method = "text"
            if quality.verdict == "garbled":
                # better extraction: lines rebuilt from the words sorted by position
                sorted_pages, sorted_controls, sorted_repairs = _page_texts(doc, True, repair)
                result.tried.append("text_sorted")
                better = assess(sorted_pages, thresholds, sorted_controls)
                if better.verdict == "ok" or better.words_per_line > quality.words_per_line:
                    pages, quality, method = sorted_pages, better, "text_sorted"
                    repairs = sorted_repairs
            if quality.verdict == "ok" and (detail := unmapped_verdict(
                    repairs, thresholds.max_unmapped_glyph_share)):
                quality.verdict, quality.detail = "garbled", detail
            if quality.verdict == "no_text_layer" and ocr:
                result.tried.append("ocr")
                try:
                    ocr_pages = _ocr_pages(doc, ocr_language)
                except Exception as err:  # Tesseract missing or failing: say so, keep verdict
                    quality.detail += f"; OCR failed: {err}"
                else:
                    ocr_quality = assess(ocr_pages, thresholds)
                    if ocr_quality.verdict == "ok":
                        pages, quality, method = ocr_pages, ocr_quality, "ocr"
        except Exception as err:  # a page PyMuPDF cannot parse: the file is damaged
            result.verdict, result.detail = "corrupt", f"text extraction failed: {err}"
            return result
    result.pages, result.quality, result.method = pages, quality, method
    result.repairs = repairs if method != "ocr" else []
    result.verdict, result.detail = quality.verdict, quality.detail
    return result


def count_pages_and_chars(path: str) -> tuple[int, int]:
    """Pages and characters of one PDF with the plain text mode (used by the benchmark)."""
    import pymupdf

    with pymupdf.open(path) as doc:
        return doc.page_count, sum(len(page.get_text("text")) for page in doc)
