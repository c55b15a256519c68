"""Load a causal LM and its tokenizer for evaluation (local folder or hub id; no remote code)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from luth_train.evaluation.hub import hub_offline_mode, hub_unreachable_reason


class ModelLoadError(RuntimeError):
    """The model or tokenizer cannot be loaded; the message says which and why."""


@dataclass
class LoadedModel:
    name_or_path: str
    model: Any
    tokenizer: Any
    device: str
    max_length: int


def pick_device(device: str | None = None) -> str:
    import torch

    if device and device != "auto":
        return device
    return "cuda" if torch.cuda.is_available() else "cpu"


def load_model(
    name_or_path: str,
    *,
    device: str | None = None,
    dtype: str = "auto",
    max_length: int | None = None,
    trust_remote_code: bool = False,
) -> LoadedModel:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # one bar per shard per cell floods the Dagster logs

    dev = pick_device(device)
    local = Path(name_or_path).exists()
    torch_dtype: Any
    if dtype == "auto":
        torch_dtype = torch.bfloat16 if dev.startswith("cuda") else torch.float32
    else:
        torch_dtype = getattr(torch, dtype)
    if not local and not hub_offline_mode():
        reason = hub_unreachable_reason()
        if reason:
            raise ModelLoadError(
                f"cannot load model {name_or_path!r}: no such local folder, and {reason} "
                "(set HF_HUB_OFFLINE=1 to use a cached copy)"
            )
    try:
        tokenizer = AutoTokenizer.from_pretrained(name_or_path, trust_remote_code=trust_remote_code)
        model = AutoModelForCausalLM.from_pretrained(
            name_or_path, dtype=torch_dtype, trust_remote_code=trust_remote_code
        )
    except Exception as err:
        where = "local folder" if local else "hub id (needs the network or a filled HF cache)"
        raise ModelLoadError(
            f"cannot load model {name_or_path!r} ({where}): {type(err).__name__}: {str(err)[:300]}"
        ) from None
    model.to(dev).eval()
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    limit = max_length or getattr(model.config, "max_position_embeddings", None) or 2048
    return LoadedModel(name_or_path, model, tokenizer, dev, int(limit))
