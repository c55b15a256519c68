"""Published scores of the Luth models and their bases, each with its source, to set beside ours.

Percent. The authors published their numbers in several places that do not agree: the paper
(arXiv 2510.05846, October 2025), the model cards on the Hugging Face hub (August 2025) and the
blog post that announced the Qwen3-based models (2025-08-11). Each number here is carried with the
source it was read from; where two sources give a model different numbers, both are kept and the
score table shows one row per source. A number that could not be read from its source is absent,
never filled in (docs/evaluation.md lists what is missing).

A model is recognised by the last part of its hub id or folder name (`Qwen/Qwen3-0.6B`,
`kurakurai/Luth-0.6B-Instruct`, `LiquidAI/LFM2-700M`, ...). Our fine-tuned models (SFT, merges)
of a known base are compared with the Luth model the authors built from that base.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Column order of the authors' tables (cards, blog and paper alike).
CARD_ORDER = ("ifeval", "gpqa_diamond", "mmlu", "math500", "arc_challenge", "hellaswag")


@dataclass(frozen=True)
class Source:
    """Where a set of published numbers was read."""

    key: str  # short label shown in the score table's `source` column
    kind: str  # paper | card | blog
    date: str | None  # YYYY-MM or YYYY-MM-DD; None when the source carries no date
    citation: str


PAPER = Source("paper 2025-10", "paper", "2025-10",
               "Lasbordes & Gad, arXiv 2510.05846v1 (October 2025)")
CARD = Source("card 2025-08", "card", "2025-08",
              "model cards kurakurai/Luth-0.6B-Instruct and kurakurai/Luth-1.7B-Instruct "
              "(Hugging Face, August 2025)")
BLOG = Source("blog 2025-08-11", "blog", "2025-08-11",
              "blog post 'Luth: Efficient French Specialization for Small Language Models' "
              "(huggingface.co/blog/MaxLSB/luth, 2025-08-11)")
CARD_LFM2_700M = Source("card LFM2-700M, before 3348f85", "card", None,
                        "model card kurakurai/Luth-LFM2-700M as it read before its README commit "
                        "3348f85 (undated revision)")
SOURCES: dict[str, Source] = {s.key: s for s in (CARD, PAPER, BLOG, CARD_LFM2_700M)}


@dataclass(frozen=True)
class Published:
    name: str
    aliases: tuple[str, ...]  # lower-case last path parts that name this model
    by_source: dict[str, dict[str, float]]  # source key -> benchmark name -> percent
    luth_of_base: str | None = None  # for a base: the Luth model the authors built from it
    notes: tuple[str, ...] = field(default=())

    @property
    def scores(self) -> dict[str, float]:
        """The model card's numbers (the most complete source for the Qwen3 pairs); else the
        first source that has any."""
        for key in (CARD.key, *self.by_source):
            if self.by_source.get(key):
                return self.by_source[key]
        return {}

    def sources(self) -> list[Source]:
        return [SOURCES[k] for k in SOURCES if self.by_source.get(k)]


def _row(lang: str, values: tuple[float | None, ...]) -> dict[str, float]:
    """One language's row in the authors' column order; None marks a number not read."""
    return {f"{task}_{lang}": v for task, v in zip(CARD_ORDER, values, strict=True) if v is not None}


NOT_READ = None  # a cell the source has that could not be read here (see the module docstring)

PUBLISHED: dict[str, Published] = {
    p.name: p
    for p in [
        Published("Qwen3-0.6B", ("qwen3-0.6b",), {
            CARD.key: _row("fr", (44.86, 26.90, 27.13, 29.20, 31.57, 25.10)),
            BLOG.key: _row("fr", (44.45, 28.93, 27.16, 29.20, 31.31, 25.11))
            | _row("en", (57.86, 29.80, 36.85, 45.00, 33.62, 42.91)),
        }, luth_of_base="Luth-0.6B"),
        Published("Luth-0.6B", ("luth-0.6b", "luth-0.6b-instruct"), {
            CARD.key: _row("fr", (48.24, 34.52, 40.12, 44.00, 33.88, 45.58))
            | _row("en", (53.73, 25.76, 48.12, 48.80, 36.09, 47.03)),
            BLOG.key: _row("fr", (48.24, 33.50, 40.23, 43.00, 33.88, 45.70))
            | _row("en", (53.97, 28.28, 48.10, 47.80, 35.92, 46.96)),
        }),
        Published("Qwen3-1.7B", ("qwen3-1.7b",), {
            CARD.key: _row("fr", (54.71, 31.98, 28.49, 60.40, 33.28, 24.86)),
            BLOG.key: _row("fr", (54.53, 26.90, 28.46, 60.80, 33.28, 24.86))
            | _row("en", (68.39, 31.82, 52.74, 69.20, 36.09, 46.96)),
        }, luth_of_base="Luth-1.7B"),
        Published("Luth-1.7B", ("luth-1.7b", "luth-1.7b-instruct"), {
            CARD.key: _row("fr", (58.53, 36.55, 49.75, 62.60, 35.16, 31.88))
            | _row("en", (65.80, 29.80, 60.28, 70.40, NOT_READ, NOT_READ)),
            PAPER.key: _row("fr", (63.88, NOT_READ, NOT_READ, NOT_READ, NOT_READ, NOT_READ)),
            BLOG.key: _row("fr", (57.67, 38.58, 49.66, 64.00, 35.16, 31.93))
            | _row("en", (65.80, 31.82, 60.19, 70.00, 42.24, 58.55)),
        }),
        Published("LFM2-1.2B", ("lfm2-1.2b",), {
            CARD.key: _row("fr", (54.41, 22.84, 47.59, 36.80, 39.44, 33.05)),
        }, luth_of_base="Luth-LFM2-1.2B"),
        Published("LFM2-700M", ("lfm2-700m",), {
            CARD_LFM2_700M.key: _row("fr", (41.04, 28.07, 43.73, 33.60, 36.27, 41.51))
            | _row("en", (64.14, 28.20, 50.73, 33.60, 38.48, 52.67)),
        }, luth_of_base="Luth-LFM2-700M"),
        Published("Luth-LFM2-700M", ("luth-lfm2-700m",), {
            CARD_LFM2_700M.key: _row("fr", (51.76, 28.04, 44.72, 36.60, 36.70, 48.25))
            | _row("en", (64.70, 25.88, 50.92, 37.80, 38.91, 54.08)),
        }),
        # No number of LFM2-350M, Luth-LFM2-350M or Luth-LFM2-1.2B could be read from their cards
        # or the paper; they are recognised (so their scored rows name them) without a row.
        Published("LFM2-350M", ("lfm2-350m",), {}, luth_of_base="Luth-LFM2-350M"),
        Published("Luth-LFM2-350M", ("luth-lfm2-350m",), {}),
        Published("Luth-LFM2-1.2B", ("luth-lfm2-1.2b",), {}),
    ]
}

# The paper's headline: the largest French-average gain of a Luth model over its base, in points.
PAPER_LARGEST_FRENCH_GAIN = 11.26


def recognise(identifier: str | None) -> Published | None:
    """The published model an identifier (hub id or path) names, or None."""
    if not identifier:
        return None
    last = identifier.rstrip("/").replace("\\", "/").rsplit("/", 1)[-1].lower()
    for p in PUBLISHED.values():
        if last in p.aliases:
            return p
    return None


def reference_for(identifier: str | None, base_identifier: str | None = None) -> Published | None:
    """What one of our models is compared with: the published model it is, else (a fine-tune or
    merge of a known base) the Luth model the authors made from that base."""
    known = recognise(identifier)
    if known is not None:
        return known
    base = recognise(base_identifier)
    if base is not None and base.luth_of_base:
        return PUBLISHED.get(base.luth_of_base)
    return None


def published_rows(ref: Published, benchmarks) -> list[tuple[Source, dict[str, float | None]]]:
    """(source, benchmark -> percent or None) for each source that publishes any of `benchmarks`
    for `ref`, in the order of SOURCES (card first)."""
    out = []
    for source in ref.sources():
        values = {b: ref.by_source[source.key].get(b) for b in benchmarks}
        if any(v is not None for v in values.values()):
            out.append((source, values))
    return out
