from __future__ import annotations

import random

import pytest
import torch

from luth_train.data import tokenize_rows
from luth_train.packing import (
    causal_lm_loss_sum,
    collate_packed,
    collate_padded,
    pack_lengths,
    pack_rows,
    packing_efficiency,
)


def test_first_fit_decreasing_respects_capacity_and_keeps_every_row():
    rng = random.Random(0)
    lengths = [rng.randint(1, 100) for _ in range(500)]
    bins = pack_lengths(lengths, 128)
    assert sorted(i for b in bins for i in b) == list(range(500))
    assert all(sum(lengths[i] for i in b) <= 128 for b in bins)
    lower_bound = -(-sum(lengths) // 128)
    assert len(bins) <= lower_bound * 1.05 + 1
    with pytest.raises(ValueError, match="row 0 has 200 tokens"):
        pack_lengths([200], 128)


def _rows(tokenizer, n=7, seed=0):
    rng = random.Random(seed)
    words = "le chat dort sur la table pendant que Paris brille et la pluie tombe".split()
    convs = []
    for i in range(n):
        q = " ".join(rng.choices(words, k=rng.randint(2, 8)))
        a = " ".join(rng.choices(words, k=rng.randint(3, 15)))
        conv = [{"role": "user", "content": q}, {"role": "assistant", "content": a}]
        if i % 3 == 0:
            conv += [{"role": "user", "content": "Encore ?"}, {"role": "assistant", "content": a[::-1]}]
        convs.append(conv)
    return tokenize_rows(tokenizer, convs, sequence_len=160).kept


@pytest.mark.parametrize("attn", ["sdpa", "eager"])
def test_packed_loss_equals_unpacked_mean_loss(tiny_model_dir, attn):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(
        tiny_model_dir, dtype=torch.float32, attn_implementation=attn
    ).eval()
    with torch.no_grad():  # give the random model non-trivial weights
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.05)
    rows = _rows(tok)
    bins = pack_rows(rows, sequence_len=160)
    assert len(bins) < len(rows) and all(len(b.rows) >= 1 for b in bins)
    assert any(len(b.rows) > 1 for b in bins)

    with torch.no_grad():
        packed_sum, packed_n = causal_lm_loss_sum(model, collate_packed(bins, tok.pad_token_id, pad_to=160))
        sums, ns = zip(*(  # noqa: B905
           causal_lm_loss_sum(model, collate_padded([r], tok.pad_token_id)) for r in rows))
        padded_sum, padded_n = causal_lm_loss_sum(model, collate_padded(rows, tok.pad_token_id))
    assert packed_n == sum(ns) == padded_n == sum(r.num_trained_tokens for r in rows)
    unpacked_mean = float(sum(sums)) / sum(ns)
    assert float(packed_sum) / packed_n == pytest.approx(unpacked_mean, abs=1e-4)
    assert float(padded_sum) / padded_n == pytest.approx(unpacked_mean, abs=1e-4)


def test_packing_without_position_ids_would_leak(tiny_model_dir):
    """Control: the same packed batch with plain 0..n positions (no isolation) gives another loss,
    so the equality above is not vacuous."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.05)
    bins = pack_rows(_rows(tok), sequence_len=160)
    batch = collate_packed(bins, tok.pad_token_id, pad_to=160)
    with torch.no_grad():
        isolated, n = causal_lm_loss_sum(model, batch)
        leaky, _ = causal_lm_loss_sum(model, {k: v for k, v in batch.items() if k != "position_ids"})
    assert abs(float(isolated) - float(leaky)) / n > 1e-3


def test_packing_efficiency():
    class R:
        def __init__(self, n):
            self.input_ids = [0] * n

        def __len__(self):
            return len(self.input_ids)

    bins = pack_rows([R(60), R(40), R(50), R(50)], 100)
    assert len(bins) == 2 and packing_efficiency(bins, 100) == 1.0
