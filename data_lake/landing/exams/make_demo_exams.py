"""Render the demo exam PDFs (ours, see exam_content.py) and the replay answers of the scholar
chain for them.

    .venv/bin/python data_lake/landing/exams/make_demo_exams.py

Writes into this folder: three sujet/corrigé pairs (maths, physique-chimie, SVT) paired by their
file names, a scanned exam (image-only sujet), a damaged sujet (corrupt file) whose corrigé ends
with an image-only page, and a sujet with no corrigé; and ``../replay/scholar.jsonl``: one
authored answer per LLM call of the chain and of the vision fallback (the image-only page, read;
the scan, an English answer that its checks reject), keyed by the sample ids the stage computes
from the PDFs' contents. The PDFs are byte-for-byte
reproducible (fixed metadata, no random id), so the replay keys stay valid.
"""

from __future__ import annotations

import json
import re
import sys
import textwrap
from pathlib import Path

import pymupdf

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[2]))

from exam_content import (  # noqa: E402
    ANNEXE_TRANSCRIPTION,
    CORRUPT,
    EXAMS,
    ORPHAN,
    SCAN_TRANSCRIPTION,
    SCANNED,
)

from luth_assets.stages.scholar.chain import chunk_id, item_id, split_exam  # noqa: E402
from luth_assets.stages.scholar.pairing import pair_landing  # noqa: E402
from luth_assets.stages.scholar.pdf_text import extract_pdf  # noqa: E402
from luth_assets.stages.scholar.settings import ScholarConfig  # noqa: E402
from luth_assets.stages.scholar.vision import vision_id  # noqa: E402

REPLAY = HERE.parent / "replay" / "scholar.jsonl"
FIXED_DATE = "D:20250101000000+00'00'"
WIDTH, MARGIN, SIZE, LEADING = 595, 60, 11, 15


def render(blocks: list[tuple[str, str]], title: str) -> bytes:
    """Blocks of (style, text) -> PDF bytes; style is 'title', 'heading' or 'text'."""
    doc = pymupdf.open()
    page = doc.new_page(width=WIDTH, height=842)
    y = MARGIN
    for style, text in blocks:
        size = {"title": 14, "heading": 12}.get(style, SIZE)
        font = "hebo" if style != "text" else "helv"
        for line in textwrap.wrap(text, width=88 if style == "text" else 70) or [""]:
            if y > 842 - MARGIN:
                page = doc.new_page(width=WIDTH, height=842)
                y = MARGIN
            page.insert_text((MARGIN, y), line, fontname=font, fontsize=size)
            y += LEADING * size / SIZE
        y += LEADING / 2
    doc.set_metadata({"title": title, "author": "Luth demo", "creator": "make_demo_exams.py",
                      "producer": "PyMuPDF", "creationDate": FIXED_DATE, "modDate": FIXED_DATE})
    return doc.tobytes(garbage=4, deflate=True, no_new_id=True)


def image_only(pdf: bytes) -> bytes:
    """The same pages as pictures: what a scanner gives (no text layer)."""
    source = pymupdf.open("pdf", pdf)
    doc = pymupdf.open()
    for page in source:
        pix = page.get_pixmap(dpi=100, colorspace=pymupdf.csGRAY)
        new = doc.new_page(width=page.rect.width, height=page.rect.height)
        new.insert_image(new.rect, stream=pix.tobytes("png"))
    doc.set_metadata({"title": "scan", "producer": "scanner", "creationDate": FIXED_DATE,
                      "modDate": FIXED_DATE})
    return doc.tobytes(garbage=4, deflate=True, no_new_id=True)


def with_image_page(pdf: bytes, picture: bytes, title: str) -> bytes:
    """`pdf` with the pages of `picture` (an image-only PDF) appended."""
    doc = pymupdf.open("pdf", pdf)
    doc.insert_pdf(pymupdf.open("pdf", picture))
    doc.set_metadata({"title": title, "author": "Luth demo", "creator": "make_demo_exams.py",
                      "producer": "PyMuPDF", "creationDate": FIXED_DATE, "modDate": FIXED_DATE})
    return doc.tobytes(garbage=4, deflate=True, no_new_id=True)


def sujet_blocks(exam: dict) -> list[tuple[str, str]]:
    blocks = [("title", exam["title"]), ("text", exam["intro"])]
    for ex in exam["exercises"]:
        blocks += [("heading", ex["heading"]), ("text", ex["statement"])]
        for i, q in enumerate(ex["questions"], start=1):
            blocks.append(("text", f"{i}. {q['question']}"))
    return blocks


def corrige_blocks(exam: dict) -> list[tuple[str, str]]:
    blocks = [("title", "Corrigé - " + exam["title"])]
    for ex in exam["exercises"]:
        blocks.append(("heading", ex["heading"]))
        for i, q in enumerate(ex["questions"], start=1):
            blocks.append(("text", f"{i}. {q['answer']}"))
    return blocks


def write_pdfs(folder: Path) -> None:
    for exam in EXAMS:
        (folder / f"{exam['stem']}-sujet.pdf").write_bytes(render(sujet_blocks(exam), exam["title"]))
        (folder / f"{exam['stem']}-corrige.pdf").write_bytes(
            render(corrige_blocks(exam), "Corrigé - " + exam["title"]))
    scan = render([("text", SCANNED["sujet"])] * 6, "scan")
    (folder / f"{SCANNED['stem']}-sujet.pdf").write_bytes(image_only(scan))
    (folder / f"{SCANNED['stem']}-corrige.pdf").write_bytes(
        render([("text", SCANNED["corrige"])] * 3, "corrigé"))
    damaged = render([("text", CORRUPT["corrige"])], "sujet")
    # a transfer cut short: the header survives, the objects and the trailer do not
    (folder / f"{CORRUPT['stem']}-sujet.pdf").write_bytes(damaged[:16] + b"\x00\x13" * 40)
    annexe = image_only(render([("title", "Annexe"), ("text", CORRUPT["annexe"])], "annexe"))
    (folder / f"{CORRUPT['stem']}-corrige.pdf").write_bytes(with_image_page(
        render([("text", CORRUPT["corrige"])] * 3, "corrigé"), annexe, "corrigé"))
    (folder / f"{ORPHAN['stem']}-sujet.pdf").write_bytes(
        render([("text", ORPHAN["sujet"])] * 3, "sujet"))


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def replay_lines(folder: Path, cfg: ScholarConfig) -> list[dict]:
    """Our answers for every call the chain makes on the demo exams."""
    pairs = {p.sujet_path: p for p in pair_landing(folder).pairs}
    lines: list[dict] = []
    for exam in EXAMS:
        pair = pairs[f"{exam['stem']}-sujet.pdf"]
        pages = extract_pdf(folder / pair.sujet_path).pages
        chunks = split_exam(pages, cfg.max_chunk_chars)
        per_chunk: dict[int, list[dict]] = {c.index: [] for c in chunks}
        for ex in exam["exercises"]:
            for q in ex["questions"]:
                needle = squash(q["question"])[:60]
                chunk = next(c for c in chunks if needle in squash(c.text))
                page = next(i for i, text in enumerate(pages, 1) if needle in squash(text))
                per_chunk[chunk.index].append({
                    "number": q["number"], "question": q["question"],
                    "context": ex["statement"], "needs_figure": bool(q.get("needs_figure")),
                    "pages": [page]})
                if q.get("needs_figure"):
                    continue
                sid = item_id(pair.exam_id, q["number"])
                extra = q.get("extra_context", "")
                lines.append({"stage": "scholar_answers", "sample_id": sid, "output": {
                    "found": True, "answer": q["answer"], "multi_step": bool(q.get("multi_step")),
                    "extra_context": extra}})
                context = f"{ex['statement']}\n\n{extra}".strip()
                lines.append({"stage": "scholar_clean", "sample_id": sid, "output": {
                    "question": q["question"], "context": context, "answer": q["clean"],
                    "anomaly": bool(q.get("anomaly")), "anomaly_reason": q.get("anomaly", "")}})
        for index, questions in per_chunk.items():
            lines.append({"stage": "scholar_questions",
                          "sample_id": chunk_id(pair.exam_id, index),
                          "output": {"questions": questions}})
    lines += vision_lines(pairs)
    for line in lines:  # what a provider would bill for the answer (about 4 characters a token)
        answer = line["output"] if "output" in line else line["text"]
        line["output_tokens"] = max(1, len(json.dumps(answer, ensure_ascii=False)) // 4)
    return sorted(lines, key=lambda d: (d["stage"], d["sample_id"]))


def vision_lines(pairs: dict) -> list[dict]:
    """The vision fallback's answers: the corrigé's image-only page (last page), and the scan."""
    nsi, scan = pairs[f"{CORRUPT['stem']}-sujet.pdf"], pairs[f"{SCANNED['stem']}-sujet.pdf"]
    return [{"stage": "scholar_vision", "sample_id": vision_id(nsi.exam_id, "corrige", 2),
             "text": ANNEXE_TRANSCRIPTION},
            {"stage": "scholar_vision", "sample_id": vision_id(scan.exam_id, "sujet", 1),
             "text": SCAN_TRANSCRIPTION}]


def main() -> None:
    write_pdfs(HERE)
    lines = replay_lines(HERE, ScholarConfig())
    REPLAY.parent.mkdir(parents=True, exist_ok=True)
    REPLAY.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines),
                      encoding="utf-8")
    print(f"wrote the demo exams into {HERE} and {len(lines)} replay answers into {REPLAY}")


if __name__ == "__main__":
    main()
