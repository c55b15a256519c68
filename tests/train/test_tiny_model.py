from __future__ import annotations

import torch

from luth_train.tiny_model import IM_END, build_tiny_model, pretrain_tiny_model


def test_tiny_model_loads_offline_and_generates(tiny_model_dir, monkeypatch):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert (tiny_model_dir / "model.safetensors").is_file()
    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    assert model.config.model_type == "qwen3"
    assert tok.pad_token == "<|endoftext|>" and tok.eos_token == IM_END
    prompt = tok.apply_chat_template(
        [{"role": "user", "content": "Bonjour"}], tokenize=False, add_generation_prompt=True
    )
    assert prompt == "<|im_start|>user\nBonjour<|im_end|>\n<|im_start|>assistant\n"
    ids = tok(prompt, return_tensors="pt")
    assert tok.decode(ids["input_ids"][0]) == prompt  # byte-level round trip
    out = model.generate(**ids, max_new_tokens=5, do_sample=False)
    assert out.shape[1] > ids["input_ids"].shape[1]


def test_build_is_deterministic(tmp_path, tiny_texts):
    from safetensors.torch import load_file

    a = build_tiny_model(tmp_path / "a", tiny_texts, vocab_size=300, seed=3)
    b = build_tiny_model(tmp_path / "b", tiny_texts, vocab_size=300, seed=3)
    wa, wb = load_file(a / "model.safetensors"), load_file(b / "model.safetensors")
    assert wa.keys() == wb.keys()
    assert all(torch.equal(wa[k], wb[k]) for k in wa)


def test_pretraining_lowers_the_loss(tmp_path, tiny_model_dir, tiny_texts):
    stats = pretrain_tiny_model(
        tiny_model_dir, tiny_texts, steps=30, sequence_len=32, batch_size=4, out_dir=tmp_path / "pt"
    )
    assert stats["last_loss"] < stats["first_loss"] - 0.5
    assert (tmp_path / "pt" / "model.safetensors").is_file()
