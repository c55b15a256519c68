"""The README and docs/ stay true over time: no "today", no "this session", no word of who was
lent which machine; a figure carries its date, machine and command instead."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DIARY = re.compile(r"\b(this session|today|was lent|no device)\b", re.IGNORECASE)


def test_no_diary_wording_in_the_docs():
    found = []
    for path in [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if match := DIARY.search(line):
                found.append(f"{path.relative_to(REPO)}:{number}: {match.group(0)!r}")
    assert not found, "wording that goes stale (date the figure instead):\n" + "\n".join(found)
