"""Merge a fine-tuned model back with its base (Luth §3.3), with mergekit as the engine.

We never re-implement merge maths: a recipe becomes mergekit YAML and mergekit runs it (in a child
process, so its peak memory is measurable and a crash cannot take the caller down). Around it we
own what mergekit does not:

* our recipe shorthand (`MergeRecipe`): method ``linear`` (LERP) or ``slerp``, coefficient alpha
  (weight of the fine-tuned model; 0 = base, 1 = fine-tuned), SLERP per-filter t gradients
  (the authors': ``self_attn [0, 0.5, 0.3, 0.7, 1]``, ``mlp [1, 0.5, 0.7, 0.3, 0]``), dtype.
  A mergekit YAML file (e.g. the authors' ``merge_linear.yaml`` / ``merge_slerp.yaml``) is
  accepted unchanged;
* tokenizer and chat template copied from the fine-tuned model;
* post-merge validation (mergekit has shipped silent architecture bugs, e.g. Qwen3 ``v_proj``
  left out): same tensor names and shapes as the base, no tensor that looks like a fresh
  initialisation, tokenizer/chat template from the fine-tuned model, loads with transformers and
  generates. Any failure raises `MergeValidationError` naming the reason;
* a record of the run: mergekit YAML, output hash, size, wall time, peak RSS.

No Dagster import here: this is usable from a notebook or the ``luth merge`` CLI.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from luth_train.digest import files_sha256

# The authors' SLERP gradients (t per layer block, interpolated across depth by mergekit).
AUTHORS_SLERP_SELF_ATTN: tuple[float, ...] = (0.0, 0.5, 0.3, 0.7, 1.0)
AUTHORS_SLERP_MLP: tuple[float, ...] = (1.0, 0.5, 0.7, 0.3, 0.0)

# Files that make up a tokenizer + chat template in a Hugging Face model folder.
TOKENIZER_FILES: tuple[str, ...] = (
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "added_tokens.json",
    "tokenizer.model",
    "vocab.json",
    "merges.txt",
    "chat_template.jinja",
    "chat_template.json",
)
WEIGHT_SUFFIXES = (".safetensors", ".bin")


class MergeError(RuntimeError):
    """The merge itself (mergekit) failed, or the recipe is unusable."""


class MergeValidationError(MergeError):
    """The merged model failed post-merge validation; ``reasons`` lists every problem found."""

    def __init__(self, out_dir: str | Path, reasons: Sequence[str]):
        self.out_dir = str(out_dir)
        self.reasons = list(reasons)
        shown = "\n  - ".join(self.reasons[:20])
        more = f"\n  ... and {len(self.reasons) - 20} more" if len(self.reasons) > 20 else ""
        super().__init__(f"merged model {self.out_dir} failed validation:\n  - {shown}{more}")


# --------------------------------------------------------------------------------------------
# Recipes
# --------------------------------------------------------------------------------------------


class MergeRecipe(BaseModel):
    """Our shorthand for a base/fine-tuned merge; expands to mergekit YAML."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    method: Literal["linear", "slerp"] = "linear"
    base_model: str
    finetuned_model: str
    alpha: float = Field(0.5, ge=0.0, le=1.0, description="weight of the fine-tuned model")
    self_attn_t: list[float] | None = Field(None, description="SLERP t gradient for self_attn")
    mlp_t: list[float] | None = Field(None, description="SLERP t gradient for mlp")
    dtype: str = "bfloat16"
    out_dtype: str | None = None

    @model_validator(mode="after")
    def _check(self) -> MergeRecipe:
        grads = {"self_attn_t": self.self_attn_t, "mlp_t": self.mlp_t}
        for key, grad in grads.items():
            if grad is None:
                continue
            if self.method != "slerp":
                raise ValueError(f"{key} is a SLERP gradient; method is {self.method!r}")
            if not grad:
                raise ValueError(f"{key} must not be empty")
            if any(not 0.0 <= v <= 1.0 for v in grad):
                raise ValueError(f"{key} values must lie in [0, 1], got {grad}")
        return self

    @classmethod
    def authors_slerp(
        cls, base_model: str, finetuned_model: str, alpha: float = 0.5, **kw: Any
    ) -> MergeRecipe:
        return cls(
            method="slerp",
            base_model=base_model,
            finetuned_model=finetuned_model,
            alpha=alpha,
            self_attn_t=list(AUTHORS_SLERP_SELF_ATTN),
            mlp_t=list(AUTHORS_SLERP_MLP),
            **kw,
        )

    @property
    def slug(self) -> str:
        if self.name:
            return self.name
        tag = f"{self.method}_a{self.alpha:g}"
        if self.self_attn_t or self.mlp_t:
            tag += "_grad"
        return tag

    def to_mergekit(self) -> dict[str, Any]:
        a = round(float(self.alpha), 10)
        cfg: dict[str, Any]
        if self.method == "linear":
            cfg = {
                "merge_method": "linear",
                "models": [
                    {"model": self.base_model, "parameters": {"weight": round(1.0 - a, 10)}},
                    {"model": self.finetuned_model, "parameters": {"weight": a}},
                ],
            }
        else:
            t: list[dict[str, Any]] = []
            if self.self_attn_t:
                t.append({"filter": "self_attn", "value": [float(v) for v in self.self_attn_t]})
            if self.mlp_t:
                t.append({"filter": "mlp", "value": [float(v) for v in self.mlp_t]})
            t.append({"value": a})
            cfg = {
                "merge_method": "slerp",
                "base_model": self.base_model,
                "models": [{"model": self.base_model}, {"model": self.finetuned_model}],
                "parameters": {"t": t},
            }
        cfg["dtype"] = self.dtype
        if self.out_dtype:
            cfg["out_dtype"] = self.out_dtype
        return cfg

    def to_mergekit_yaml(self) -> str:
        return yaml.safe_dump(self.to_mergekit(), sort_keys=False, default_flow_style=None)


def sweep_recipes(
    base_model: str,
    finetuned_model: str,
    alphas: Sequence[float] = (0.1, 0.3, 0.5, 0.7, 0.9),
    *,
    authors_slerp: bool = True,
    dtype: str = "bfloat16",
) -> list[MergeRecipe]:
    """The demo sweep: linear at each alpha, plus the authors' SLERP gradients."""
    out = [
        MergeRecipe(
            name=f"linear_a{a:g}",
            method="linear",
            base_model=base_model,
            finetuned_model=finetuned_model,
            alpha=a,
            dtype=dtype,
        )
        for a in alphas
    ]
    if authors_slerp:
        out.append(MergeRecipe.authors_slerp(base_model, finetuned_model, name="slerp_authors", dtype=dtype))
    return out


@dataclass
class ResolvedRecipe:
    """A recipe ready to run: mergekit YAML text plus which model is base and which fine-tuned."""

    mergekit_yaml: str
    method: str
    base_model: str
    finetuned_model: str
    recipe: MergeRecipe | None = None  # None when a mergekit YAML was given unchanged
    source: str | None = None


def _listed_models(cfg: dict[str, Any]) -> list[str]:
    """Models named in a mergekit config, in the order they appear (base first if given)."""

    def name(ref: Any) -> str:
        return ref if isinstance(ref, str) else str(ref.get("model", ref))

    out: list[str] = []
    if cfg.get("base_model"):
        out.append(name(cfg["base_model"]))
    for m in cfg.get("models") or []:
        out.append(name(m["model"]))
    for s in cfg.get("slices") or []:
        for src in s.get("sources") or []:
            out.append(name(src["model"]))
    for mod in (cfg.get("modules") or {}).values():
        for m in mod.get("models") or []:
            out.append(name(m["model"]))
        for s in mod.get("slices") or []:
            for src in s.get("sources") or []:
                out.append(name(src["model"]))
    return list(dict.fromkeys(out))


def resolve_recipe(
    source: MergeRecipe | dict[str, Any] | str | Path,
    *,
    base_model: str | None = None,
    finetuned_model: str | None = None,
) -> ResolvedRecipe:
    """Turn a recipe (ours or mergekit's, object / dict / YAML path) into mergekit YAML.

    A mergekit YAML file is passed through byte for byte. Its base model is ``base_model`` when
    set, else the first model listed; the fine-tuned model is the other one (override either with
    the keyword arguments when a recipe names more than two models).
    """
    from mergekit.config import MergeConfiguration

    src_name: str | None = None
    text: str | None = None
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise MergeError(f"recipe file {path} does not exist")
        text = path.read_text(encoding="utf-8")
        src_name = str(path)
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as e:
            raise MergeError(f"recipe file {path} is not valid YAML: {e}") from e
        if not isinstance(data, dict):
            raise MergeError(f"recipe file {path}: expected a mapping at top level")
    elif isinstance(source, MergeRecipe):
        data = None
    else:
        data = dict(source)

    recipe: MergeRecipe | None = None
    if isinstance(source, MergeRecipe):
        recipe = source
    elif data is not None and "merge_method" not in data:
        try:
            recipe = MergeRecipe.model_validate(data)
        except Exception as e:
            raise MergeError(f"recipe {src_name or '<dict>'} is not a valid merge recipe: {e}") from e

    if recipe is not None:
        text = recipe.to_mergekit_yaml()
        mk = recipe.to_mergekit()
    else:
        assert data is not None
        mk = data
        if text is None:
            text = yaml.safe_dump(mk, sort_keys=False, default_flow_style=None)
    try:
        MergeConfiguration.model_validate(mk)
    except Exception as e:
        raise MergeError(f"recipe {src_name or '<recipe>'} is not a valid mergekit config: {e}") from e

    models = _listed_models(mk)
    base = base_model or (recipe.base_model if recipe else models[0] if models else None)
    if not base:
        raise MergeError(f"recipe {src_name or '<recipe>'} names no model")
    if finetuned_model:
        ft = finetuned_model
    elif recipe:
        ft = recipe.finetuned_model
    else:
        others = [m for m in models if m != base]
        if len(others) != 1:
            raise MergeError(
                f"recipe {src_name or '<recipe>'} names models {models}; cannot tell which is the "
                "fine-tuned one - pass finetuned_model"
            )
        ft = others[0]
    return ResolvedRecipe(
        mergekit_yaml=text,
        method=str(mk["merge_method"]),
        base_model=base,
        finetuned_model=ft,
        recipe=recipe,
        source=src_name,
    )


# --------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------


class MergeRunOptions(BaseModel):
    """The mergekit options we set; defaults keep CPU memory low (lazy load, small shards)."""

    model_config = ConfigDict(extra="forbid")

    lazy_unpickle: bool = True
    low_cpu_memory: bool = True
    out_shard_size: int = 200_000_000  # bytes per output shard held in memory before writing
    device: str = "cpu"
    num_threads: int | None = None
    random_seed: int | None = 0
    trust_remote_code: bool = False
    # Run mergekit in this process instead of a child: faster to start, but peak RSS is then this
    # process's lifetime high-water mark, not the merge's own.
    in_process: bool = False
    # Read input safetensors with plain reads instead of mmap (see merge_worker): RSS then holds
    # only the tensors in flight, not every input page touched. Child-process runs only.
    no_mmap: bool = True
    # Row-separable methods (linear) merge tensors of at least this many bytes block by block
    # (see merge_rows): only the output and one block of each input are in memory. None: never.
    # Child-process runs with no_mmap only.
    stream_rows_min_bytes: int | None = Field(default=64 << 20, ge=1)
    stream_block_bytes: int = Field(default=32 << 20, ge=1)

    def to_mergekit_options(self) -> dict[str, Any]:
        return {
            "no_mmap": self.no_mmap and not self.in_process,
            "stream_rows_min_bytes": self.stream_rows_min_bytes,
            "stream_block_bytes": self.stream_block_bytes,
            "lazy_unpickle": self.lazy_unpickle,
            "low_cpu_memory": self.low_cpu_memory,
            "out_shard_size": self.out_shard_size,
            "device": self.device,
            "num_threads": self.num_threads,
            "random_seed": self.random_seed,
            "trust_remote_code": self.trust_remote_code,
            "copy_tokenizer": True,
            "quiet": True,
            "write_model_card": True,
            "safe_serialization": True,
        }


@dataclass
class ValidationReport:
    n_tensors: int = 0
    checked_fresh_init: bool = False
    generated_text: str = ""
    generated_tokens: int = 0
    tokenizer_from: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass
class MergeResult:
    out_dir: str
    method: str
    base_model: str
    finetuned_model: str
    mergekit_yaml: str
    output_sha256: str
    size_bytes: int
    wall_time_s: float
    merge_time_s: float
    peak_rss_bytes: int
    validation: ValidationReport | None = None
    import_rss_bytes: int = 0  # RSS of the mergekit process once its libraries were imported
    streamed_tensors: list[str] = field(default_factory=list)  # merged in row blocks (merge_rows)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_mergekit(
    mergekit_yaml: str,
    out_dir: str | Path,
    options: MergeRunOptions | None = None,
    *,
    timeout_s: float | None = None,
) -> dict[str, Any]:
    """Run mergekit on YAML text (in a child process unless ``options.in_process``); return its
    wall time and peak RSS."""
    options = options or MergeRunOptions()
    out_dir = Path(out_dir)
    if options.in_process:
        from luth_train.merge_worker import run_here

        try:
            return run_here(mergekit_yaml, str(out_dir), options.to_mergekit_options())
        except Exception as e:
            raise MergeError(f"mergekit failed writing {out_dir}: {type(e).__name__}: {e}") from e
    with tempfile.TemporaryDirectory(prefix="luth_merge_") as tmp:
        cfg_path = Path(tmp) / "mergekit.yaml"
        cfg_path.write_text(mergekit_yaml, encoding="utf-8")
        opt_path = Path(tmp) / "options.json"
        opt_path.write_text(json.dumps(options.to_mergekit_options()), encoding="utf-8")
        res_path = Path(tmp) / "result.json"
        env = dict(os.environ)
        # glibc raises its mmap threshold after large frees, so later tensor-sized buffers come
        # from the heap and freed memory stays in RSS; a fixed threshold returns it at once.
        env.setdefault("MALLOC_MMAP_THRESHOLD_", str(1 << 20))
        env.setdefault("MALLOC_TRIM_THRESHOLD_", str(1 << 20))
        repo_root = str(Path(__file__).resolve().parents[1])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (repo_root, env.get("PYTHONPATH")) if p)
        if options.num_threads:
            env.setdefault("OMP_NUM_THREADS", str(options.num_threads))
        cmd = [
            sys.executable,
            "-m",
            "luth_train.merge_worker",
            str(cfg_path),
            str(out_dir),
            str(opt_path),
            str(res_path),
        ]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout_s)
        if proc.returncode != 0 or not res_path.is_file():
            tail = (proc.stderr or proc.stdout or "").strip().splitlines()[-25:]
            raise MergeError(
                f"mergekit failed (exit {proc.returncode}) writing {out_dir}:\n" + "\n".join(tail)
            )
        return json.loads(res_path.read_text(encoding="utf-8"))


def copy_tokenizer(src_model: str | Path, out_dir: str | Path) -> list[str]:
    """Copy tokenizer files and chat template from ``src_model`` (replacing any in ``out_dir``)."""
    src, out = Path(src_model), Path(out_dir)
    if not src.is_dir():
        raise MergeError(f"fine-tuned model {src} is not a local folder; cannot copy its tokenizer")
    copied = []
    for name in TOKENIZER_FILES:
        target = out / name
        if target.exists():
            target.unlink()
        if (src / name).is_file():
            shutil.copy2(src / name, target)
            copied.append(name)
    if "tokenizer.json" not in copied and "tokenizer.model" not in copied and "vocab.json" not in copied:
        raise MergeError(f"fine-tuned model {src} has no tokenizer files ({', '.join(TOKENIZER_FILES[:3])})")
    return copied


def weight_files(model_dir: str | Path) -> list[Path]:
    return sorted(p for p in Path(model_dir).iterdir() if p.suffix in WEIGHT_SUFFIXES)


def output_digest(model_dir: str | Path) -> tuple[str, int]:
    """sha256 over config.json and the weight files (in name order), and total folder size."""
    d = Path(model_dir)
    size = sum(p.stat().st_size for p in d.rglob("*") if p.is_file())
    return files_sha256([d / "config.json", *weight_files(d)]), size


def merge(
    recipe: MergeRecipe | dict[str, Any] | str | Path,
    out_dir: str | Path,
    *,
    options: MergeRunOptions | None = None,
    base_model: str | None = None,
    finetuned_model: str | None = None,
    validate: bool = True,
    overwrite: bool = False,
    seed: int = 0,
    generate_tokens: int = 4,
    fresh_init_max_params: int = 2_000_000_000,
) -> MergeResult:
    """Run a merge recipe into ``out_dir``, copy the fine-tuned tokenizer, validate, record.

    The merge is written to a sibling temporary folder and renamed into place only when it
    passed validation, so ``out_dir`` never holds a half-written or invalid model.
    """
    t0 = time.perf_counter()
    resolved = resolve_recipe(recipe, base_model=base_model, finetuned_model=finetuned_model)
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise MergeError(f"output folder {out} exists and is not empty (pass overwrite=True)")
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        run = run_mergekit(resolved.mergekit_yaml, work, options)
        copy_tokenizer(resolved.finetuned_model, work)
        report = None
        if validate:
            report = validate_merged(
                work,
                resolved.base_model,
                resolved.finetuned_model,
                seed=seed,
                generate_tokens=generate_tokens,
                fresh_init_max_params=fresh_init_max_params,
            )
        digest, size = output_digest(work)
        if out.exists():
            shutil.rmtree(out)
        os.replace(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    result = MergeResult(
        out_dir=str(out),
        method=resolved.method,
        base_model=resolved.base_model,
        finetuned_model=resolved.finetuned_model,
        mergekit_yaml=resolved.mergekit_yaml,
        output_sha256=digest,
        size_bytes=size,
        wall_time_s=time.perf_counter() - t0,
        merge_time_s=float(run["wall_time_s"]),
        peak_rss_bytes=int(run["peak_rss_bytes"]),
        import_rss_bytes=int(run.get("import_rss_bytes", 0)),
        streamed_tensors=list(run.get("streamed_tensors", [])),
        validation=report,
    )
    (out / "luth_merge.json").write_text(json.dumps(result.to_dict(), indent=2), encoding="utf-8")
    return result


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# CLI: luth merge RECIPE.yaml OUT_DIR
# --------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="luth merge",
        description="Merge a fine-tuned model with its base using mergekit, then validate it.",
    )
    parser.add_argument("recipe", help="our recipe YAML (method/alpha/...) or a mergekit YAML")
    parser.add_argument("out_dir", help="output folder for the merged model")
    parser.add_argument("--base-model", help="override: which model is the base")
    parser.add_argument("--finetuned-model", help="override: which model is the fine-tuned one")
    parser.add_argument("--overwrite", action="store_true", help="replace a non-empty out_dir")
    parser.add_argument("--no-validate", action="store_true", help="skip post-merge validation")
    parser.add_argument("--print-yaml", action="store_true", help="print the mergekit YAML and exit")
    parser.add_argument("--out-shard-size", type=int, default=MergeRunOptions().out_shard_size)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--in-process", action="store_true", help="run mergekit here, not in a child process")
    parser.add_argument(
        "--stream-rows-min-bytes", type=int, default=MergeRunOptions().stream_rows_min_bytes,
        help="linear merges of tensors this large run in row blocks (0: never)",
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        if args.print_yaml:
            print(resolve_recipe(args.recipe).mergekit_yaml)
            return 0
        result = merge(
            args.recipe,
            args.out_dir,
            options=MergeRunOptions(
                out_shard_size=args.out_shard_size,
                num_threads=args.threads,
                in_process=args.in_process,
                stream_rows_min_bytes=args.stream_rows_min_bytes or None,
            ),
            base_model=args.base_model,
            finetuned_model=args.finetuned_model,
            validate=not args.no_validate,
            overwrite=args.overwrite,
        )
    except MergeError as e:
        print(f"luth merge: {e}", file=sys.stderr)
        return 1
    summary = {k: v for k, v in result.to_dict().items() if k not in ("mergekit_yaml", "validation")}
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
