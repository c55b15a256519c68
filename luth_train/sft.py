"""Full-parameter SFT: assistant-only loss, sample packing, cosine + warmup, clipping, accumulation,
eval on the val split, checkpoints that can be resumed exactly.

    luth train CONFIG.yaml [key=value ...]
    accelerate launch -m luth_train.sft CONFIG.yaml [key=value ...]
    python -m luth_train.sft --help-config

The loss of an optimizer step is the mean over every trained token of its micro-batches (sum of
token losses / token count), so packing, padding and accumulation all give the same objective.
The final model goes to ``output_dir/final``; ``metrics.json``, ``log_history.json`` and its plot
``loss.png`` beside it. Checkpoints (``output_dir/checkpoint-<step>``) hold the weights, tokenizer +
chat template, the resolved config (``train_config.yaml``), optimizer and scheduler states and
``trainer_state.json``; resuming replays the same data order and skips what was already consumed.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from luth_train.cards import sft_card, write_card
from luth_train.checkpoints import STATE_FILE, latest_checkpoint, prune_checkpoints, save_model_folder
from luth_train.config import (
    ConfigError,
    TrainConfig,
    check_inputs_exist,
    config_help,
    load_train_config,
    parse_overrides,
)
from luth_train.loss_plot import write_run_files

LogFn = Callable[[dict[str, Any]], None]


# -- data ---------------------------------------------------------------------------------------
def split_rows(rows: list[dict[str, Any]], cfg: TrainConfig) -> tuple[list[dict], list[dict]]:
    """Use a ``split`` column when rows carry one, else hold out `val_set_size` rows (seeded)."""
    if rows and all("split" in r and r["split"] is not None for r in rows):
        train = [r for r in rows if r["split"] == "train"]
        val = [r for r in rows if r["split"] in ("val", "validation", "test")]
        return train, val
    order = list(range(len(rows)))
    random.Random(cfg.seed).shuffle(order)
    n_val = int(cfg.val_set_size) if cfg.val_set_size >= 1 else round(len(rows) * cfg.val_set_size)
    n_val = min(n_val, max(0, len(rows) - 1))
    val_idx = set(order[:n_val])
    return [r for i, r in enumerate(rows) if i not in val_idx], [rows[i] for i in sorted(val_idx)]


def make_batches(
    rows, cfg: TrainConfig, epoch: int, pad_token_id: int, shuffle: bool = True,
    rank: int = 0, world: int = 1,
) -> list[dict]:
    """Micro-batches for one epoch; the order depends only on (seed, epoch).

    With several processes every rank builds the same global list (same packing, same shuffle)
    and takes every `world`-th micro-batch; ranks left one short get a batch with no trained
    token (zero loss, zero gradient), so every rank runs the same number of steps and the
    gradient all-reduce never waits on a rank that has finished its epoch."""
    from luth_train.packing import collate_packed, collate_padded, pack_rows

    rng = random.Random(cfg.seed * 1000 + epoch)
    mbs = cfg.micro_batch_size
    if cfg.sample_packing:
        bins = pack_rows(rows, cfg.sequence_len)
        if shuffle:
            rng.shuffle(bins)
        batches = [
            collate_packed(bins[i : i + mbs], pad_token_id) for i in range(0, len(bins), mbs)
        ]
    else:
        items = list(rows)
        if shuffle:
            rng.shuffle(items)
        batches = [collate_padded(items[i : i + mbs], pad_token_id) for i in range(0, len(items), mbs)]
    if world == 1:
        return batches
    per_rank = math.ceil(len(batches) / world)
    mine = batches[rank::world]
    while len(mine) < per_rank:
        filler = dict(batches[0])
        filler["labels"] = torch_full_like(filler["labels"], IGNORE_LABEL)
        mine.append(filler)
    return mine


IGNORE_LABEL = -100


def torch_full_like(t, value: int):
    import torch

    return torch.full_like(t, value)


# -- schedule -----------------------------------------------------------------------------------
def lr_lambda(cfg: TrainConfig, total_steps: int) -> Callable[[int], float]:
    warmup = math.ceil(cfg.warmup_ratio * total_steps)

    def f(step: int) -> float:
        if step < warmup and cfg.lr_scheduler != "constant":
            return (step + 1) / (warmup + 1)
        if cfg.lr_scheduler in ("constant", "constant_with_warmup"):
            return 1.0
        progress = min(1.0, (step - warmup) / max(1, total_steps - warmup))
        if cfg.lr_scheduler == "linear":
            return 1.0 - progress
        return 0.5 * (1.0 + math.cos(math.pi * progress))

    return f


def _optimizer(cfg: TrainConfig, model):
    import torch

    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if p.requires_grad:
            (no_decay if p.ndim < 2 or "norm" in name else decay).append(p)
    groups = [
        {"params": decay, "weight_decay": cfg.weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(groups, lr=cfg.learning_rate)
    if cfg.optimizer == "adamw_8bit":
        import bitsandbytes as bnb  # optional

        return bnb.optim.AdamW8bit(groups, lr=cfg.learning_rate, betas=(cfg.adam_beta1, cfg.adam_beta2))
    fused = cfg.optimizer == "adamw_torch_fused" and torch.cuda.is_available()
    return torch.optim.AdamW(
        groups, lr=cfg.learning_rate, betas=(cfg.adam_beta1, cfg.adam_beta2), eps=cfg.adam_epsilon,
        fused=fused or None,
    )


def resolve_attn_implementation(requested: str, sample_packing: bool = False) -> str:
    """`auto`: flash_attention_2 on CUDA with flash-attn installed; else `sdpa_varlen` (per-row
    attention, see `luth_train.varlen_attention`) for packed training, `sdpa` otherwise."""
    from luth_train.varlen_attention import NAME as SDPA_VARLEN
    from luth_train.varlen_attention import register

    if requested == SDPA_VARLEN:
        return register()
    if requested != "auto":
        return requested
    import importlib.util

    import torch

    if torch.cuda.is_available() and importlib.util.find_spec("flash_attn") is not None:
        return "flash_attention_2"
    return register() if sample_packing else "sdpa"


# -- training -----------------------------------------------------------------------------------
def train(
    cfg: TrainConfig,
    *,
    rows: Sequence[dict[str, Any]] | None = None,
    log: LogFn | None = None,
    stop_after_steps: int | None = None,
) -> dict[str, Any]:
    """Run SFT as configured; return final metrics. `rows` overrides `cfg.datasets` (tests,
    notebooks); `log` receives one dict per logging/eval event; `stop_after_steps` ends the run
    early after that optimizer step (as an interruption would), saving a checkpoint first."""
    import torch
    from accelerate import Accelerator
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from luth_train.data import load_message_rows, tokenize_rows
    from luth_train.packing import causal_lm_loss_sum, pack_rows, packing_efficiency, packing_isolates

    log = log or (lambda rec: print(json.dumps(rec), flush=True))
    mixed = "bf16" if cfg.bf16 else "no"
    accelerator = Accelerator(mixed_precision=mixed, cpu=not torch.cuda.is_available())
    torch.manual_seed(cfg.seed)
    random.seed(cfg.seed)
    out_dir = Path(cfg.output_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    tokenizer = AutoTokenizer.from_pretrained(cfg.base_model, trust_remote_code=cfg.trust_remote_code)
    if tokenizer.chat_template is None:
        raise ValueError(f"{cfg.base_model}: tokenizer has no chat template")
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    attn = resolve_attn_implementation(cfg.attn_implementation, cfg.sample_packing)
    model = AutoModelForCausalLM.from_pretrained(
        cfg.base_model, dtype=torch.float32, attn_implementation=attn,
        trust_remote_code=cfg.trust_remote_code,
    )
    model.config.use_cache = False
    if cfg.sample_packing and not packing_isolates(model.config.model_type):
        log({"event": "warning", "message": f"model_type {model.config.model_type!r} mixes tokens "
             "outside attention; packed rows are not fully isolated"})
    if cfg.gradient_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})

    all_rows = list(rows) if rows is not None else load_message_rows(cfg.datasets)
    train_rows, val_rows = split_rows(all_rows, cfg)
    tok_train = tokenize_rows(tokenizer, train_rows, sequence_len=cfg.sequence_len,
                              train_on_inputs=cfg.train_on_inputs)
    tok_val = tokenize_rows(tokenizer, val_rows, sequence_len=cfg.sequence_len,
                            train_on_inputs=cfg.train_on_inputs)
    if not tok_train.kept:
        raise ValueError(f"no usable training rows ({len(tok_train.rejected)} rejected)")
    # data parallel: each rank trains on every world-th micro-batch (see make_batches)
    rank, world = accelerator.process_index, accelerator.num_processes
    my_rows = tok_train.kept  # every rank packs all rows alike and takes its share of batches
    efficiency = (
        packing_efficiency(pack_rows(my_rows, cfg.sequence_len), cfg.sequence_len)
        if cfg.sample_packing else None
    )
    micro_per_epoch = len(make_batches(my_rows, cfg, 0, pad_id, shuffle=False, rank=rank, world=world))
    steps_per_epoch = max(1, math.ceil(micro_per_epoch / cfg.gradient_accumulation_steps))
    total_steps = cfg.max_steps or math.ceil(cfg.num_epochs * steps_per_epoch)
    eval_every = (
        max(1, steps_per_epoch // cfg.evals_per_epoch) if cfg.evals_per_epoch and tok_val.kept else 0
    )
    val_batches = make_batches(tok_val.kept[rank::world], cfg, 0, pad_id, shuffle=False)

    optimizer = _optimizer(cfg, model)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda(cfg, total_steps))
    model, optimizer = accelerator.prepare(model, optimizer)

    state: dict[str, Any] = {"global_step": 0, "micro_step": 0, "log_history": []}
    resume = cfg.resume_from_checkpoint
    if resume:
        ck = latest_checkpoint(out_dir) if resume == "latest" else Path(resume)
        if ck is not None:
            from safetensors.torch import load_file

            weights = load_file(ck / "model.safetensors")
            accelerator.unwrap_model(model).load_state_dict(weights, strict=False)
            optimizer.load_state_dict(torch.load(ck / "optimizer.pt", weights_only=False))
            scheduler.load_state_dict(torch.load(ck / "scheduler.pt", weights_only=False))
            state = json.loads((ck / STATE_FILE).read_text())
            torch.set_rng_state(torch.tensor(state["torch_rng"], dtype=torch.uint8))
            log({"event": "resume", "checkpoint": str(ck), "step": state["global_step"]})

    def evaluate() -> float:
        model.eval()
        tot = torch.zeros(2, device=accelerator.device, dtype=torch.float64)
        with torch.no_grad(), accelerator.autocast():
            for b in val_batches:
                b = {k: v.to(accelerator.device) for k, v in b.items()}
                s, c = causal_lm_loss_sum(model, b)
                tot += torch.tensor([float(s), c], device=accelerator.device, dtype=torch.float64)
        tot = accelerator.reduce(tot, reduction="sum")
        model.train()
        return float(tot[0] / tot[1]) if tot[1] > 0 else float("nan")

    def checkpoint(step: int) -> None:
        state["torch_rng"] = torch.get_rng_state().tolist()
        save_model_folder(out_dir / f"checkpoint-{step}", model, tokenizer, cfg, accelerator, {
            "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(), "state": state,
        })
        if accelerator.is_main_process:
            prune_checkpoints(out_dir, cfg.save_total_limit)

    log({"event": "start", "total_steps": total_steps, "steps_per_epoch": steps_per_epoch,
         "train_rows": len(tok_train.kept), "rejected_rows": len(tok_train.rejected),
         "val_rows": len(tok_val.kept), "packing_efficiency": efficiency, "attn": attn,
         "world_size": world, "rank": rank})
    if eval_every and state["global_step"] == 0:
        # the starting point, so that a run shows how far validation loss fell
        rec = {"event": "eval", "step": 0, "val_loss": evaluate()}
        state["log_history"].append(rec)
        log(rec)
    model.train()
    gas = cfg.gradient_accumulation_steps
    step = state["global_step"]
    consumed = state["micro_step"]
    t0, tokens_seen, last_loss = time.perf_counter(), 0, float("nan")
    epoch = consumed // micro_per_epoch if micro_per_epoch else 0
    while step < total_steps:
        batches = make_batches(my_rows, cfg, epoch, pad_id, rank=rank, world=world)
        start_in_epoch = consumed - epoch * micro_per_epoch
        windows = [batches[i : i + gas] for i in range(0, len(batches), gas)]
        pos = 0
        for window in windows:
            if pos < start_in_epoch:
                pos += len(window)
                continue
            if step >= total_steps:
                break
            window = [{k: v.to(accelerator.device) for k, v in b.items()} for b in window]
            n_tokens = sum(int((b["labels"][:, 1:] != -100).sum()) for b in window)
            n_global = accelerator.reduce(
                torch.tensor(n_tokens, device=accelerator.device), reduction="sum"
            ).item()
            loss_sum = 0.0
            for b in window:
                with accelerator.autocast():
                    s, _ = causal_lm_loss_sum(model, b)
                # DDP averages grads over ranks; scale so the result is sum / global tokens
                accelerator.backward(s * world / max(1, n_global))
                loss_sum += float(s.detach())
                tokens_seen += int(b["input_ids"].numel())
            grad_norm = None
            if cfg.max_grad_norm > 0:
                grad_norm = float(accelerator.clip_grad_norm_(model.parameters(), cfg.max_grad_norm))
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            pos += len(window)
            consumed = epoch * micro_per_epoch + pos
            step += 1
            state["global_step"], state["micro_step"] = step, consumed
            last_loss = loss_sum / max(1, n_tokens)
            if step % cfg.logging_steps == 0 or step == total_steps:
                dt = time.perf_counter() - t0
                rec = {"event": "train", "step": step, "epoch": round(consumed / micro_per_epoch, 4),
                       "loss": last_loss, "lr": scheduler.get_last_lr()[0], "grad_norm": grad_norm,
                       "tokens_per_s": tokens_seen * world / dt if dt > 0 else None}
                state["log_history"].append(rec)
                log(rec)
            if eval_every and (step % eval_every == 0 or step == total_steps):
                rec = {"event": "eval", "step": step, "val_loss": evaluate()}
                state["log_history"].append(rec)
                log(rec)
            epoch_end = pos >= len(batches)
            if (cfg.save_strategy == "steps" and step % cfg.save_steps == 0) or (
                cfg.save_strategy == "epoch" and epoch_end and step < total_steps
            ):
                checkpoint(step)
            if stop_after_steps is not None and step >= stop_after_steps:
                if not (out_dir / f"checkpoint-{step}").exists():
                    checkpoint(step)
                return {"stopped_at": step}
        epoch += 1
        consumed = epoch * micro_per_epoch

    final_val = evaluate() if val_batches else None
    evals = [r["val_loss"] for r in state["log_history"] if r["event"] == "eval"]
    metrics = {"global_step": step, "train_loss": last_loss, "val_loss": final_val,
               "first_val_loss": evals[0] if evals else None,
               "packing_efficiency": efficiency, "train_rows": len(tok_train.kept),
               "rejected_rows": len(tok_train.rejected)}
    save_model_folder(out_dir / "final", model, tokenizer, cfg, accelerator)
    if accelerator.is_main_process:
        write_card(out_dir / "final", sft_card(cfg, metrics, Path.cwd()))
        write_run_files(out_dir, metrics, state["log_history"])  # metrics, log history, loss.png
    log({"event": "end", **metrics, "rank": rank, "world_size": world,
         "weights_sha256": _weights_digest(accelerator, model)})
    return metrics


def _weights_digest(accelerator, model) -> str | None:
    """sha256 of this rank's copy of the weights (data parallel only: every rank holds them all),
    so a multi-process run can show that gradients were synchronised."""
    import hashlib

    from accelerate.utils import DistributedType

    if accelerator.distributed_type not in (
        DistributedType.NO, DistributedType.MULTI_CPU, DistributedType.MULTI_GPU
    ):
        return None
    h = hashlib.sha256()
    for name, p in sorted(accelerator.unwrap_model(model).state_dict().items()):
        h.update(name.encode())
        h.update(p.detach().float().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


# -- CLI ----------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    import argparse
    import sys

    parser = argparse.ArgumentParser(
        prog="luth train", description="Full-parameter SFT (assistant-only loss, sample packing)."
    )
    parser.add_argument("config", nargs="?", help="training YAML (see configs/train/)")
    parser.add_argument("overrides", nargs="*", help="key=value settings that override the YAML")
    parser.add_argument("--help-config", action="store_true", help="list every config key")
    parser.add_argument("--json", action="store_true",
                        help="print the raw events as JSON lines instead of a progress bar / lines")
    parser.add_argument("--check", action="store_true", help="dry run, no training, no network: "
                        "resolve paths, print rows, tokens, geometry and steps (exit 2: a wrong "
                        "path, 3: the SFT mix not materialised yet)")
    parser.add_argument("--accelerate-config", metavar="FILE", default=None, help="with --check: "
                        "the run's accelerate config (its num_processes is the data-parallel world)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.help_config:
        print(config_help())
        return 0
    if not args.config:
        parser.error("a config file is required")
    if args.check:
        from luth_train.train_check import check_command

        return check_command(args.config, args.overrides, args.accelerate_config)
    from luth_assets.lib.quiet import silence_library_noise
    from luth_train.progress import TrainProgress, tracker

    silence_library_noise()
    try:
        cfg = load_train_config(args.config, parse_overrides(args.overrides))
        check_inputs_exist(cfg, args.config)
        sink = tracker(cfg.report_to, cfg.output_dir, cfg.to_dict())
    except (ConfigError, FileNotFoundError, ModuleNotFoundError) as err:
        print(f"luth train: {err}", file=sys.stderr)
        return 2
    progress = TrainProgress(json_lines=args.json, trackers=[sink] if sink else [])
    try:
        train(cfg, log=progress)
    finally:
        progress.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
