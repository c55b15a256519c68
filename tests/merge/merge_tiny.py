"""Tiny Qwen3 models (random weights) with an offline-trained tokenizer, for merge tests.

Built with `luth_train.tiny_model.build_tiny_model` (the project's tiny model); 1-D tensors (the
RMSNorm weights) are perturbed off their initial 1.0 so that every tensor differs between models.
"""

from __future__ import annotations

from pathlib import Path

import torch

TEXTS = [
    "Bonjour, comment allez-vous aujourd'hui ?",
    "La capitale de la France est Paris.",
    "Résoudre l'équation x + 2 = 5 donne x = 3.",
    "Le baccalauréat est un examen national en France.",
    "Hello, how are you today? The answer is three.",
] * 4


def build_tiny_qwen3(
    out_dir: Path,
    seed: int,
    *,
    num_hidden_layers: int = 2,
    chat_template_suffix: str = "",
    perturb_norms: bool = True,
) -> Path:
    from safetensors.torch import load_file, save_file

    from luth_train.tiny_model import build_tiny_model

    out = build_tiny_model(
        out_dir, TEXTS, vocab_size=256, num_layers=num_hidden_layers, seed=seed, max_position_embeddings=256
    )
    if perturb_norms:
        (shard,) = Path(out).glob("*.safetensors")
        tensors = load_file(str(shard))
        gen = torch.Generator().manual_seed(seed)
        for name, t in tensors.items():
            if t.ndim == 1:
                tensors[name] = t + 0.1 * torch.randn(t.shape, generator=gen, dtype=t.dtype)
        save_file(tensors, str(shard), metadata={"format": "pt"})
    if chat_template_suffix:
        jinja = Path(out) / "chat_template.jinja"
        if jinja.is_file():
            jinja.write_text(jinja.read_text() + chat_template_suffix)
        else:  # template stored inside tokenizer_config.json
            from transformers import AutoTokenizer

            tok = AutoTokenizer.from_pretrained(str(out))
            tok.chat_template = tok.chat_template + chat_template_suffix
            tok.save_pretrained(str(out))
    return Path(out)
