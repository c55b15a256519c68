"""`sdpa_varlen`: per-row attention for packed batches gives the block-diagonal mask's loss and
gradients, attends per row (no bin-wide attention), and is what `luth train` picks on CPU."""

from __future__ import annotations

import pytest
import torch

from luth_train.packing import causal_lm_loss_sum, collate_packed, collate_padded, pack_rows
from luth_train.varlen_attention import NAME, register, row_spans

from .test_packing import _rows


def _model(model_dir, attn):
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32, attn_implementation=attn)
    with torch.no_grad():  # non-trivial weights, identical for every implementation
        g = torch.Generator().manual_seed(0)
        for p in model.parameters():
            p.add_(torch.randn(p.shape, generator=g) * 0.05)
    return model.train()


def _loss_and_grads(model, batches):
    model.zero_grad(set_to_none=True)
    total, count = 0.0, 0
    for b in batches:
        s, n = causal_lm_loss_sum(model, b)
        s.backward()
        total, count = total + float(s.detach()), count + n
    grads = {k: p.grad.clone() for k, p in model.named_parameters() if p.grad is not None}
    return total / count, grads


@pytest.fixture(scope="module")
def packed_case(tiny_model_dir):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    rows = _rows(tok, n=14, seed=2)  # bins of 2-5 rows; tails of 1-18 pad tokens
    bins = pack_rows(rows, sequence_len=256)
    assert any(len(b.rows) > 2 for b in bins) and len(bins) >= 2
    batch = collate_packed(bins, tok.pad_token_id, pad_to=256)  # 2+ bins, each with a padding tail
    return tok, rows, batch


def test_same_loss_and_gradients_as_block_mask_and_as_rows_alone(tiny_model_dir, packed_case):
    tok, rows, batch = packed_case
    register()
    varlen_loss, varlen_grads = _loss_and_grads(_model(tiny_model_dir, NAME), [batch])
    mask_loss, mask_grads = _loss_and_grads(_model(tiny_model_dir, "sdpa"), [batch])
    alone_loss, alone_grads = _loss_and_grads(  # every row on its own, unpadded
        _model(tiny_model_dir, "sdpa"), [collate_padded([r], tok.pad_token_id) for r in rows])
    assert varlen_loss == pytest.approx(mask_loss, abs=1e-5)
    assert varlen_loss == pytest.approx(alone_loss, abs=1e-5)
    assert varlen_grads.keys() == mask_grads.keys() == alone_grads.keys()
    for name, g in varlen_grads.items():
        scale = float(mask_grads[name].abs().max()) + 1e-8
        assert float((g - mask_grads[name]).abs().max()) / scale < 1e-4, name
        assert float((g - alone_grads[name]).abs().max()) / scale < 1e-4, name


def test_padded_batches_are_unchanged(tiny_model_dir, packed_case):
    """A 2D padding mask (the unpacked baseline) takes transformers' SDPA path, bit for bit."""
    tok, rows, _ = packed_case
    register()
    batch = collate_padded(rows[:4], tok.pad_token_id)
    varlen = _loss_and_grads(_model(tiny_model_dir, NAME), [batch])
    plain = _loss_and_grads(_model(tiny_model_dir, "sdpa"), [batch])
    assert varlen[0] == plain[0]
    assert all(torch.equal(g, plain[1][k]) for k, g in varlen[1].items())


def test_attention_runs_per_row_not_over_the_bin(tiny_model_dir, packed_case, monkeypatch):
    tok, rows, batch = packed_case
    register()
    model = _model(tiny_model_dir, NAME)
    widths = []
    sdpa = torch.nn.functional.scaled_dot_product_attention

    def recording(q, k, v, *args, **kwargs):
        widths.append((q.shape[-2], kwargs.get("attn_mask") is None))
        return sdpa(q, k, v, *args, **kwargs)

    monkeypatch.setattr(torch.nn.functional, "scaled_dot_product_attention", recording)
    with torch.no_grad():
        causal_lm_loss_sum(model, batch)
    longest = max(len(r) for r in rows)
    assert widths and all(w <= longest and no_mask for w, no_mask in widths), widths


def test_row_boundaries_match_flash_attention_cu_seqlens(packed_case):
    from transformers.modeling_flash_attention_utils import prepare_fa_kwargs_from_position_ids

    _, _, batch = packed_case
    for pos in batch["position_ids"]:
        (cu_seqlens, _), _ = prepare_fa_kwargs_from_position_ids(pos[None])
        ours = [start for start, _ in row_spans(pos[None])[0]] + [pos.numel()]
        assert ours == cu_seqlens.tolist()


def test_luth_train_selects_it_for_packed_cpu_training(tmp_path):
    from luth_train.config import load_train_config
    from luth_train.sft import resolve_attn_implementation

    if torch.cuda.is_available():
        pytest.skip("CUDA present: auto may pick flash_attention_2")
    assert resolve_attn_implementation("auto", sample_packing=True) == NAME
    assert resolve_attn_implementation("auto", sample_packing=False) == "sdpa"
    assert resolve_attn_implementation(NAME) == NAME
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"base_model: x\nattn_implementation: {NAME}\n")
    assert load_train_config(cfg).attn_implementation == NAME


def test_luth_train_auto_trains_packed_rows_like_sdpa(tiny_model_dir, tmp_path):
    """`luth train` with attn_implementation auto on CPU logs sdpa_varlen and follows the same loss
    curve as sdpa's block mask; the saved model loads anywhere (its config names no attention)."""
    import json

    from luth_train.sft import train

    from .test_sft import sft_rows, tiny_cfg

    if torch.cuda.is_available():
        pytest.skip("CUDA present: auto may pick flash_attention_2")
    curves = {}
    for attn in ("auto", "sdpa"):
        logs = []
        train(tiny_cfg(tiny_model_dir, tmp_path / attn, attn_implementation=attn, num_epochs=1,
                       evals_per_epoch=0, save_strategy="no"), rows=sft_rows(), log=logs.append)
        assert next(r for r in logs if r["event"] == "start")["attn"] == (NAME if attn == "auto" else "sdpa")
        curves[attn] = [r["loss"] for r in logs if r["event"] == "train"]
    assert len(curves["auto"]) >= 3
    assert curves["auto"] == pytest.approx(curves["sdpa"], abs=1e-4)
    config = json.loads((tmp_path / "auto" / "final" / "config.json").read_text())
    assert NAME not in json.dumps(config)
