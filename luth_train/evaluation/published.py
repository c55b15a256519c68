"""Published scores of the Luth paper's models (model cards, August 2025), to set beside ours.

Percent; French numbers for the four models, English for Luth-0.6B. A model is recognised by the
last part of its hub id or folder name (`Qwen/Qwen3-0.6B`, `kurakurai/Luth-0.6B-Instruct`, ...).
Our fine-tuned models (SFT, merges) of a known Qwen3 base are compared with the Luth model the
authors built from that base.
"""

from __future__ import annotations

from dataclasses import dataclass

# Order of the model cards' tables.
CARD_ORDER = ("ifeval", "gpqa_diamond", "mmlu", "math500", "arc_challenge", "hellaswag")
SOURCE = "model cards (Hugging Face, August 2025)"


@dataclass(frozen=True)
class Published:
    name: str
    aliases: tuple[str, ...]  # lower-case last path parts that name this model
    scores: dict[str, float]  # benchmark name -> percent


def _row(lang: str, values: tuple[float, ...]) -> dict[str, float]:
    return {f"{task}_{lang}": v for task, v in zip(CARD_ORDER, values, strict=True)}


PUBLISHED: dict[str, Published] = {
    p.name: p
    for p in [
        Published("Qwen3-0.6B", ("qwen3-0.6b",), _row("fr", (44.86, 26.90, 27.13, 29.20, 31.57, 25.10))),
        Published(
            "Luth-0.6B",
            ("luth-0.6b", "luth-0.6b-instruct"),
            _row("fr", (48.24, 34.52, 40.12, 44.00, 33.88, 45.58))
            | _row("en", (53.73, 25.76, 48.12, 48.80, 36.09, 47.03)),
        ),
        Published("Qwen3-1.7B", ("qwen3-1.7b",), _row("fr", (54.71, 31.98, 28.49, 60.40, 33.28, 24.86))),
        Published(
            "Luth-1.7B",
            ("luth-1.7b", "luth-1.7b-instruct"),
            _row("fr", (58.53, 36.55, 49.75, 62.60, 35.16, 31.88)),
        ),
    ]
}


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
    merge of a known Qwen3 base) the Luth model the authors made from that base."""
    known = recognise(identifier)
    if known is not None:
        return known
    base = recognise(base_identifier)
    if base is not None and base.name.startswith("Qwen3-"):
        return PUBLISHED.get("Luth-" + base.name.removeprefix("Qwen3-"))
    return None
