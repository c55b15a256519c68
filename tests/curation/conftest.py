from __future__ import annotations

import json
from pathlib import Path

import pytest

from .helpers import save_tiny_tokenizer

REPO = Path(__file__).resolve().parents[2]
DEMO_CHAT = REPO / "data_lake" / "landing" / "sources" / "chat_fr.jsonl"


@pytest.fixture(scope="session")
def tiny_tokenizer_dir(tmp_path_factory) -> Path:
    texts = [m["content"] or "" for line in DEMO_CHAT.read_text().splitlines()
             for m in json.loads(line)["messages"]]
    return save_tiny_tokenizer(tmp_path_factory.mktemp("tokenizer"), texts)
