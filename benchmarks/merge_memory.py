"""Peak memory of a merge: two Qwen3-0.6B-shaped models, random bf16 weights, ours vs mergekit's CLI.

    .venv/bin/python benchmarks/merge_memory.py [--method both|linear|slerp] [--workdir DIR] [--validate]

Builds the two models from a Qwen3-0.6B config one at a time (random weights, bf16, written to
disk as safetensors before any merging), then, for a linear (alpha 0.5) and the authors' SLERP
recipe, runs in turn
- `luth_train.merge.merge`: mergekit in a child process with lazy loading, small output shards,
  inputs read tensor by tensor and linear merges of large tensors in row blocks
  (`luth_train/merge_rows.py`), and
- `mergekit-yaml` itself on the same YAML with its low-memory options (`--lazy-unpickle
  --no-cuda`, the same output shard size), its peak RSS taken from the kernel when it exits,
and prints each one's wall time and peak RSS, ours as ratios to mergekit's. Also printed: the
whole-tensor floor (both inputs + the output of the largest tensor, on top of torch alone and on
top of the libraries mergekit imports), under which no whole-tensor merge such as SLERP can go.

Targets: peak RSS at most 1.0x mergekit's for both methods; linear at most 1.0x the bytes of one
model; SLERP at most its whole-tensor floor over the libraries plus 0.05x one model (mergekit's
SLERP needs the whole tensor). The last line printed is one JSON object with the figures and the
targets; the exit status is 1 when a target is missed.
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
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

# Qwen/Qwen3-0.6B's config.json (shape only; no download).
QWEN3_0_6B = dict(
    vocab_size=151936,
    hidden_size=1024,
    intermediate_size=3072,
    num_hidden_layers=28,
    num_attention_heads=16,
    num_key_value_heads=8,
    head_dim=128,
    max_position_embeddings=40960,
    rms_norm_eps=1e-6,
    rope_theta=1000000.0,
    tie_word_embeddings=True,
    bos_token_id=151643,
    eos_token_id=151645,
)


LARGEST_TENSOR_BYTES = 0


def build_model(out_dir: Path, seed: int, texts: list[str]) -> int:
    """Write a random bf16 Qwen3-0.6B-shaped model + a small tokenizer; return weight bytes.

    Tensor names and shapes come from a meta-device model built from the config (no memory);
    values are filled one tensor at a time.
    """
    import torch
    from safetensors.torch import save_file
    from transformers import Qwen3Config, Qwen3ForCausalLM

    from luth_train.tiny_model import train_tiny_tokenizer

    out_dir.mkdir(parents=True, exist_ok=True)
    config = Qwen3Config(**QWEN3_0_6B, dtype="bfloat16")
    config.architectures = ["Qwen3ForCausalLM"]
    with torch.device("meta"):
        meta = Qwen3ForCausalLM(config)
    gen = torch.Generator().manual_seed(seed)
    tensors: dict[str, torch.Tensor] = {}
    for name, p in meta.state_dict().items():
        if name == "lm_head.weight" and config.tie_word_embeddings:
            continue
        if p.ndim == 1:
            t = 1.0 + 0.05 * torch.randn(p.shape, generator=gen)
        else:
            t = 0.02 * torch.randn(p.shape, generator=gen)
        tensors[name] = t.to(torch.bfloat16)
    del meta
    nbytes = sum(t.numel() * t.element_size() for t in tensors.values())
    global LARGEST_TENSOR_BYTES
    LARGEST_TENSOR_BYTES = max(t.numel() * t.element_size() for t in tensors.values())
    save_file(tensors, str(out_dir / "model.safetensors"), metadata={"format": "pt"})
    del tensors
    config.save_pretrained(out_dir)
    tok = train_tiny_tokenizer(texts, vocab_size=300)
    tok.save_pretrained(out_dir)
    return nbytes


def existing_model_bytes(model_dir: Path) -> int:
    """Weight bytes of a model already on disk (from the safetensors header; nothing loaded)."""
    global LARGEST_TENSOR_BYTES
    from safetensors import safe_open

    sizes = []
    with safe_open(str(model_dir / "model.safetensors"), framework="pt") as f:
        for k in f.keys():
            sl = f.get_slice(k)
            n = 1
            for d in sl.get_shape():
                n *= d
            sizes.append(n * 2)  # bf16
    LARGEST_TENSOR_BYTES = max(sizes)
    return sum(sizes)


def torch_import_rss_bytes() -> int:
    """RSS of a fresh Python that has imported torch and nothing else: no merge with torch can
    use less."""
    # merge_worker imports only the standard library at the top, so it adds nothing to measure
    code = (
        f"import sys; sys.path.insert(0, {str(REPO)!r}); import torch;"
        "from luth_train.merge_worker import current_rss_bytes; print(current_rss_bytes())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


LAUNCHER = """
import json, os, subprocess, sys, time
t0 = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
_, status, usage = os.wait4(child.pid, 0)
err = child.stderr.read().decode(errors="replace")[-3000:]
print(json.dumps({"status": status, "seconds": time.perf_counter() - t0,
                  "peak_rss_bytes": usage.ru_maxrss * 1024, "stderr": err}))
"""


def run_mergekit_cli(method: str, work: Path, args) -> dict:
    """`mergekit-yaml` on the recipe's own YAML with its low-memory options; (seconds, peak RSS).

    A small launcher process starts it and reads its peak RSS from wait4: a child forked from this
    (large) process would inherit our high-water mark across exec."""
    exe = shutil.which("mergekit-yaml", path=str(Path(sys.executable).parent)) or shutil.which(
        "mergekit-yaml")
    if exe is None:
        raise SystemExit("mergekit-yaml not found beside this Python or on PATH")
    cfg = work / f"mergekit_{method}.yaml"
    cfg.write_text(recipe_for(method, work).to_mergekit_yaml(), encoding="utf-8")
    out = work / f"mergekit_cli_{method}"
    shutil.rmtree(out, ignore_errors=True)
    cmd = [exe, str(cfg), str(out), "--lazy-unpickle", "--no-cuda", "--quiet",
           "--random-seed", "0", "--out-shard-size", str(args.out_shard_size)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    done = subprocess.run([sys.executable, "-c", LAUNCHER, *cmd], capture_output=True, text=True,
                          env=env, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["status"] != 0:
        raise SystemExit(f"mergekit-yaml failed ({result['status']}):\n{result['stderr']}")
    shutil.rmtree(out, ignore_errors=True)
    return result


def recipe_for(method: str, work: Path):
    from luth_train.merge import MergeRecipe

    if method == "slerp":
        return MergeRecipe.authors_slerp(str(work / "base"), str(work / "ft"), dtype="bfloat16")
    return MergeRecipe(method="linear", base_model=str(work / "base"),
                       finetuned_model=str(work / "ft"), alpha=0.5, dtype="bfloat16")


def run_one(method: str, work: Path, model_bytes: int, args) -> dict:
    from luth_train.merge import MergeRunOptions, merge

    recipe = recipe_for(method, work)
    started = time.perf_counter()
    result = merge(
        recipe,
        work / f"merged_{method}",
        options=MergeRunOptions(out_shard_size=args.out_shard_size),
        validate=args.validate,
        overwrite=True,
    )
    seconds = time.perf_counter() - started
    shutil.rmtree(work / f"merged_{method}", ignore_errors=True)
    ratio = result.peak_rss_bytes / model_bytes
    figures = {
        "seconds": round(seconds, 2),
        "merge_wall_time_s": round(result.merge_time_s, 2),
        "peak_rss_bytes": result.peak_rss_bytes,
        "peak_rss_ratio": round(ratio, 3),
        "import_rss_bytes": result.import_rss_bytes,
        "merge_only_ratio": round((result.peak_rss_bytes - result.import_rss_bytes) / model_bytes, 3),
        "tensors_streamed": len(result.streamed_tensors),
        "output_sha256": result.output_sha256,
    }
    print(
        f"ours ({method}): {seconds:.1f}s (merge itself {result.merge_time_s:.1f}s), peak RSS "
        f"{result.peak_rss_bytes / 2**30:.3f} GiB = {figures['peak_rss_ratio']}x one model; libraries "
        f"{result.import_rss_bytes / 2**30:.3f} GiB, merge itself {figures['merge_only_ratio']}x, "
        f"tensors merged in row blocks: {figures['tensors_streamed']}",
        flush=True,
    )
    cli = run_mergekit_cli(method, work, args)
    figures.update(
        mergekit_seconds=round(cli["seconds"], 2),
        mergekit_peak_rss_bytes=cli["peak_rss_bytes"],
        mergekit_peak_rss_ratio=round(cli["peak_rss_bytes"] / model_bytes, 3),
        rss_vs_mergekit=round(result.peak_rss_bytes / cli["peak_rss_bytes"], 3),
        time_vs_mergekit=round(seconds / cli["seconds"], 3),
    )
    print(
        f"mergekit-yaml ({method}, --lazy-unpickle --no-cuda): {cli['seconds']:.1f}s, peak RSS "
        f"{cli['peak_rss_bytes'] / 2**30:.3f} GiB = {figures['mergekit_peak_rss_ratio']}x one model; "
        f"ours: {figures['rss_vs_mergekit']}x its peak RSS, {figures['time_vs_mergekit']}x its time",
        flush=True,
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--method", choices=["linear", "slerp", "both"], default="both")
    ap.add_argument("--workdir", type=Path, default=None, help="where to write models (temp dir)")
    ap.add_argument("--validate", action="store_true", help="also run post-merge validation")
    ap.add_argument("--out-shard-size", type=int, default=200_000_000)
    ap.add_argument("--target-ratio", type=float, default=1.0,
                    help="linear: peak RSS / one model's bytes")
    ap.add_argument("--target-vs-mergekit", type=float, default=1.0,
                    help="both methods: our peak RSS / mergekit-yaml's")
    ap.add_argument("--slerp-floor-slack", type=float, default=0.05,
                    help="SLERP: peak RSS at most the whole-tensor floor plus this x one model")
    ap.add_argument("--reuse", action="store_true", help="reuse models already in --workdir")
    args = ap.parse_args(argv)

    work = args.workdir or Path(tempfile.mkdtemp(prefix="luth_merge_bench_"))
    keep = args.workdir is not None
    texts = ["Bonjour, la capitale de la France est Paris.", "Hello world, the answer is 42."] * 8
    try:
        t0 = time.perf_counter()
        if args.reuse and all((work / m / "model.safetensors").is_file() for m in ("base", "ft")):
            model_bytes = existing_model_bytes(work / "base")
        else:
            model_bytes = build_model(work / "base", seed=1, texts=texts)
            build_model(work / "ft", seed=2, texts=texts)
        print(
            f"built two Qwen3-0.6B-shaped bf16 models ({model_bytes / 2**30:.3f} GiB each) in "
            f"{time.perf_counter() - t0:.1f}s",
            flush=True,
        )
        methods = ["linear", "slerp"] if args.method == "both" else [args.method]
        per_method = {m: run_one(m, work, model_bytes, args) for m in methods}

        # SLERP's angle is taken over the whole tensor, so mergekit holds both inputs and the
        # output of the largest tensor at once, on top of the libraries it imports (at the very
        # least torch; how much of torch is resident varies with the page cache, so it is measured)
        torch_rss = torch_import_rss_bytes()
        tensors_floor = 3 * LARGEST_TENSOR_BYTES
        libraries_rss = max(f["import_rss_bytes"] for f in per_method.values())
        print(
            f"largest tensor {LARGEST_TENSOR_BYTES / 2**30:.3f} GiB; whole-tensor floor (both inputs + "
            f"output) on top of torch alone ({torch_rss / 2**30:.3f} GiB): "
            f"{(torch_rss + tensors_floor) / model_bytes:.3f}x one model; on top of the libraries "
            f"mergekit imports ({libraries_rss / 2**30:.3f} GiB): "
            f"{(libraries_rss + tensors_floor) / model_bytes:.3f}x",
            flush=True,
        )
        floor_ratio = (libraries_rss + tensors_floor) / model_bytes
        for method, f in per_method.items():
            own = args.target_ratio if method == "linear" else round(floor_ratio + args.slerp_floor_slack, 3)
            f["peak_rss_target"] = own
            f["met"] = f["peak_rss_ratio"] <= own and f["rss_vs_mergekit"] <= args.target_vs_mergekit
            print(f"{method}: peak RSS {f['peak_rss_ratio']}x one model (target <= {own}x), "
                  f"{f['rss_vs_mergekit']}x mergekit's (target <= {args.target_vs_mergekit}x): "
                  f"{'met' if f['met'] else 'MISSED'}", flush=True)
        figures = {
            "benchmark": "merge_memory",
            "model_bytes": model_bytes,
            "target_ratio": args.target_ratio,
            "target_vs_mergekit": args.target_vs_mergekit,
            "slerp_floor_slack": args.slerp_floor_slack,
            "out_shard_size": args.out_shard_size,
            "validated": args.validate,
            "largest_tensor_bytes": LARGEST_TENSOR_BYTES,
            "torch_import_rss_bytes": torch_rss,
            "whole_tensor_floor_over_torch_ratio": round((torch_rss + tensors_floor) / model_bytes, 3),
            "whole_tensor_floor_over_libraries_ratio": round(
                (libraries_rss + tensors_floor) / model_bytes, 3
            ),
            **{f"{m}_{k}": v for m, f in per_method.items() for k, v in f.items()},
            "met": all(f["met"] for f in per_method.values()),
        }
        print(json.dumps(figures))
        return 0 if figures["met"] else 1
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
