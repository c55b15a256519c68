"""`luth plan`, training side: per model, optimizer steps per epoch, GPU-hours and disk.

Steps follow the training config's batch geometry: with sample packing an optimizer step takes
`sequence_len x micro_batch_size x gradient_accumulation_steps x GPUs` sequence tokens, of which
the packing efficiency are real rows; without packing, that many rows. GPU-hours = the tokens the
GPUs process (training tokens x epochs / packing efficiency) / (tokens per second per GPU) / 3600.
The efficiency is `plan.packing_efficiency` when set (an assumption, said so), else estimated by
packing the sampled local rows' token lengths into `sequence_len` bins as the trainer does
(`luth_train.packing.pack_lengths`), else 1.0 (said so). Disk: a
checkpoint holds bf16 weights (2 bytes per parameter) and AdamW's two fp32 moments (8 bytes);
the final model and each merge hold bf16 weights.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path

from luth_assets.plan.settings import PlannedModel
from luth_assets.run_config import RunConfig
from luth_train.config import load_train_config

CHECKPOINT_BYTES_PER_PARAM = 10  # bf16 weights + two fp32 AdamW moments
WEIGHTS_BYTES_PER_PARAM = 2      # bf16


@dataclass
class ModelPlan:
    model: str
    base_model: str
    train_config: str
    train_rows: int
    train_tokens: int
    epochs: float
    sequence_len: int
    sequences_per_step: int
    tokens_per_step: int | None
    packing_efficiency: float | None
    packing_method: str
    steps_per_epoch: int
    total_steps: int
    gpus: int
    tokens_per_second_per_gpu: float
    gpu_hours: float
    wall_hours: float
    params_billions: float | None
    checkpoints: int
    checkpoint_disk_gb: float | None
    merge: str
    merge_recipes: int
    merge_disk_gb: float | None

    def row(self) -> dict:
        return asdict(self)


def planned_models(config: RunConfig) -> dict[str, PlannedModel]:
    """`plan.models`, or the training section's model alone."""
    if config.plan.models:
        return dict(config.plan.models)
    tcfg = config.training
    name = Path(tcfg.base_model).name if tcfg.base_model else "tiny_demo_base"
    recipes = config.merging.all_recipes()
    methods = {spec.method for spec in recipes.values()}
    return {name: PlannedModel(
        train_config=tcfg.train_config, params_billions=_tiny_params(config),
        merge=methods.pop() if len(methods) == 1 else "linear", merge_recipes=len(recipes))}


def _tiny_params(config: RunConfig) -> float | None:
    """Parameters of the demo's tiny base (embeddings + attention + MLP), else unknown."""
    if config.training.base_model:
        return None
    t = config.training.tiny
    head = t.hidden_size // t.num_heads
    attn = t.hidden_size * head * (2 * t.num_heads + 2 * t.num_kv_heads)
    mlp = 3 * t.hidden_size * t.intermediate_size
    return (t.vocab_size * t.hidden_size + t.num_layers * (attn + mlp)) / 1e9


def packing_estimate(config: RunConfig, sequence_len: int, row_lengths: list[int]
                     ) -> tuple[float, str]:
    """(efficiency, how it was obtained) for packed training."""
    if config.plan.packing_efficiency is not None:
        return config.plan.packing_efficiency, "plan.packing_efficiency (assumed)"
    lengths = [min(n, sequence_len) for n in row_lengths if n > 0]
    if not lengths:
        return 1.0, "assumed 1.0 (no local rows to estimate from; set plan.packing_efficiency)"
    from luth_train.packing import pack_lengths

    bins = pack_lengths(lengths, sequence_len)
    return (round(sum(lengths) / (len(bins) * sequence_len), 4),
            f"estimated: {len(lengths)} sampled rows packed into {len(bins)} sequences")


def plan_model(name: str, spec: PlannedModel, config: RunConfig, sft_rows: int,
               sft_tokens: float, row_lengths: list[int] | None = None,
               validation_share: float | None = None) -> ModelPlan:
    overrides = config.training.overrides if not config.plan.models else {}
    train = load_train_config(spec.train_config, overrides)
    held_out = config.curation.mixing.validation_share if validation_share is None else validation_share
    keep = 1.0 - held_out
    rows, tokens = round(sft_rows * keep), round(sft_tokens * keep)
    gpus = spec.gpus or config.plan.gpus
    tps = spec.tokens_per_second_per_gpu or config.plan.tokens_per_second_per_gpu
    sequences = train.micro_batch_size * train.gradient_accumulation_steps * gpus
    if train.sample_packing:
        efficiency, packing = packing_estimate(config, train.sequence_len, row_lengths or [])
        per_step = train.sequence_len * sequences
        steps = math.ceil(tokens / (per_step * efficiency)) if tokens else 0
    else:
        efficiency, packing = None, "no packing"
        per_step = None
        steps = math.ceil(rows / sequences) if rows else 0
    total_steps = math.ceil(steps * train.num_epochs)
    if train.max_steps:
        total_steps = min(total_steps, train.max_steps)
    processed = tokens * train.num_epochs / (efficiency or 1.0)  # padding is computed too
    gpu_hours = processed / tps / 3600
    epochs = math.ceil(train.num_epochs)
    checkpoints = epochs if train.save_strategy == "epoch" else \
        (total_steps // train.save_steps if train.save_strategy == "steps" and train.save_steps
         else 0)
    if train.save_total_limit:
        checkpoints = min(checkpoints, train.save_total_limit)
    params = spec.params_billions
    ckpt_gb = None if params is None else round(
        params * (checkpoints * CHECKPOINT_BYTES_PER_PARAM + WEIGHTS_BYTES_PER_PARAM), 2)
    merge_gb = None if params is None else round(
        params * WEIGHTS_BYTES_PER_PARAM * spec.merge_recipes, 2)
    return ModelPlan(
        model=name, base_model=train.base_model, train_config=str(spec.train_config),
        train_rows=rows, train_tokens=tokens, epochs=train.num_epochs,
        sequence_len=train.sequence_len, sequences_per_step=sequences, tokens_per_step=per_step,
        packing_efficiency=efficiency, packing_method=packing, steps_per_epoch=steps,
        total_steps=total_steps, gpus=gpus, tokens_per_second_per_gpu=tps,
        gpu_hours=round(gpu_hours, 2), wall_hours=round(gpu_hours / gpus, 2),
        params_billions=params, checkpoints=checkpoints, checkpoint_disk_gb=ckpt_gb,
        merge=spec.merge, merge_recipes=spec.merge_recipes, merge_disk_gb=merge_gb)
