"""Post-merge validation: a merged model folder checked against its base and fine-tuned inputs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from luth_train.merge.errors import MergeError, MergeValidationError
from luth_train.merge.model_files import TOKENIZER_FILES, weight_files


@dataclass
class ValidationReport:
    n_tensors: int = 0
    checked_fresh_init: bool = False
    generated_text: str = ""
    generated_tokens: int = 0
    tokenizer_from: str = ""
    warnings: list[str] = field(default_factory=list)


def _tensor_index(model_dir: Path) -> dict[str, tuple[Path, tuple[int, ...], str]]:
    """name -> (file, shape, dtype) from safetensors headers, without loading any tensor."""
    from safetensors import safe_open

    files = [p for p in weight_files(model_dir) if p.suffix == ".safetensors"]
    if not files:
        raise MergeError(f"{model_dir} holds no .safetensors weight files")
    index: dict[str, tuple[Path, tuple[int, ...], str]] = {}
    for p in files:
        with safe_open(str(p), framework="pt") as f:
            for k in f.keys():
                sl = f.get_slice(k)
                index[k] = (p, tuple(sl.get_shape()), str(sl.get_dtype()))
    return index


class _Reader:
    """Reads one tensor at a time from a safetensors folder, keeping files open."""

    def __init__(self, index: dict[str, tuple[Path, tuple[int, ...], str]]):
        from safetensors import safe_open

        self.index = index
        self._open = {p: safe_open(str(p), framework="pt") for p in {v[0] for v in index.values()}}

    def get(self, name: str):
        return self._open[self.index[name][0]].get_tensor(name)


def _is_constant(t) -> bool:
    flat = t.reshape(-1)
    return flat.numel() > 1 and bool((flat == flat[0]).all())


def validate_merged(
    out_dir: str | Path,
    base_model: str | Path,
    finetuned_model: str | Path,
    *,
    seed: int = 0,
    generate_tokens: int = 4,
    fresh_init_max_params: int = 2_000_000_000,
    prompt: str = "Quelle est la capitale de la France ?",
) -> ValidationReport:
    """Check a merged model folder; raise `MergeValidationError` listing every problem found.

    * config: same architecture and layer count as the base;
    * tensors: exactly the base's names, with the base's shapes (a dropped tensor, e.g. Qwen3
      ``v_proj``, would otherwise be silently re-initialised by transformers at load time);
    * values: finite; not constant where the inputs are not (a zeroed / filled tensor); not equal
      to a fresh initialisation of the same config with the same seed, unless the inputs hold
      that very value (e.g. RMSNorm weights still at 1);
    * tokenizer and chat template byte-identical to the fine-tuned model's;
    * loads with transformers without missing/unexpected keys and generates ``generate_tokens``.
    """
    import torch
    import transformers

    out, base, ft = Path(out_dir), Path(base_model), Path(finetuned_model)
    for label, p in (("merged", out), ("base", base), ("fine-tuned", ft)):
        if not p.is_dir():
            raise MergeError(f"{label} model {p} is not a local folder; validation needs local files")
    report = ValidationReport(tokenizer_from=str(ft))
    reasons: list[str] = []

    # --- config
    cfg_out_path, cfg_base_path = out / "config.json", base / "config.json"
    if not cfg_out_path.is_file():
        raise MergeValidationError(out, ["config.json is missing"])
    cfg_out = json.loads(cfg_out_path.read_text())
    cfg_base = json.loads(cfg_base_path.read_text())
    for key in ("architectures", "model_type", "num_hidden_layers", "hidden_size", "vocab_size"):
        if cfg_out.get(key) != cfg_base.get(key):
            reasons.append(f"config {key} is {cfg_out.get(key)!r}, base has {cfg_base.get(key)!r}")

    # --- tensor names and shapes
    idx_out, idx_base, idx_ft = _tensor_index(out), _tensor_index(base), _tensor_index(ft)
    report.n_tensors = len(idx_out)
    for name in sorted(set(idx_base) - set(idx_out)):
        reasons.append(f"tensor {name} {list(idx_base[name][1])} is missing from the merged model")
    for name in sorted(set(idx_out) - set(idx_base)):
        reasons.append(f"tensor {name} is in the merged model but not in the base")
    for name in sorted(set(idx_out) & set(idx_base)):
        if idx_out[name][1] != idx_base[name][1]:
            reasons.append(
                f"tensor {name} has shape {list(idx_out[name][1])}, base has {list(idx_base[name][1])}"
            )

    # --- values: finite, not degenerate, not a fresh initialisation
    fresh_sd: dict[str, Any] | None = None
    n_params = sum(_numel(v[1]) for v in idx_base.values())
    if n_params <= fresh_init_max_params:
        fresh_sd = _fresh_init_state_dict(base, seed)
        report.checked_fresh_init = True
    else:
        report.warnings.append(
            f"fresh-initialisation comparison skipped ({n_params} params > {fresh_init_max_params})"
        )
    r_out, r_base = _Reader(idx_out), _Reader(idx_base)
    r_ft = _Reader(idx_ft)
    for name in sorted(set(idx_out) & set(idx_base)):
        if idx_out[name][1] != idx_base[name][1]:
            continue
        m = r_out.get(name).float()
        if not bool(torch.isfinite(m).all()):
            reasons.append(f"tensor {name} holds NaN or Inf")
            continue
        b = r_base.get(name).float()
        f = r_ft.get(name).float() if name in idx_ft and idx_ft[name][1] == idx_base[name][1] else None
        if _is_constant(m) and not (_is_constant(b) and (f is None or _is_constant(f))):
            reasons.append(
                f"tensor {name} is constant ({float(m.reshape(-1)[0]):g} everywhere) while the inputs are not"
            )
            continue
        if fresh_sd is not None and name in fresh_sd:
            fr = fresh_sd[name].float()
            if fr.shape == m.shape and torch.equal(m, fr):
                if not (torch.equal(m, b) or (f is not None and torch.equal(m, f))):
                    reasons.append(f"tensor {name} equals a fresh initialisation (seed {seed})")
    del r_out, r_base, r_ft, fresh_sd

    # --- tokenizer and chat template from the fine-tuned model
    for fname in TOKENIZER_FILES:
        src, dst = ft / fname, out / fname
        if src.is_file() and (not dst.is_file() or src.read_bytes() != dst.read_bytes()):
            reasons.append(f"tokenizer file {fname} differs from the fine-tuned model's")
        elif not src.is_file() and dst.is_file():
            reasons.append(f"tokenizer file {fname} is not in the fine-tuned model")

    if reasons:
        raise MergeValidationError(out, reasons)

    # --- loads with transformers and generates
    try:
        tok = transformers.AutoTokenizer.from_pretrained(str(out))
        tok_ft = transformers.AutoTokenizer.from_pretrained(str(ft))
    except Exception as e:
        raise MergeValidationError(out, [f"tokenizer does not load: {type(e).__name__}: {e}"]) from e
    if tok.chat_template != tok_ft.chat_template:
        reasons.append("chat template differs from the fine-tuned model's")
    try:
        model, info = transformers.AutoModelForCausalLM.from_pretrained(
            str(out), dtype="auto", output_loading_info=True, trust_remote_code=False
        )
    except Exception as e:
        raise MergeValidationError(out, [f"model does not load: {type(e).__name__}: {e}"]) from e
    for key in ("missing_keys", "unexpected_keys", "mismatched_keys"):
        vals = list(info.get(key) or [])
        if vals:
            reasons.append(f"transformers reports {key.replace('_', ' ')} at load: {vals[:5]}")
    if reasons:
        raise MergeValidationError(out, reasons)
    try:
        if tok.chat_template:
            enc = tok.apply_chat_template(
                [{"role": "user", "content": prompt}],
                add_generation_prompt=True,
                return_tensors="pt",
                return_dict=True,
            )
            ids = enc["input_ids"]
        else:
            ids = tok(prompt, return_tensors="pt")["input_ids"]
        model.eval()
        with torch.no_grad():
            logits = model(input_ids=ids).logits
            if not bool(torch.isfinite(logits).all()):
                raise MergeValidationError(out, ["forward pass produced NaN/Inf logits"])
            gen = model.generate(
                input_ids=ids,
                attention_mask=torch.ones_like(ids),
                max_new_tokens=generate_tokens,
                min_new_tokens=generate_tokens,
                do_sample=False,
                pad_token_id=tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id,
            )
    except MergeValidationError:
        raise
    except Exception as e:
        raise MergeValidationError(out, [f"generation failed: {type(e).__name__}: {e}"]) from e
    new = gen[0, ids.shape[1] :]
    report.generated_tokens = int(new.numel())
    report.generated_text = tok.decode(new, skip_special_tokens=False)
    if report.generated_tokens < generate_tokens:
        raise MergeValidationError(
            out, [f"generated {report.generated_tokens} tokens, expected {generate_tokens}"]
        )
    return report


def _numel(shape: tuple[int, ...]) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def _fresh_init_state_dict(base: Path, seed: int) -> dict[str, Any]:
    """State dict of a model freshly initialised from the base's config with ``seed``."""
    import torch
    import transformers

    config = transformers.AutoConfig.from_pretrained(str(base), trust_remote_code=False)
    state = torch.random.get_rng_state()
    try:
        torch.manual_seed(seed)
        model = transformers.AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    finally:
        torch.random.set_rng_state(state)
    sd = {k: v.detach() for k, v in model.state_dict().items()}
    del model
    return sd
