"""`luth plan`, post-training side (the Luth-2 recipe, `post_training:`): the SFT mix stated by
domain, the reinforcement-learning specialists' rollouts and the on-policy distillation, each as
GPU-hours from stated throughputs.

For each base model (`plan.models`) and each specialist (`post_training.rl_specialists`):

    rollouts         = steps x prompts_per_step x generations_per_prompt
    generated tokens = rollouts x completion_tokens                      -> at `generation` tokens/s
    sequence tokens  = rollouts x (prompt_tokens + completion_tokens)    -> at `training` tokens/s
                       (+ once more at `scoring` tokens/s for the reference model's KL term)

and for the distillation of the specialists into the SFT model (one teacher per prompt's domain,
the teacher being a specialist of the same base, so of the same size):

    samples          = steps x prompts_per_step x generations_per_prompt
    generated tokens = samples x completion_tokens                       -> student, `generation`
    sequence tokens  = samples x (prompt_tokens + completion_tokens)     -> teacher at `scoring`,
                                                                            student at `training`

GPU-hours = the seconds of all three / 3600; wall hours = GPU-hours / `post_training.gpus`. The
prefill of the rollouts' prompts is left out (small beside the completions). Every number here is
an assumption of the configuration; the plan prints them beside the lines.
"""

from __future__ import annotations

from luth_assets.plan.llm_steps import StepPlan
from luth_assets.plan.post_training_settings import Throughput
from luth_assets.run_config import RunConfig


def plan_sft_mix(config: RunConfig) -> tuple[list[StepPlan], int, float]:
    """(one plan line per domain, rows, tokens) of an SFT mix stated by shares of tokens."""
    mix = config.post_training.sft_mix
    if mix is None:
        raise ValueError("post_training.sft_mix is not set")
    if config.sources or config.translation.sources or config.training.sft_dataset is not None:
        raise ValueError("post_training.sft_mix states the SFT data; this configuration also builds "
                         "or reads it (sources, translation.sources or training.sft_dataset): keep one")
    lines = []
    for domain, share in mix.shares.items():
        tokens = mix.total_tokens * share
        rows = round(tokens / mix.tokens_per_row)
        lines.append(StepPlan(
            "training", f"sft_mix:{domain}", rows, rows,
            f"stated: {share:.1%} of {mix.total_tokens:,} tokens / {mix.tokens_per_row:,} per row",
            note=f"{round(tokens):,} tokens (post_training.sft_mix; not built by this run)"))
    rows = sum(line.output_rows for line in lines)
    return lines, rows, float(mix.total_tokens)


def _throughput(config: RunConfig, model: str) -> Throughput:
    known = config.post_training.throughput
    if model not in known:
        raise ValueError(f"post_training.throughput.{model}: missing (the tokens per second of "
                         f"generation, training and scoring that the RL and distillation lines assume); "
                         f"known: {', '.join(known) or 'none'}")
    return known[model]


def _line(model: str, step: str, samples: int, generated: int, sequence: int, *, speed: Throughput,
          forward: str | None, gpus: int, price: float, what: str) -> dict:
    """A plan line; `forward` names the extra forward-only pass (reference or teacher), if any."""
    seconds = generated / speed.generation + sequence / speed.training
    if forward:
        seconds += sequence / speed.scoring
    hours = seconds / 3600
    rates = f"generation {speed.generation:,.0f}, training {speed.training:,.0f}"
    if forward:
        rates += f", {forward} forward {speed.scoring:,.0f}"
    return {
        "model": model, "step": step, "samples": samples, "generated_tokens": generated,
        "sequence_tokens": sequence, "gpus": gpus, "gpu_hours": round(hours, 2),
        "wall_hours": round(hours / gpus, 2), "gpu_cost_usd": round(hours * price, 2),
        "how": f"{what}; tokens/s/GPU assumed: {rates}",
    }


def plan_post_training(config: RunConfig, models: list[str]) -> list[dict]:
    """One line per base model and RL specialist, and one per base model for the distillation."""
    post = config.post_training
    price = config.plan.self_hosted.gpu_price_per_hour
    out = []
    for model in models:
        if not post.rl_specialists and post.distillation is None:
            break
        speed = _throughput(config, model)
        for domain, rl in post.rl_specialists.items():
            rollouts = rl.steps * rl.prompts_per_step * rl.generations_per_prompt
            out.append(_line(model, f"rl_specialist:{domain}", rollouts, rollouts * rl.completion_tokens,
                             rollouts * (rl.prompt_tokens + rl.completion_tokens), speed=speed,
                             forward="reference" if rl.reference_model else None, gpus=post.gpus,
                             price=price, what=f"GRPO, {rl.reward} reward, groups of "
                             f"{rl.generations_per_prompt}"))
        if post.distillation is not None:
            d = post.distillation
            samples = d.steps * d.prompts_per_step * d.generations_per_prompt
            teachers = ", ".join(post.rl_specialists) or "none"
            out.append(_line(model, "distillation", samples, samples * d.completion_tokens,
                             samples * (d.prompt_tokens + d.completion_tokens), speed=speed,
                             forward="teacher", gpus=post.gpus, price=price,
                             what=f"on-policy, teachers: {teachers}"))
    return out
