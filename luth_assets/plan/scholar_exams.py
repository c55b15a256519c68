"""`luth plan`, Scholar: exam pairs in the landing folder, their sujet chunks and text sizes.

The PDFs are paired and read as the stage reads them (a quarantined PDF makes no call); each
sujet is cut into the chunks the question-extraction step sends; with `scholar.vision` on, the
pages the vision fallback would send are counted (a document the fallback would release from
the quarantine is not counted as an exam: a lower bound on chunks). Without a local landing
folder, `scholar.expected_exams` x `plan.assumed_chunks_per_exam` stands in.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from luth_assets.plan.counting import TokenCounter, mean
from luth_assets.run_config import RunConfig


@dataclass
class ExamEstimate:
    exams: int = 0              # exam pairs whose two PDFs have text
    chunks: float = 0.0         # question-extraction calls
    chunk_tokens: float = 0.0   # their input tokens (chunk texts)
    corrige_tokens: float = 0.0  # corrigé tokens sent with each answer call
    quarantined: int = 0
    vision_pages: int = 0       # pages the vision fallback sends (scholar.vision), within the cap
    method: str = "none"


def estimate_exams(config: RunConfig, count: TokenCounter) -> ExamEstimate:
    scfg = config.scholar
    landing = Path(scfg.landing_dir) if scfg.landing_dir is not None else None
    if landing is not None and landing.is_dir():
        return _from_landing(config, landing, count)
    exams = scfg.expected_exams or 0
    return ExamEstimate(
        exams=exams, chunks=exams * config.plan.assumed_chunks_per_exam,
        chunk_tokens=exams * config.plan.assumed_chunks_per_exam * scfg.max_chunk_chars / 4,
        corrige_tokens=scfg.max_corrige_chars / 4,
        method="scholar.expected_exams (no landing folder here)" if exams else "none")


def _from_landing(config: RunConfig, landing: Path, count: TokenCounter) -> ExamEstimate:
    # PDF reading (PyMuPDF) and pairing are imported only when there are exams to read
    from luth_assets.stages.scholar.chain import split_exam, with_page_marks
    from luth_assets.stages.scholar.documents import pages, read_exam
    from luth_assets.stages.scholar.pairing import pair_landing
    from luth_assets.stages.scholar.vision import vision_page_count

    scfg = config.scholar
    pairing = pair_landing(landing, defaults={"subject": scfg.default_subject,
                                              "level": scfg.default_level})
    out = ExamEstimate(method=f"{len(pairing.pairs)} exam pairs in {landing.name}/")
    corrige_sizes = []
    for pair in pairing.pairs:
        texts, quarantine = read_exam({**pair.row(), "landing_dir": str(landing)}, scfg,
                                      warn=lambda _msg: None)
        if scfg.vision.enabled:
            out.vision_pages += vision_page_count({**pair.row(), "landing_dir": str(landing)},
                                                  texts, quarantine, scfg)
        if quarantine.height:
            out.quarantined += 1
            continue
        out.exams += 1
        for chunk in split_exam(pages(texts, "sujet"), scfg.max_chunk_chars):
            out.chunks += 1
            out.chunk_tokens += count(chunk.text)
        corrige = with_page_marks(pages(texts, "corrige"))[: scfg.max_corrige_chars]
        corrige_sizes.append(count(corrige))
    out.corrige_tokens = mean(corrige_sizes)
    return out
