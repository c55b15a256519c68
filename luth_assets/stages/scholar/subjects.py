"""The subject of a Scholar item as one of the paper's five, or other.

The Luth paper (arXiv 2510.05846) gives the Scholar subset by subject: mathematics 67.23%,
physics-chemistry 10.61%, computer science 9.08%, engineering 6.04%, biology 5.51%. Our items carry
the exam's own subject (``mathematiques``, ``physique-chimie``, ``nsi``, ``svt``, from the manifest
or the file names); :func:`subject_area` maps it, then the words of the exam's name, onto those
five, and anything else onto ``other``.
"""

from __future__ import annotations

import re
import unicodedata

SUBJECT_AREAS = ("mathematics", "physics-chemistry", "computer science", "engineering", "biology",
                 "other")
# a word of the subject or the exam name (accents folded, lower case) -> the paper's subject
AREA_WORDS = {
    **dict.fromkeys(("mathematiques", "mathematique", "maths", "math", "mathematics",
                     "mathematiques-expertes", "algebre", "analyse"), "mathematics"),
    **dict.fromkeys(("physique-chimie", "physique", "chimie", "physiquechimie", "pc", "phys",
                     "physics", "chemistry"), "physics-chemistry"),
    **dict.fromkeys(("nsi", "snt", "informatique", "info", "itc", "computer", "algorithmique"),
                    "computer science"),
    **dict.fromkeys(("si", "sii", "sciences-ingenieur", "ingenieur", "ingenierie", "sti2d",
                     "technologie", "engineering", "mecanique", "electronique"), "engineering"),
    **dict.fromkeys(("svt", "biologie", "biology", "bio", "geologie", "ecologie"), "biology"),
}
_WORDS = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _fold(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", text.lower())
                   if unicodedata.category(ch) != "Mn")


def subject_area(subject: str | None, exam: str | None = None) -> str:
    """The paper's subject of an exam: its subject value first, then the words of its name."""
    for text in (subject, exam):
        if not text:
            continue
        folded = _fold(text)
        if folded in AREA_WORDS:
            return AREA_WORDS[folded]
        for word in _WORDS.findall(folded):
            for part in (word, *word.split("-")):
                if part in AREA_WORDS:
                    return AREA_WORDS[part]
    return "other"
