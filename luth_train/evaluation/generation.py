"""Greedy generation (temperature 0, as the paper) from the model inputs `chat.model_input` built.

`transformers` backend by default; `vllm` on a GPU when installed (`backend="vllm"`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from luth_train.evaluation.model_io import LoadedModel


def generate_greedy(
    lm: LoadedModel,
    texts: Sequence[str],
    *,
    max_new_tokens: int = 512,
    batch_size: int = 8,
    progress: Callable[[int, int], None] | None = None,
) -> list[str]:
    """Responses to each model input (already through the chat template), greedy decoding,
    special tokens stripped."""
    import torch

    tok = lm.tokenizer
    texts = list(texts)
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    out: list[str | None] = [None] * len(texts)
    old_side = tok.padding_side
    tok.padding_side = "left"
    try:
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            enc = tok(
                [texts[i] for i in batch],
                return_tensors="pt",
                padding=True,
                add_special_tokens=False,
                truncation=True,
                max_length=max(1, lm.max_length - max_new_tokens),
            )
            enc = {k: v.to(lm.device) for k, v in enc.items()}
            with torch.inference_mode():
                gen = lm.model.generate(
                    **enc,
                    do_sample=False,
                    max_new_tokens=max_new_tokens,
                    pad_token_id=tok.pad_token_id,
                    temperature=None,
                    top_p=None,
                    top_k=None,
                )
            new = gen[:, enc["input_ids"].shape[1] :]
            for row, i in enumerate(batch):
                out[i] = tok.decode(new[row], skip_special_tokens=True).strip()
            if progress:
                progress(min(start + batch_size, len(order)), len(order))
    finally:
        tok.padding_side = old_side
    return [o or "" for o in out]


def generate_vllm(model_path: str, texts: Sequence[str], *, max_new_tokens: int) -> list[str]:
    """The same, through vLLM (GPU). Fails clearly when vLLM is not installed."""
    try:
        from vllm import LLM, SamplingParams
    except ImportError:
        raise RuntimeError(
            "evaluation backend 'vllm' needs the vllm package (GPU machines: "
            "pip install vllm); use backend 'transformers' otherwise"
        ) from None
    llm = LLM(model=model_path, trust_remote_code=False)
    outputs = llm.generate(list(texts), SamplingParams(temperature=0.0, max_tokens=max_new_tokens))
    return [o.outputs[0].text.strip() for o in outputs]
