"""Before/after figures of the TeX maths font repair on real exam PDFs (docs/scholar.md).

For each PDF: its pages, the verdict without the repair and with it, the pages garbled before
and after (over `--share` of a page's characters unmapped: control characters, U+FFFD,
private-use or Latin-1 letters printed by a maths font), the glyphs repaired and those still
unmapped. Prints a Markdown table.

    .venv/bin/python benchmarks/tex_repair.py [PDF ...]   # default: the six CPGE sujets + BB1.pdf
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from luth_assets.stages.scholar import tex_glyphs  # noqa: E402
from luth_assets.stages.scholar.pdf_text import QualityThresholds, extract_pdf  # noqa: E402

SHARED = Path(os.environ.get("LUTH_SHARED_DATA", REPO.parent / "shared" / "data")) / "exams"


def unrepaired(path: Path) -> list[tex_glyphs.PageRepair]:
    import pymupdf

    with pymupdf.open(path) as doc:
        return [tex_glyphs.repair_page_dict(page.get_text("rawdict"), {})[1] for page in doc]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdfs", nargs="*", type=Path)
    parser.add_argument("--share", type=float, default=QualityThresholds().max_unmapped_glyph_share)
    args = parser.parse_args()
    pdfs = args.pdfs or [*sorted((SHARED / "cpge_sujets").glob("*.pdf")), SHARED / "bac" / "BB1.pdf"]
    missing = [p for p in pdfs if not p.is_file()]
    if missing:
        print(f"absent: {', '.join(map(str, missing))}", file=sys.stderr)
        return 1
    print("| document | pages | verdict before | garbled pages before | unmapped before | verdict "
          "after | garbled pages after | glyphs repaired | unmapped after |")
    print("|---|---|---|---|---|---|---|---|---|")
    for pdf in pdfs:
        before = extract_pdf(pdf, QualityThresholds(repair_tex_fonts=False))
        after = extract_pdf(pdf)
        pages = unrepaired(pdf)
        print(f"| {pdf.name} | {after.page_count} | {before.verdict} | "
              f"{sum(p.verdict(args.share) == 'garbled' for p in pages)} | "
              f"{sum(p.unmapped for p in pages)} | {after.verdict} | "
              f"{sum(p.verdict(args.share) == 'garbled' for p in after.repairs)} | "
              f"{sum(p.repaired for p in after.repairs)} | {sum(p.unmapped for p in after.repairs)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
