"""Fixtures of the translation stage tests; helpers live in translation_helpers.py."""

from __future__ import annotations

import sys
from pathlib import Path

import dagster as dg
import pytest

HERE = Path(__file__).resolve().parent
for folder in (HERE, HERE.parent / "llm"):  # translation_helpers; fake_gemini, llm_helpers
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))


@pytest.fixture
def instance():
    """A Dagster instance in a temporary folder (event log on disk, read back by the tests)."""
    with dg.instance_for_test() as inst:
        yield inst
