from __future__ import annotations

from pathlib import Path

import pytest
import torch
from merge_tiny import build_tiny_qwen3

torch.set_num_threads(1)


@pytest.fixture(scope="session")
def tiny_pair(tmp_path_factory) -> tuple[Path, Path]:
    """(base, fine-tuned): two tiny 2-layer Qwen3 models with the same tokenizer; the fine-tuned
    one carries a different chat template so that the copy from it is observable."""
    root = tmp_path_factory.mktemp("tiny_models")
    base = build_tiny_qwen3(root / "base", seed=1)
    ft = build_tiny_qwen3(root / "ft", seed=2, chat_template_suffix="{# luth-ft #}")
    return base, ft
