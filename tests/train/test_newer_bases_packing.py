"""Packing on the newer bases: Qwen3.5 mixes tokens outside attention (gated delta-net layers and
their short convolutions), and LFM2 too (short convolutions), so restarting position ids do not
isolate packed rows on CPU (the reference PyTorch kernels ignore sequence boundaries), unlike
Qwen3; `packing_isolates` says so, and `luth train` warns. Shown on tiny models built from a
config: the second row of a packed sequence gets other logits than the same row alone."""

from __future__ import annotations

import pytest

from luth_train.packing import packing_isolates


def _second_row_gap(config) -> float:
    """Max |logit difference| of the second row packed after a first one vs run alone."""
    import torch
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(config, attn_implementation="sdpa").eval()
    g = torch.Generator().manual_seed(0)
    first, second = (torch.randint(3, 128, (n,), generator=g).tolist() for n in (17, 23))
    with torch.no_grad():
        alone = model(input_ids=torch.tensor([second]), use_cache=False).logits[0]
        ids = torch.tensor([first + second])
        pos = torch.tensor([list(range(len(first))) + list(range(len(second)))])
        packed = model(input_ids=ids, position_ids=pos, use_cache=False).logits[0, len(first):]
    return float((alone - packed).abs().max())


def test_position_ids_isolate_qwen3_rows_but_not_qwen3_5_or_lfm2_rows():
    transformers = pytest.importorskip("transformers")
    if not hasattr(transformers, "Qwen3_5TextConfig"):
        pytest.skip(f"transformers {transformers.__version__} has no Qwen3.5")
    common = dict(vocab_size=128, hidden_size=64, intermediate_size=128, num_attention_heads=4,
                  num_key_value_heads=2, head_dim=16)
    qwen3 = transformers.Qwen3Config(num_hidden_layers=2, **common)
    qwen3_5 = transformers.Qwen3_5TextConfig(
        num_hidden_layers=4, full_attention_interval=2, linear_num_key_heads=2, linear_num_value_heads=4,
        linear_key_head_dim=16, linear_value_head_dim=16, **common)
    assert _second_row_gap(qwen3) < 1e-5
    gap = _second_row_gap(qwen3_5)
    print(f"Qwen3.5 (tiny, random init): second packed row's logits differ by up to {gap:.4f}")
    assert gap > 1e-3
    assert packing_isolates(qwen3.model_type) and not packing_isolates(qwen3_5.model_type)
    lfm2 = transformers.Lfm2Config(num_hidden_layers=2, layer_types=["conv", "full_attention"],
                                   **{k: v for k, v in common.items() if k != "head_dim"})
    leak = _second_row_gap(lfm2)  # its short convolution reaches into the next row's first tokens
    print(f"LFM2 (tiny, random init): second packed row's logits differ by up to {leak:.5f}")
    assert leak > 1e-5 and not packing_isolates(lfm2.model_type)
