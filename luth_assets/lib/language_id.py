"""Language of every turn with langdetect: seeded, deterministic, over all cores, streaming. Shared by
the sources stage (the slice) and the curation stage (the mix's language check).

`detect_languages` is deterministic for a given seed whatever the number of workers: langdetect
reseeds its sampler from `DetectorFactory.seed` for each text, so a text always gets the same
answer. Rows flow through in bounded batches (at most ``2 × workers`` batches in flight), so
memory does not grow with the size of the source.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Any

UNDETERMINED = "und"
# langdetect looks at the first characters only past this length; longer texts are truncated
# before crossing the process boundary.
MAX_DETECT_CHARS = 2000

_seed: int | None = None


def _init_worker(seed: int) -> None:
    global _seed
    from langdetect import DetectorFactory
    from langdetect.detector_factory import init_factory

    DetectorFactory.seed = seed
    init_factory()  # load the language profiles once per process
    _seed = seed


def detect_texts(texts: list[str], seed: int = 0) -> list[tuple[str, float]]:
    """(language, probability) for each text; ``('und', 0.0)`` where nothing can be detected."""
    if _seed != seed:
        _init_worker(seed)
    from langdetect.detector_factory import _factory
    from langdetect.lang_detect_exception import LangDetectException

    results: list[tuple[str, float]] = []
    for text in texts:
        if not text or not text.strip():
            results.append((UNDETERMINED, 0.0))
            continue
        detector = _factory.create()
        detector.append(text)
        try:
            best = detector.get_probabilities()[0]
            results.append((best.lang, round(float(best.prob), 6)))
        except (LangDetectException, IndexError):
            results.append((UNDETERMINED, 0.0))
    return results


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _turn_texts(rows: list[dict[str, Any]]) -> list[str]:
    return [m["content"][:MAX_DETECT_CHARS] for row in rows for m in row["messages"]]


def _attach(rows: list[dict[str, Any]], detections: list[tuple[str, float]]) -> list[dict]:
    position = 0
    for row in rows:
        count = len(row["messages"])
        pairs = detections[position: position + count]
        position += count
        row["turn_languages"] = [lang for lang, _ in pairs]
        row["turn_language_probs"] = [prob for _, prob in pairs]
        languages = set(row["turn_languages"]) - {UNDETERMINED}
        if not pairs:
            row["language"], row["language_probability"] = UNDETERMINED, 0.0
        elif len(languages) == 1 and UNDETERMINED not in row["turn_languages"]:
            row["language"] = languages.pop()
            row["language_probability"] = min(row["turn_language_probs"])
        elif not languages:
            row["language"], row["language_probability"] = UNDETERMINED, 0.0
        else:
            row["language"], row["language_probability"] = "mixed", 0.0
    return rows


def detect_languages(
    batches: Iterable[list[dict[str, Any]]], workers: int = 0, seed: int = 0
) -> Iterator[list[dict[str, Any]]]:
    """Add ``turn_languages``, ``turn_language_probs``, ``language`` and
    ``language_probability`` to each row of each batch, keeping batch order, with langdetect
    alone (the sources stage picks its backend through `lid_cascade.detect_rows`).

    ``workers=0`` uses every core; ``workers=1`` runs in this process.
    """
    from luth_assets.lib.lid_cascade import LidOptions, detect_rows

    return detect_rows(batches, LidOptions(backend="langdetect", seed=seed), workers)
