"""Generation from the model inputs `chat.model_input` built: greedy (temperature 0, as the
paper) or sampled (`Sampling`: temperature, top_p, top_k and a seed, as the Luth-2 protocol).

`transformers` backend by default; `vllm` on a GPU when installed (`backend="vllm"`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from luth_train.evaluation.model_io import LoadedModel


@dataclass(frozen=True)
class Sampling:
    """Sampled decoding; `seed` makes a run reproducible (each run of a benchmark has its own)."""

    temperature: float
    top_p: float = 1.0
    top_k: int | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        if self.temperature <= 0:
            raise ValueError(f"sampling needs a temperature > 0 (0 is greedy); got {self.temperature}")
        if not 0 < self.top_p <= 1:
            raise ValueError(f"top_p must be in (0, 1]; got {self.top_p}")
        if self.top_k is not None and self.top_k < 1:
            raise ValueError(f"top_k must be >= 1 or null; got {self.top_k}")


def _decoding(sampling: Sampling | None) -> dict:
    if sampling is None:
        return {"do_sample": False, "temperature": None, "top_p": None, "top_k": None}
    return {"do_sample": True, "temperature": sampling.temperature, "top_p": sampling.top_p,
            "top_k": sampling.top_k or 0}


def generate_greedy(
    lm: LoadedModel,
    texts: Sequence[str],
    *,
    max_new_tokens: int = 512,
    batch_size: int = 8,
    progress: Callable[[int, int], None] | None = None,
    sampling: Sampling | None = None,
) -> list[str]:
    """Responses to each model input (already through the chat template), greedy decoding (or
    sampled with `sampling`, seeded once before the first batch), special tokens stripped."""
    import torch

    if sampling is not None:
        torch.manual_seed(sampling.seed)

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
                    max_new_tokens=max_new_tokens,
                    pad_token_id=tok.pad_token_id,
                    **_decoding(sampling),
                )
            new = gen[:, enc["input_ids"].shape[1] :]
            for row, i in enumerate(batch):
                out[i] = tok.decode(new[row], skip_special_tokens=True).strip()
            if progress:
                progress(min(start + batch_size, len(order)), len(order))
    finally:
        tok.padding_side = old_side
    return [o or "" for o in out]


def generate_vllm(
    model_path: str, texts: Sequence[str], *, max_new_tokens: int, sampling: Sampling | None = None
) -> list[str]:
    """The same, through vLLM (GPU). Fails clearly when vLLM is not installed."""
    try:
        from vllm import LLM, SamplingParams
    except ImportError:
        raise RuntimeError(
            "evaluation backend 'vllm' needs the vllm package (GPU machines: "
            "pip install vllm); use backend 'transformers' otherwise"
        ) from None
    llm = LLM(model=model_path, trust_remote_code=False)
    if sampling is None:
        params = SamplingParams(temperature=0.0, max_tokens=max_new_tokens)
    else:
        params = SamplingParams(temperature=sampling.temperature, top_p=sampling.top_p,
                                top_k=sampling.top_k or -1, seed=sampling.seed, max_tokens=max_new_tokens)
    outputs = llm.generate(list(texts), params)
    return [o.outputs[0].text.strip() for o in outputs]


def generate_texts(
    lm: LoadedModel,
    texts: Sequence[str],
    *,
    max_new_tokens: int,
    batch_size: int = 8,
    backend: str = "transformers",
    sampling: Sampling | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[str]:
    """Responses through the chosen backend (`transformers` or `vllm`), greedy or `sampling`."""
    if backend == "vllm":
        return generate_vllm(lm.name_or_path, texts, max_new_tokens=max_new_tokens, sampling=sampling)
    return generate_greedy(lm, texts, max_new_tokens=max_new_tokens, batch_size=batch_size,
                           progress=progress, sampling=sampling)
