"""Shared fixtures. Real data lives in ../shared/data (beside the repository); tests that need it
skip with a printed reason when it is absent."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("LUTH_SHARED_DATA", REPO.parent / "shared" / "data"))
DEMO_CONFIG = REPO / "data_lake" / "landing" / "luth.yaml"


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} is absent (set LUTH_SHARED_DATA)")
    return SHARED_DATA


@pytest.fixture
def lake_root(tmp_path: Path) -> Path:
    root = tmp_path / "lake"
    root.mkdir()
    return root


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test (offline commands: `luth plan`,
    `luth train --check`, readers that must not reach the hub)."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"tried to use the network: {args}")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
