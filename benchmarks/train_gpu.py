"""GPU training throughput: a Qwen3-0.6B-shaped model (random weights), bf16, FlashAttention-2
varlen packing, a few AdamW steps; prints tokens/s and MFU.

    .venv/bin/python benchmarks/train_gpu.py [--steps 12] [--warmup 3] [--sequence-len 4096]
        [--micro-batch 4] [--attn flash_attention_2|sdpa] [--peak-tflops 989] [--grad-ckpt]

Needs CUDA (and `flash-attn`, the `gpu` extra, for the FA2 path). Without CUDA it exits at once
with status 2 and says so. Rows of random token ids with lengths drawn from a long-tailed
distribution (like SFT data) are packed with `luth_train.packing` (first-fit-decreasing, position
ids restarting per row, so FA2 runs its varlen kernel); the loss is the project's own
`causal_lm_loss_sum`. The model is built from Qwen3-0.6B's config (no download).

MFU = achieved model FLOPs / peak dense bf16 FLOPs of the GPU, with model FLOPs per token
= 6 * parameters + 12 * layers * (heads * head_dim) * mean attended length (causal, per row).
Peak FLOPs come from the GPU's name (H100/H200 989, A100 312, L40S 362, L4 121 TFLOP/s) or
`--peak-tflops`. The last line is one JSON object; exit status 1 when a target is missed
(wall time <= 300 s; MFU >= --target-mfu).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

QWEN3_0_6B = dict(
    vocab_size=151936, hidden_size=1024, intermediate_size=3072, num_hidden_layers=28,
    num_attention_heads=16, num_key_value_heads=8, head_dim=128, max_position_embeddings=40960,
    rms_norm_eps=1e-6, rope_theta=1000000.0, tie_word_embeddings=True,
)
PEAK_BF16_TFLOPS = {"H200": 989.0, "H100": 989.0, "H800": 989.0, "A100": 312.0, "A800": 312.0,
                    "L40S": 362.0, "L40": 181.0, "L4": 121.0, "A10": 125.0, "4090": 165.0, "B200": 2250.0}


def peak_tflops(name: str) -> float | None:
    for key in sorted(PEAK_BF16_TFLOPS, key=len, reverse=True):
        if key in name:
            return PEAK_BF16_TFLOPS[key]
    return None


def row_lengths(n: int, max_len: int, seed: int) -> list[int]:
    """Long-tailed lengths (log-normal, median ~400 tokens), clipped to [16, max_len]."""
    rng = random.Random(seed)
    return [max(16, min(max_len, int(rng.lognormvariate(math.log(400), 0.9)))) for _ in range(n)]


def no_cuda_message() -> str:
    return ("benchmarks/train_gpu.py needs a CUDA GPU: torch.cuda.is_available() is False on this "
            "machine. Run it on a GPU host (pip install -e '.[gpu]' for flash-attn); "
            "CPU throughput is measured by benchmarks/packing.py.")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=12, help="measured optimizer steps")
    ap.add_argument("--warmup", type=int, default=3, help="unmeasured steps first (kernels, allocator)")
    ap.add_argument("--sequence-len", type=int, default=4096)
    ap.add_argument("--micro-batch", type=int, default=4, help="packed sequences per step")
    ap.add_argument("--attn", default="flash_attention_2", choices=["flash_attention_2", "sdpa"])
    ap.add_argument("--peak-tflops", type=float, default=None, help="GPU peak dense bf16 TFLOP/s")
    ap.add_argument("--grad-ckpt", action="store_true", help="gradient checkpointing")
    ap.add_argument("--target-mfu", type=float, default=0.25)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cpu-smoke", action="store_true",
                    help="exercise this script's code path on CPU with a tiny model (no figures)")
    args = ap.parse_args(argv)
    t_start = time.perf_counter()

    import torch

    smoke = args.cpu_smoke
    if smoke:
        args.steps, args.warmup, args.sequence_len, args.micro_batch, args.attn = 2, 1, 256, 2, "sdpa"
    elif not torch.cuda.is_available():
        print(no_cuda_message(), file=sys.stderr)
        print(json.dumps({"benchmark": "train_gpu", "skipped": True, "reason": "no CUDA device"}))
        return 2
    import importlib.util

    if not smoke and args.attn == "flash_attention_2" and importlib.util.find_spec("flash_attn") is None:
        print("flash-attn is not installed (pip install -e '.[gpu]'); falling back to --attn sdpa, "
              "whose packed mask is far slower", file=sys.stderr)
        args.attn = "sdpa"

    from transformers import Qwen3Config, Qwen3ForCausalLM

    from luth_train.data import IGNORE_INDEX, TokenizedRow
    from luth_train.packing import causal_lm_loss_sum, collate_packed, pack_rows, packing_efficiency

    torch.manual_seed(args.seed)
    device = torch.device("cpu" if smoke else "cuda")
    gpu = "cpu (smoke test)" if smoke else torch.cuda.get_device_name(0)
    peak = args.peak_tflops or peak_tflops(gpu)
    shape = dict(QWEN3_0_6B)
    if smoke:
        shape.update(vocab_size=512, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                     num_attention_heads=4, num_key_value_heads=2, head_dim=16)
    config = Qwen3Config(**shape)
    config.use_cache = False
    with device:
        model = Qwen3ForCausalLM._from_config(config, attn_implementation=args.attn,
                                              dtype=torch.float32 if smoke else torch.bfloat16)
    model.train()
    if args.grad_ckpt:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    n_params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(model.parameters(), lr=5e-5, fused=not smoke)

    # data: enough packed sequences for every step
    n_steps = args.warmup + args.steps
    rng = random.Random(args.seed)
    lengths = row_lengths(int(n_steps * args.micro_batch * args.sequence_len / 450) + 64,
                          args.sequence_len, args.seed)
    rows = []
    for n in lengths:
        ids = [rng.randrange(config.vocab_size) for _ in range(n)]
        rows.append(TokenizedRow(input_ids=ids, labels=[IGNORE_INDEX] + ids[1:]))
    bins = pack_rows(rows, args.sequence_len)
    efficiency = packing_efficiency(bins, args.sequence_len)
    while len(bins) < n_steps * args.micro_batch:
        bins = bins + bins
    mb = args.micro_batch
    batch_tokens = [sum(b.num_tokens for b in bins[i * mb:(i + 1) * mb]) for i in range(n_steps)]
    batches = [collate_packed(bins[i * args.micro_batch:(i + 1) * args.micro_batch], 0,
                              pad_to=args.sequence_len) for i in range(n_steps)]
    print(f"{gpu}: Qwen3-0.6B shape, {n_params / 1e6:.0f}M params, bf16, attn={args.attn}, "
          f"{args.micro_batch}x{args.sequence_len} packed tokens/step, packing efficiency "
          f"{efficiency:.4f}", flush=True)

    def step(batch) -> tuple[float, int]:
        batch = {k: v.to(device, non_blocking=True) for k, v in batch.items()}
        s, n = causal_lm_loss_sum(model, batch)
        (s / max(1, n)).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.1)
        opt.step()
        opt.zero_grad(set_to_none=True)
        return float(s.detach()) / max(1, n), n

    for b in batches[:args.warmup]:
        step(b)
    sync = (lambda: None) if smoke else torch.cuda.synchronize
    sync()
    if not smoke:
        torch.cuda.reset_peak_memory_stats()
    t0 = time.perf_counter()
    loss = float("nan")
    for b in batches[args.warmup:]:
        loss, _ = step(b)
    sync()
    dt = time.perf_counter() - t0
    real_tokens = sum(batch_tokens[args.warmup:])  # row tokens, padding excluded
    tokens_per_s = real_tokens / dt
    # 6 N per token for the matmuls (tied embeddings: the lm_head matmul uses them, the lookup is
    # free, so N counts them once) + causal attention: 12 * layers * (heads * head_dim) * mean
    # attended length, where a row of n tokens attends n/2 on average (token-weighted)
    attn_dim = config.num_attention_heads * config.head_dim
    attended = sum(n * n for n in lengths) / (2 * sum(lengths))
    flops_per_token = 6 * n_params + 12 * config.num_hidden_layers * attn_dim * attended
    mfu = tokens_per_s * flops_per_token / (peak * 1e12) if peak else None
    wall = time.perf_counter() - t_start
    figures = {
        "benchmark": "train_gpu", "gpu": gpu, "attn": args.attn, "dtype": "float32" if smoke else "bfloat16",
        "params": n_params, "sequence_len": args.sequence_len, "micro_batch": args.micro_batch,
        "steps": args.steps, "packing_efficiency": round(efficiency, 4),
        "tokens_per_s": round(tokens_per_s, 1), "step_time_s": round(dt / args.steps, 4),
        "mfu": round(mfu, 4) if mfu is not None else None, "peak_tflops": peak,
        "peak_memory_gib": None if smoke else round(torch.cuda.max_memory_allocated() / 2**30, 2),
        "smoke": smoke, "final_loss": round(loss, 4),
        "wall_time_s": round(wall, 1), "target_wall_time_s": 300, "target_mfu": args.target_mfu,
    }
    print(f"tokens/s {tokens_per_s:,.0f} (real tokens), MFU "
          f"{'n/a (unknown GPU peak; pass --peak-tflops)' if mfu is None else f'{mfu:.1%}'}, "
          f"step {dt / args.steps:.3f}s, wall {wall:.0f}s", flush=True)
    met = wall <= 300 and (smoke or mfu is None or mfu >= args.target_mfu)
    figures["met"] = met
    print(json.dumps(figures))
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
