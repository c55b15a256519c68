"""Packing efficiency and CPU training throughput, packed vs padded.

    .venv/bin/python benchmarks/packing.py [--mix PATH] [--sequence-len 2048] [--seconds 20]

1. Efficiency (non-pad tokens / all tokens, first-fit-decreasing) at `--sequence-len` on
   - the demo `sft_mix` (`--mix`, Parquet/JSONL with `messages`; default: the demo landing chat
     file when no mix has been materialised) and
   - `../shared/data/instruct/*.jsonl` rendered with a tiny tokenizer trained on that text.
   Target: >= 0.98 at sequence_len 2048.
2. CPU tokens/s of forward+backward on the tiny model, packed bins vs padded micro-batches of the
   same rows and the same token budget per step. Target: packed >= 1.5x padded.

The last line printed is one JSON object with the figures; exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED_INSTRUCT = REPO.parent / "shared" / "data" / "instruct"
DEMO_CHAT = REPO / "data_lake" / "landing" / "sources" / "chat_fr.jsonl"


def instruct_rows(folder: Path) -> list[dict]:
    """Rows of the shared instruct files as `messages` (alpaca-style seed tasks are converted)."""
    rows = []
    for f in sorted(folder.glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            r = json.loads(line)
            if "messages" in r:
                msgs = [{"role": m["role"], "content": m["content"]} for m in r["messages"]]
                rows.append({"messages": msgs})
            elif "instruction" in r:
                for inst in r.get("instances") or [{}]:
                    prompt = r["instruction"] + (("\n\n" + inst["input"]) if inst.get("input") else "")
                    rows.append({"messages": [{"role": "user", "content": prompt},
                                              {"role": "assistant", "content": inst.get("output", "")}]})
    return rows


def main() -> int:
    import torch

    from luth_train.data import load_message_rows, tokenize_rows
    from luth_train.packing import (
        causal_lm_loss_sum,
        collate_packed,
        collate_padded,
        pack_rows,
        packing_efficiency,
    )
    from luth_train.tiny_model import build_tiny_model

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mix", default=None, help="sft_mix Parquet/JSONL (file or folder)")
    ap.add_argument("--sequence-len", type=int, default=2048)
    ap.add_argument("--seconds", type=float, default=20.0, help="time budget per throughput run")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    shared = instruct_rows(SHARED_INSTRUCT) if SHARED_INSTRUCT.is_dir() else []
    mix_path = Path(args.mix) if args.mix else DEMO_CHAT
    demo = load_message_rows([str(mix_path)]) if mix_path.exists() else []
    texts = [m["content"] for r in shared + demo for m in r["messages"]][:5000]
    if not texts:
        print("no input rows found (shared instruct data and demo mix are both absent)")
        return 1
    work = Path(tempfile.mkdtemp(prefix="luth-packing-"))
    model_dir = build_tiny_model(work / "tiny", texts, vocab_size=2048, hidden_size=128, num_layers=4,
                                 num_heads=4, num_kv_heads=2, intermediate_size=384)
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    result: dict = {"sequence_len": args.sequence_len, "target_efficiency": 0.98, "target_speedup": 1.5}
    sets = {"demo_mix": demo, "shared_instruct": shared}
    tokenized = {}
    for name, rows in sets.items():
        if not rows:
            result[f"{name}_efficiency"] = None
            continue
        t = tokenize_rows(tok, rows, sequence_len=args.sequence_len)
        tokenized[name] = t.kept
        bins = pack_rows(t.kept, args.sequence_len)
        eff = packing_efficiency(bins, args.sequence_len)
        result[f"{name}_rows"] = len(t.kept)
        result[f"{name}_rejected"] = len(t.rejected)
        result[f"{name}_bins"] = len(bins)
        result[f"{name}_efficiency"] = round(eff, 4)
        lower = -(-sum(len(r) for r in t.kept) // args.sequence_len)
        result[f"{name}_bins_lower_bound"] = lower  # small sets: the last bin alone caps efficiency
        print(f"{name}: {len(t.kept)} rows ({len(t.rejected)} rejected) -> {len(bins)} bins, "
              f"efficiency {eff:.4f} at sequence_len {args.sequence_len}")

    # Throughput: same rows, packed (bins of sequence_len, 1 per step) vs padded (rows padded to
    # the longest in each micro-batch, micro-batch sized to the same token budget).
    rows = tokenized.get("shared_instruct") or tokenized.get("demo_mix")
    rng = random.Random(0)
    rows = rng.sample(rows, len(rows))
    seq = args.sequence_len
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32, attn_implementation="sdpa")
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    mean_len = sum(len(r) for r in rows) / len(rows)
    mbs = max(1, round(seq / mean_len))

    def run(batches) -> float:
        real, t0 = 0, time.perf_counter()
        for b in batches:
            s, n = causal_lm_loss_sum(model, b)
            (s / max(1, n)).backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
            real += int((b["input_ids"] != tok.pad_token_id).sum())  # non-pad tokens
            if time.perf_counter() - t0 > args.seconds:
                break
        return real / (time.perf_counter() - t0)

    packed_batches = (collate_packed([b], tok.pad_token_id, pad_to=seq) for b in pack_rows(rows, seq))
    padded_batches = (collate_padded(rows[i : i + mbs], tok.pad_token_id) for i in range(0, len(rows), mbs))
    run(collate_packed([b], tok.pad_token_id, pad_to=seq) for b in pack_rows(rows[:50], seq))  # warm-up
    packed_tps = run(packed_batches)
    padded_tps = run(padded_batches)
    result.update(packed_tokens_per_s=round(packed_tps, 1), padded_tokens_per_s=round(padded_tps, 1),
                  padded_micro_batch=mbs, speedup=round(packed_tps / padded_tps, 3), threads=args.threads)
    print(f"CPU real tokens/s: packed {packed_tps:.0f}, padded {padded_tps:.0f} "
          f"(micro-batch {mbs}) -> {packed_tps / padded_tps:.2f}x")
    ok = all(
        result.get(f"{n}_efficiency") is None
        or result[f"{n}_efficiency"] >= 0.98
        or result[f"{n}_bins"] == result[f"{n}_bins_lower_bound"]  # optimal packing
        for n in sets
    ) and result["speedup"] >= 1.5
    result["ok"] = ok
    print(json.dumps(result))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
