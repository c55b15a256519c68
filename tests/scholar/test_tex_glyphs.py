"""TeX maths fonts read without a Unicode map, repaired at extraction: the mapping on spans in
PyMuPDF's ``rawdict`` shape, the data tables, and the six real CPGE sujets (expected strings
written from the rendered pages)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from luth_assets.stages.scholar import tex_glyphs
from luth_assets.stages.scholar.pdf_text import QualityThresholds, extract_pdf, unmapped_verdict
from luth_assets.stages.scholar.tex_glyphs import PageRepair

REPO = Path(__file__).resolve().parents[2]
SUJETS = ("mines2019mp1e.pdf", "mines2021mp1e.pdf", "mines2022mp2e.pdf", "mines2024mp2e.pdf",
          "xens2021mpbe.pdf", "xens2023mpae.pdf")


def _span(font: str, text: str, synthetic: str = "") -> dict:
    return {"font": font, "chars": [{"c": ch, "synthetic": ch in synthetic, "origin": (0, 0),
                                     "bbox": (0, 0, 1, 1)} for ch in text]}


def _page(*spans: dict) -> dict:
    return {"blocks": [{"lines": [{"bbox": (0, 0, 100, 10), "spans": list(spans)}]}]}


def test_repair_puts_the_glyph_character_in_place_of_the_printed_one():
    # what PyMuPDF prints for a MacRoman-encoded LM symbols font: ≠ for minus, œ for element
    repairs = {("LMMathSymbols10-Regular", "≠"): "−", ("LMMathSymbols10-Regular", "œ"): "∈",
               ("LMMathExtension10-Regular", "\x00"): "("}
    page = _page(_span("LMMathItalic12-Regular", "n(n"), _span("LMMathSymbols10-Regular", "≠"),
                 _span("LMRoman12-Regular", "1) et x "), _span("LMMathSymbols10-Regular", "œ"),
                 _span("LMRoman12-Regular", " E, cœur "),  # œ of a text font stays a letter
                 _span("LMMathExtension10-Regula", "\x00"))  # PyMuPDF cuts the font name
    fixed, stats = tex_glyphs.repair_page_dict(page, repairs)
    assert tex_glyphs.page_text(fixed) == "n(n−1) et x ∈ E, cœur (\n"
    assert stats.repaired == 3 and stats.unmapped == 0
    assert stats.verdict(0.01) == "repaired"


def test_unmapped_glyphs_are_counted_and_a_handful_does_not_make_a_page_garbled():
    page = _page(_span("CMEX10", "\x0c\x0c"), _span("CMSY10", "Œ "), _span("CMR10", "mot " * 100))
    _fixed, stats = tex_glyphs.repair_page_dict(page, {})
    assert stats.unmapped == 3  # two control characters and a Latin-1 letter from a maths font
    assert stats.verdict(0.01) == "clean"
    assert stats.verdict(0.001) == "garbled"
    synthetic = _page(_span("CMSY10", " ", synthetic=" "))  # a space PyMuPDF inserted
    assert tex_glyphs.repair_page_dict(synthetic, {("CMSY10", " "): "←"})[1].repaired == 0


def test_a_document_is_garbled_only_over_the_configured_share():
    few = [PageRepair(repaired=40, unmapped=6, chars=3000), PageRepair(chars=2000)]
    assert unmapped_verdict(few, 0.01) == ""
    many = [PageRepair(unmapped=90, chars=1000), PageRepair(chars=1000)]
    detail = unmapped_verdict(many, 0.01)
    assert "90 of 2000 glyphs (4.5%)" in detail and "1 page(s) garbled" in detail


def test_family_tables_are_data_with_their_source():
    for key in tex_glyphs.FAMILY_FILES:
        table = json.loads((tex_glyphs.TABLES / f"{key}.json").read_text(encoding="utf-8"))
        assert table["source"] and table["fonts"]
    oms, oml, omx = (tex_glyphs.family_tables()[k]["glyphs"] for k in ("oms", "oml", "omx"))
    assert (oms["0"], oms["21"], oms["26"], oms["50"]) == ("minus", "greaterequal", "propersubset",
                                                           "element")
    assert (oml["11"], oml["30"], oml["39"]) == ("alpha", "phi", "phi1")
    assert (omx["0"], omx["80"], omx["90"]) == ("parenleftbig", "summationtext", "integraldisplay")
    assert tex_glyphs.family_of("PXMATH+LMMathSymbols10-Regular") == "oms"
    assert tex_glyphs.family_of("CMMI12") == "oml"
    assert tex_glyphs.family_of("ZKKSZR+CMEX10") == "omx"
    assert tex_glyphs.family_of("MSBM7") == "msbm"
    assert tex_glyphs.family_of("CMR10") is None


def test_glyph_names_codes_and_encodings():
    unicode = tex_glyphs.glyph_unicode
    assert [unicode(n) for n in ("minus", "greaterequal", "propersubset", "element")] == list("−≥⊂∈")
    assert unicode("parenleftBig") == "(" and unicode("summationdisplay") == "∑"
    assert unicode("integraltext") == "∫" and unicode("parenlefttp") == "⎛"  # not private use
    assert unicode("greaterorequalslant") == "⩾" and unicode("phi1") == "φ"
    assert unicode("R", "msbm") == "ℝ" and unicode("A", "msbm") == "𝔸" and unicode("R") == "R"
    # older dvips and pdfTeX: codes 0-32 moved to 161-196
    assert [tex_glyphs.shifted_code(c) for c in (161, 170, 173, 195, 196, 65)] == [0, 9, 10, 32, 127,
                                                                                     65]
    # what PyMuPDF prints without a ToUnicode map
    assert tex_glyphs.printed_char(207, None, "MacRomanEncoding", {}) == "œ"
    assert tex_glyphs.printed_char(0, "parenleftbig", None, {}) == "\x00"
    assert tex_glyphs.printed_char(20, "lessequal", None, {}) == "≤"
    assert tex_glyphs.printed_char(33, "infinity", None, {33: "Œ"}) == "Œ"
    program = b"/Encoding 256 array\ndup 173 /minus put\ndup 207 /element put\nreadonly def\neexec"
    assert tex_glyphs.builtin_encoding(program) == {173: "minus", 207: "element"}
    cmap = ("1 beginbfchar\n<30> <F8EB>\nendbfchar\n2 beginbfrange\n<21><22><0152>\n"
            "<41><42>[<0041><211D>]\nendbfrange")
    assert tex_glyphs.to_unicode_map(cmap) == {0x30: "\uf8eb", 0x21: "Œ", 0x22: "œ", 0x41: "A",
                                               0x42: "ℝ"}


# ------------------------------------------------------------------ the real CPGE sujets


@pytest.fixture(scope="module")
def cpge() -> Path:
    shared = Path(os.environ.get("LUTH_SHARED_DATA", REPO.parent / "shared" / "data"))
    folder = shared / "exams" / "cpge_sujets"
    if not folder.is_dir():
        print(f"skipped: {folder} absent (the six real CPGE sujets)")
        pytest.skip(f"{folder} absent")
    return folder


@pytest.fixture(scope="module")
def sujets(cpge: Path) -> dict:
    return {name: extract_pdf(cpge / name) for name in SUJETS}


def test_no_page_of_the_six_sujets_stays_garbled(sujets: dict, cpge: Path):
    for name, doc in sujets.items():
        assert doc.verdict == "ok", (name, doc.detail)
        assert len(doc.repairs) == doc.page_count
        assert not [r for r in doc.repairs if r.verdict(0.01) == "garbled"], name
        assert sum(r.repaired for r in doc.repairs) > 0, name
        text = "\n".join(doc.pages)
        assert not any(ch < " " and ch not in "\n\t" for ch in text), name
    # without the repair, the Quartz-made sujet loses its relations to Latin-1 letters
    before = extract_pdf(cpge / "mines2019mp1e.pdf", QualityThresholds(repair_tex_fonts=False))
    assert before.verdict == "garbled" and "symbol font" in before.detail


def test_symbols_oms_and_amsa_from_a_macroman_font(sujets: dict):
    # rendered page 2: "ϕx : t ∈ [1, +∞[ ↦ t^{1−r}(t − 1)^r − x" and "p ⩾ 2 et r > 0"
    text = "\n".join(sujets["mines2019mp1e.pdf"].pages)
    assert "t ∈ [1, +∞[ ↦ t1−r(t −1)r −x" in text  # \mapstochar + arrow: one character
    assert "p ⩾ 2 et r > 0" in text
    assert "0⩽n⩽⌊tx⌋" in text
    assert "œ" not in text and "≠" not in text


def test_math_italic_oml(sujets: dict):
    text = "\n".join(sujets["mines2019mp1e.pdf"].pages)
    assert "φx : t ∈" in text  # \varphi, printed Ï (MacRoman) before the repair


def test_extension_omx_big_delimiters_sums_integrals(sujets: dict):
    text = "\n".join(sujets["mines2024mp2e.pdf"].pages)
    assert "S =\n{\nσ(1), σ(2), . . . , σ(n)\n}" in text  # \Big\{ ... \Big\}
    assert "⎧\n⎨\n⎩" in text  # the pieces of a big brace (private-use code points before)
    assert "∑\nk=0\nakXk" in text
    text = "\n".join(sujets["mines2021mp1e.pdf"].pages)
    assert "∫ +∞\n−∞\nΦ(t)dt" in text


def test_amsb_blackboard_and_stmary(sujets: dict):
    assert "⟦1, n⟧" in "\n".join(sujets["mines2024mp2e.pdf"].pages)
    text = "\n".join(sujets["xens2021mpbe.pdf"].pages)
    assert "ℕ" in text or "ℝ" in text


# ------------------------------------------------------------------ a TeX-font PDF of our own


def _tex_pdf(path: Path, codes: tuple[int, int, int]) -> Path:
    """A one-page PDF whose relations are set in a non-embedded CMSY10 with no ToUnicode and no
    /Encoding (as old TeX PDFs): PyMuPDF can only print the raw codes."""
    last = max(codes)
    widths = " ".join("778" if c in codes else "0" for c in range(last + 1))
    ge, el, sub = (f"<{c:02x}>".encode() for c in codes)
    line = (b"/F1 12 Tf (Soit p ) Tj /F2 12 Tf " + ge + b" Tj /F1 12 Tf ( 0 et x ) Tj /F2 12 Tf "
            + el + b" Tj /F1 12 Tf ( E, A ) Tj /F2 12 Tf " + sub + b" Tj /F1 12 Tf ( B.) Tj ")
    content = b"BT 72 720 Td 14 TL " + b"T* ".join([line] * 12) + b"ET"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /CMSY10 /FirstChar 0 /LastChar %d /Widths ["
        % last + widths.encode() + b"] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    path.write_bytes(bytes(out))
    return path


@pytest.mark.parametrize("codes", [(21, 50, 26), (184, 50, 189)], ids=["oms", "oms-shifted"])
def test_a_generated_tex_font_pdf_reads_right(tmp_path: Path, codes: tuple[int, int, int]):
    # OMS: greaterequal 21, element 50, propersubset 26; older dvips moved 21 to 184, 26 to 189
    pdf = _tex_pdf(tmp_path / "tex.pdf", codes)
    before = extract_pdf(pdf, QualityThresholds(repair_tex_fonts=False, min_chars_per_page=0))
    assert "Soit p ≥ 0" not in before.pages[0]
    doc = extract_pdf(pdf, QualityThresholds(min_chars_per_page=0))
    assert doc.pages[0].splitlines()[0] == "Soit p ≥ 0 et x ∈ E, A ⊂ B."
    assert doc.repairs[0].repaired == 36 and doc.repairs[0].unmapped == 0
    assert doc.repairs[0].verdict(0.01) == "repaired" and doc.verdict == "ok"


def test_exam_texts_carry_the_counts_and_the_threshold_is_a_setting(cpge: Path):
    from luth_assets.stages.scholar.documents import read_exam
    from luth_assets.stages.scholar.settings import ScholarConfig

    exam = {"landing_dir": str(cpge), "sujet_path": "mines2019mp1e.pdf",
            "corrige_path": "xens2023mpae.pdf", "sujet_sha256": "s", "corrige_sha256": "c",
            "exam_id": "mines2019-x", "exam": "mines2019", "subject": "mathematiques", "year": 2019}
    texts, quarantine = read_exam(exam, ScholarConfig(), warn=lambda _: None)
    assert quarantine.is_empty()
    sujet = texts.filter(texts["role"] == "sujet")
    assert sujet["glyphs_repaired"].sum() == 205 and sujet["glyphs_unmapped"].sum() == 0
    assert set(sujet["page_verdict"]) == {"clean", "repaired"}
    # the repair off: the sujet is quarantined as before (symbol font), the counts absent
    texts, quarantine = read_exam(exam, ScholarConfig(repair_tex_fonts=False), warn=lambda _: None)
    assert quarantine["path"].to_list() == ["mines2019mp1e.pdf"]
    assert texts["glyphs_repaired"].null_count() == texts.height
    # a document keeps its text under the threshold, is garbled over it
    corr = cpge.parent / "bac" / "corr-sujet1.pdf"
    if corr.is_file():
        assert extract_pdf(corr).verdict == "ok"
        strict = extract_pdf(corr, QualityThresholds(max_unmapped_glyph_share=0.0))
        assert strict.verdict == "garbled" and "still unmapped" in strict.detail
