"""Fixtures of the scholar tests: the committed demo exams and a config pointing at a landing
folder of the test's own."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEMO_EXAMS = REPO / "data_lake" / "landing" / "exams"
DEMO_REPLAY = REPO / "data_lake" / "landing" / "replay"
sys.path.insert(0, str(REPO / "tests" / "llm"))  # fake_gemini, llm_helpers


@pytest.fixture
def demo_exams() -> Path:
    return DEMO_EXAMS


def copy_pair(stem: str, folder: Path) -> list[Path]:
    """Copy one demo pair (sujet + corrigé) into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for role in ("sujet", "corrige"):
        src = DEMO_EXAMS / f"{stem}-{role}.pdf"
        out.append(Path(shutil.copy2(src, folder / src.name)))
    return out
