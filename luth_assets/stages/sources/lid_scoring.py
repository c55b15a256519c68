"""Score a language-ID backend on labelled sentences: precision and recall of the target slice.

The labelled folder holds one ``<lang>.txt`` per language, one sentence a line (the Leipzig
sentences in ``../shared/data/lid``). Each sentence becomes a one-turn row and goes through the
stage's own detection (`lid_cascade.detect_rows`) and slice rules (`slicing.classify`, with the
function-word check), so the figures are those of the French slice, not of a bare classifier.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from luth_assets.lib.lid_cascade import DECIDED_BY_LANGDETECT, LidOptions, detect_rows
from luth_assets.stages.sources.settings import LanguageIdConfig
from luth_assets.stages.sources.slicing import classify


@dataclass(frozen=True)
class LabelledSentence:
    language: str
    text: str


@dataclass
class SliceScore:
    backend: str
    rows: int
    seconds: float
    true_positives: int
    false_positives: int
    false_negatives: int
    sent_to_langdetect: int
    false_positive_languages: dict[str, int]

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def precision(self) -> float:
        kept = self.true_positives + self.false_positives
        return self.true_positives / kept if kept else 0.0

    @property
    def recall(self) -> float:
        target = self.true_positives + self.false_negatives
        return self.true_positives / target if target else 0.0


def read_labelled_sentences(folder: str | Path, per_language: int | None = None
                            ) -> list[LabelledSentence]:
    """Sentences of every ``<lang>.txt`` in `folder` (sorted by language, file order kept), at most
    `per_language` of each. A missing or empty folder is an error naming it."""
    folder = Path(folder)
    files = sorted(folder.glob("*.txt")) if folder.is_dir() else []
    if not files:
        raise FileNotFoundError(f"no <lang>.txt files in {folder}")
    sentences = []
    for path in files:
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
        lines = [line for line in lines if line][:per_language]
        sentences += [LabelledSentence(path.stem, line) for line in lines]
    return sentences


def score_slice(sentences: list[LabelledSentence], lid: LanguageIdConfig, target_language: str = "fr"
                ) -> SliceScore:
    """Run `sentences` through detection (`lid.backend`, `lid.workers` processes) and the slice
    rules of `lid`; time the detection alone."""
    options = LidOptions.from_config(lid, target_language)
    batch_size = lid.batch_size
    rows = [{"sample_id": str(i), "problem": None,
             "messages": [{"role": "user", "content": s.text}]} for i, s in enumerate(sentences)]
    batches = [rows[i: i + batch_size] for i in range(0, len(rows), batch_size)]
    started = time.perf_counter()
    detected = [row for batch in detect_rows(batches, options, workers=lid.workers) for row in batch]
    seconds = time.perf_counter() - started
    frame = pl.DataFrame(
        {"sample_id": [r["sample_id"] for r in detected],
         "problem": [r["problem"] for r in detected],
         "messages": [r["messages"] for r in detected],
         "turn_languages": [r["turn_languages"] for r in detected],
         "turn_language_probs": [r["turn_language_probs"] for r in detected]},
        schema_overrides={"problem": pl.String},
    )
    reasons = classify(frame.lazy(), target_language, lid.min_probability, lid.min_chars,
                       lid.confirm_function_words).collect()["reason"].to_list()
    target = target_language
    tp = fp = fn = 0
    fp_languages: dict[str, int] = {}
    for sentence, reason in zip(sentences, reasons, strict=True):
        kept = reason is None
        if kept and sentence.language == target:
            tp += 1
        elif kept:
            fp += 1
            fp_languages[sentence.language] = fp_languages.get(sentence.language, 0) + 1
        elif sentence.language == target:
            fn += 1
    sent = sum(1 for r in detected if r["language_decided_by"] == DECIDED_BY_LANGDETECT)
    return SliceScore(options.backend, len(rows), seconds, tp, fp, fn, sent, fp_languages)
