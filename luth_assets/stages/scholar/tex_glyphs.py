"""Repair the mathematics of TeX fonts that PyMuPDF reads without a Unicode map.

A TeX maths font (Computer Modern / Latin Modern symbols, math italic, extension; AMS msam/msbm)
embedded without a ToUnicode map comes out of PyMuPDF as whatever its base encoding says the
character code is: ``œ`` (MacRoman 207) for ``∈``, ``≠`` (MacRoman 173) for a minus sign, or the
raw code as a C0 control character for a big delimiter. This module rebuilds, for each such
font of a page, the code -> glyph name table (the family's standard layout from
``tex_fonts/*.json``, shifted codes of older dvips and pdfTeX, the font program's built-in
encoding, the PDF's ``/Differences``), the glyph name -> Unicode map (``tex_fonts/glyph_unicode.json``
over the Adobe Glyph List) and what PyMuPDF printed for each code, then puts the right
character in place of what PyMuPDF printed, span by span.

Plain functions over PyMuPDF's ``rawdict`` shapes: :func:`repair_page_dict` works on the dict
alone with a :data:`FontRepairs` map, which :func:`font_repairs` builds from the page's fonts.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pymupdf

TABLES = Path(__file__).parent / "tex_fonts"
FAMILY_FILES = ("oms", "oml", "omx", "msam", "msbm", "stmary")
# (font name without subset tag, printed character) -> right character
FontRepairs = dict[tuple[str, str], str]
# letters a TeX maths font legitimately prints (dotless i and j, micro sign for mu)
_LEGIT_LATIN = {"\u0131", "\u0237", "\u00b5"}
_SIZE_SUFFIX = re.compile(r"(bigg|Bigg|big|Big|text|display)$")


@dataclass
class PageRepair:
    """What the repair did on one page."""

    repaired: int = 0       # glyphs given their right character
    unmapped: int = 0       # glyphs still wrong: control characters, stand-ins, U+FFFD
    chars: int = 0          # characters on the page

    def verdict(self, max_share: float) -> str:
        """clean, repaired or garbled (more than `max_share` of the characters unmapped)."""
        if self.chars and self.unmapped / self.chars > max_share:
            return "garbled"
        return "repaired" if self.repaired else "clean"

    @property
    def unmapped_share(self) -> float:
        return self.unmapped / self.chars if self.chars else 0.0


@cache
def family_tables() -> dict[str, dict]:
    """Family key -> its table (``encoding``, ``fonts`` name prefixes, ``glyphs`` code -> name)."""
    tables = {}
    for key in FAMILY_FILES:
        path = TABLES / f"{key}.json"
        if path.exists():
            tables[key] = json.loads(path.read_text(encoding="utf-8"))
    return tables


@cache
def _glyph_overrides() -> dict[str, str]:
    rows = json.loads((TABLES / "glyph_unicode.json").read_text(encoding="utf-8"))["glyphs"]
    return {name: "".join(chr(int(cp, 16)) for cp in value.split()) for name, value in rows.items()}


@cache
def glyph_unicode(name: str, family: str | None = None) -> str | None:
    """The Unicode text of a glyph name: the family's own table (msbm's blackboard capitals),
    the TeX table, then the Adobe Glyph List; the size variants of the extension font
    (``parenleftBig``, ``summationdisplay``) as their base."""
    own = family_tables().get(family, {}).get("unicode", {}) if family else {}
    if name in own:
        return chr(int(own[name], 16))
    overrides = _glyph_overrides()
    if name in overrides:
        return overrides[name]
    from fontTools import agl

    text = agl.toUnicode(name)
    if text and not any(0xE000 <= ord(ch) <= 0xF8FF for ch in text):
        return text
    base = _SIZE_SUFFIX.sub("", name)
    if base != name and base:
        return glyph_unicode(base)
    return None


def family_of(font_name: str) -> str | None:
    """The TeX family key of a font name (subset tag stripped), or None for other fonts."""
    bare = font_name.split("+", 1)[-1].upper()
    for key, table in family_tables().items():
        if any(bare.startswith(prefix.upper()) for prefix in table["fonts"]):
            return key
    return None


def shifted_code(code: int) -> int:
    """The TeX code of a glyph that older dvips and pdfTeX moved out of the control range:
    0-9 at 161-170, 10-32 at 173-195, 127 at 196 (codes elsewhere are returned unchanged)."""
    if 161 <= code <= 170:
        return code - 161
    if 173 <= code <= 195:
        return code - 163
    if code == 196:
        return 127
    return code


def builtin_encoding(font_program: bytes) -> dict[int, str]:
    """Code -> glyph name of a Type 1 font program's built-in encoding (``dup N /name put``)."""
    head = font_program[:20000].decode("latin-1")
    end = head.find("eexec")
    head = head[:end] if end > 0 else head
    return {int(code): name for code, name in re.findall(r"dup (\d+) */([^\s/]+) put", head)}


def pdf_encoding(doc: pymupdf.Document, xref: int) -> tuple[str | None, dict[int, str], dict[int, str]]:
    """(base encoding name, /Differences code -> name, ToUnicode code -> text) of a simple font."""
    kind, value = doc.xref_get_key(xref, "ToUnicode")
    cmap = {}
    if kind == "xref":
        stream = doc.xref_stream(int(value.split()[0])) or b""
        cmap = to_unicode_map(stream.decode("latin-1"))
    kind, value = doc.xref_get_key(xref, "Encoding")
    base, differences = None, {}
    if kind == "name":
        base = value.lstrip("/")
    elif kind in ("xref", "dict"):
        source = doc.xref_object(int(value.split()[0])) if kind == "xref" else value
        match = re.search(r"/BaseEncoding\s*/(\w+)", source)
        base = match.group(1) if match else None
        diffs = re.search(r"/Differences\s*\[(.*?)\]", source, re.S)
        if diffs:
            code = 0
            for token in re.findall(r"\d+|/[^\s/\[\]]+", diffs.group(1)):
                if token.startswith("/"):
                    differences[code] = token[1:]
                    code += 1
                else:
                    code = int(token)
    return base, differences, cmap


def to_unicode_map(cmap: str) -> dict[int, str]:
    """Code -> text of a simple font's ToUnicode CMap (``bfchar`` and ``bfrange`` entries)."""
    def text(hexes: str) -> str:
        data = bytes.fromhex(hexes)
        return data.decode("utf-16-be", errors="replace") if len(data) % 2 == 0 else ""

    out: dict[int, str] = {}
    for body in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", body):
            out[int(src, 16)] = text(dst)
    for body in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for lo, hi, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]*>|\[[^\]]*\])",
                                      body):
            lo_i, hi_i = int(lo, 16), int(hi, 16)
            if dst.startswith("["):
                for i, item in enumerate(re.findall(r"<([0-9A-Fa-f]*)>", dst)):
                    out[lo_i + i] = text(item)
            elif (start := text(dst[1:-1])):
                for i in range(hi_i - lo_i + 1):
                    out[lo_i + i] = start[:-1] + chr(ord(start[-1]) + i)
    return out


def printed_char(code: int, pdf_glyph: str | None, base: str | None, cmap: dict[int, str]) -> str:
    """What PyMuPDF prints for `code` of a simple font: its ToUnicode entry when there is one;
    else the Adobe Glyph List character of the glyph name the PDF gives (``/Differences``, or
    the built-in encoding when the PDF names no base encoding); else the base encoding's
    character (``/MacRomanEncoding`` 207 prints ``œ``; none named: Adobe's standard encoding,
    184 prints ``‚``); else the code itself."""
    from fontTools import agl

    if code in cmap:
        return cmap[code]
    text = agl.toUnicode(pdf_glyph) if pdf_glyph else ""
    if len(text) == 1:
        return text
    if base == "MacRomanEncoding" and code < 256:
        return bytes([code]).decode("mac_roman")
    if base == "WinAnsiEncoding" and code < 256:
        return bytes([code]).decode("cp1252", errors="replace")
    if base in (None, "StandardEncoding") and code < 256:  # no name at all: Adobe's standard
        from fontTools.encodings.StandardEncoding import StandardEncoding

        text = agl.toUnicode(StandardEncoding[code])
        if len(text) == 1:
            return text
    return chr(code)


def font_code_glyphs(family: str, builtin: dict[int, str], differences: dict[int, str]
                     ) -> dict[int, str]:
    """Code -> glyph name of one font: the font program's built-in encoding when it has one,
    else the family layout (and its shifted copies); the PDF's /Differences over either."""
    if builtin:
        glyphs = dict(builtin)
    else:
        layout = {int(code): name for code, name in family_tables()[family]["glyphs"].items()}
        glyphs = dict(layout)
        for code in [*range(161, 171), *range(173, 197)]:
            glyphs.setdefault(code, layout.get(shifted_code(code), ""))
    glyphs.update(differences)
    return {code: name for code, name in glyphs.items() if name and name != ".notdef"}


def _same_character(printed: str, right: str) -> bool:
    """Equal, or compatibility variants of one character (micro sign and mu), but not a
    blackboard or script letter and its plain letter (ℝ is not R)."""
    if printed == right:
        return True
    styled = any(0x2100 <= ord(ch) <= 0x214F or 0x1D400 <= ord(ch) <= 0x1D7FF for ch in right)
    return not styled and unicodedata.normalize("NFKC", printed) == unicodedata.normalize("NFKC", right)


def used_codes(doc: pymupdf.Document, xref: int, with_width: bool) -> set[int] | None:
    """Codes a simple font may show: /FirstChar to /LastChar, only those with a non-zero
    /Widths entry when `with_width`; None when the font dict does not say."""
    kind, first = doc.xref_get_key(xref, "FirstChar")
    wkind, widths = doc.xref_get_key(xref, "Widths")
    if kind != "int" or wkind not in ("array", "xref"):
        return None
    if wkind == "xref":
        widths = doc.xref_object(int(widths.split()[0]))
    values = re.findall(r"-?\d+(?:\.\d+)?", widths)
    return {int(first) + i for i, value in enumerate(values) if not with_width or float(value) != 0}


def font_outputs(doc: pymupdf.Document, xref: int, basefont: str, family: str
                 ) -> list[tuple[str, str, str]]:
    """(font name, printed character, glyph's character) for each code one font may show."""
    base, differences, cmap = pdf_encoding(doc, xref)
    try:
        program = doc.extract_font(xref)[3] or b""
    except Exception:  # a font PyMuPDF cannot extract: its layout and /Differences only
        program = b""
    builtin = builtin_encoding(program)
    name = basefont.split("+", 1)[-1]
    glyphs = font_code_glyphs(family, builtin, differences)
    # the family layout holds every glyph of the family: keep the codes the font has a width
    # for (a zero-width glyph such as the \mapstochar is only known from the font's names)
    used = used_codes(doc, xref, with_width=not (builtin or differences))
    out = []
    for code, glyph in glyphs.items():
        if used is not None and code not in used:
            continue
        right = glyph_unicode(glyph, family)
        if right is None:
            continue
        pdf_glyph = differences.get(code) or (builtin.get(code) if base is None else None)
        printed = printed_char(code, pdf_glyph, base, cmap)
        out.append((name, printed, printed if _same_character(printed, right) else right))
    return out


def font_repairs(doc: pymupdf.Document, page: pymupdf.Page, cache: dict | None = None
                 ) -> FontRepairs:
    """(font name, printed char) -> right char for the TeX maths fonts of `page` whose printed
    character (ToUnicode map, base encoding or raw code) is not their glyph's. A printed
    character two glyphs of the same font name share is ambiguous and left as it is.
    `cache` (one dict per document) spares reading a font again on the next page."""
    cache = {} if cache is None else cache
    outputs: dict[tuple[str, str], set[str]] = {}
    for xref, _ext, kind, basefont, *_ in page.get_fonts(full=True):
        family = family_of(basefont)
        if family is None or kind not in ("Type1", "Type1C", "MMType1"):
            continue
        if xref not in cache:
            cache[xref] = font_outputs(doc, xref, basefont, family)
        for name, printed, right in cache[xref]:
            outputs.setdefault((name, printed), set()).add(right)
    return {key: rights.pop() for key, rights in outputs.items()
            if len(rights) == 1 and next(iter(rights)) != key[1]}


def _repair_for(span_font: str, repairs: FontRepairs) -> dict[str, str]:
    # PyMuPDF cuts span font names (``LMMathExtension10-Regula``): match on the prefix
    return {printed: right for (name, printed), right in repairs.items() if name.startswith(span_font)}


def is_unmapped(ch: str, in_math_font: bool) -> bool:
    """A character that still stands for a lost glyph: a control character or U+FFFD anywhere,
    a Latin-1 or Latin Extended letter where a TeX maths font printed it."""
    if ch in "\n\t\r":
        return False
    if unicodedata.category(ch) == "Cc" or ch == "\ufffd":
        return True
    if not in_math_font:
        return False
    if 0xE000 <= ord(ch) <= 0xF8FF:  # private use: a glyph name mapped nowhere standard
        return True
    return (0x80 <= ord(ch) <= 0x24F and unicodedata.category(ch).startswith("L")
            and ch not in _LEGIT_LATIN)


def repair_page_dict(page_dict: dict, repairs: FontRepairs) -> tuple[dict, PageRepair]:
    """Put the right characters in the spans of a ``rawdict`` page (changed in place, returned)
    and count what was repaired and what is still unmapped."""
    stats = PageRepair()
    for block in page_dict.get("blocks", []):
        for line in block.get("lines", []):
            for span in line.get("spans", []):
                font = span.get("font", "")
                table = _repair_for(font, repairs) if repairs else {}
                in_math = family_of(font) is not None
                for char in span.get("chars", []):
                    stats.chars += 1
                    if char.get("synthetic"):  # a space PyMuPDF inserted, no glyph
                        continue
                    fixed = table.get(char["c"])
                    if fixed is not None:
                        char["c"] = fixed
                        stats.repaired += 1
                    elif is_unmapped(char["c"], in_math):
                        stats.unmapped += 1
    return page_dict, stats


def _line_text(line: dict) -> str:
    return "".join(ch["c"] for span in line.get("spans", []) for ch in span.get("chars", []))


def page_text(page_dict: dict, sort: bool = False, tolerance: float = 3.0) -> str:
    """Plain text of a ``rawdict`` page. Unsorted: the lines of each block, one a line
    (PyMuPDF's plain text layout). Sorted: the lines of the whole page by position, those whose
    bottoms lie within `tolerance` points joined into one line (as PyMuPDF's sorted text)."""
    if not sort:
        lines = [_line_text(line) for block in page_dict.get("blocks", [])
                 for line in block.get("lines", [])]
        return "".join(f"{line}\n" for line in lines)
    boxes = sorted(((line["bbox"][3], line["bbox"][0], _line_text(line))
                    for block in page_dict.get("blocks", []) for line in block.get("lines", [])),
                   key=lambda item: (item[0], item[1]))
    rows: list[list[tuple[float, float, str]]] = []
    for box in boxes:
        if rows and abs(box[0] - rows[-1][0][0]) <= tolerance:
            rows[-1].append(box)
        else:
            rows.append([box])
    return "".join(" ".join(t for _, _, t in sorted(row, key=lambda item: item[1])) + "\n"
                   for row in rows)


def repaired_page(doc: pymupdf.Document, page: pymupdf.Page, sort: bool, cache: dict | None = None
                  ) -> tuple[str | None, PageRepair]:
    """(repaired plain text or None when nothing was repaired, counts) of one page."""
    import pymupdf

    flags = pymupdf.TEXTFLAGS_RAWDICT & ~pymupdf.TEXT_PRESERVE_IMAGES
    page_dict = page.get_text("rawdict", sort=sort, flags=flags)
    page_dict, stats = repair_page_dict(page_dict, font_repairs(doc, page, cache))
    if not stats.repaired:
        return None, stats
    # TeX draws \mapsto as the zero-width \mapstochar then an arrow: one character in Unicode
    text = page_text(page_dict, sort).replace("↦−→", "⟼").replace("↦→", "↦")
    return text, stats
