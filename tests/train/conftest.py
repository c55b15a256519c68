"""Fixtures for the training tests: one tiny Qwen3 model per session, built on authored text."""

from __future__ import annotations

from pathlib import Path

import pytest

TINY_TEXTS = [
    "Le chat dort sur le canapé pendant que la pluie tombe.",
    "Quelle est la capitale de la France ? La capitale de la France est Paris.",
    "The quick brown fox jumps over the lazy dog.",
    "Calculer la dérivée de f(x) = x^2 + 3x. La dérivée est f'(x) = 2x + 3.",
    "Bonjour, comment allez-vous aujourd'hui ? Très bien, merci beaucoup.",
    "Explain photosynthesis: plants turn light, water and carbon dioxide into sugar.",
    "La Révolution française commence en 1789 avec la prise de la Bastille.",
    "Résoudre l'équation 2x + 5 = 11. On trouve x = 3.",
] * 4


@pytest.fixture(autouse=True)
def _one_thread():
    import torch

    torch.set_num_threads(1)
    yield


@pytest.fixture(scope="session")
def tiny_texts() -> list[str]:
    return list(TINY_TEXTS)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    import torch

    from luth_train.tiny_model import build_tiny_model

    torch.set_num_threads(1)
    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "model", list(TINY_TEXTS), vocab_size=384)
