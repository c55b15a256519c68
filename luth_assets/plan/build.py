"""`luth plan`: assemble the whole dry run of one run configuration, and print it.

`build_plan(config)` returns a JSON-able dict: `stages` (one line per stage step with rows and,
for LLM steps, requests, tokens and cost), `sft` (mix rows and tokens), `models` (per model:
steps per epoch, GPU-hours, its GPU cost, disk), `totals` (with `pricing`: API list prices, the
self-hosted steps and the SFT priced from GPU-hours, `luth_assets/plan/pricing.py`), and the
methods used for token counts. `render(plan, width)` prints it as tables that fit `width`.
"""

from __future__ import annotations

import textwrap
import time

from luth_assets.plan.counting import TokenCounter
from luth_assets.plan.llm_steps import Planner
from luth_assets.plan.post_training import plan_post_training, plan_sft_mix
from luth_assets.plan.pricing import price_self_hosted, price_training, priced_totals
from luth_assets.plan.published_mix import plan_published_mix
from luth_assets.plan.table import Column, fit_table
from luth_assets.plan.training import plan_model, planned_models
from luth_assets.run_config import RunConfig


def build_plan(config: RunConfig, config_path: str = "") -> dict:
    t0 = time.monotonic()
    count = TokenCounter(config.training.base_model)
    planner = Planner(config, count)
    if config.training.sft_dataset is not None:  # a published dataset: nothing is generated
        line, sft_rows, sft_tokens = plan_published_mix(config, count)
        planner.steps.append(line)
        held_out = config.training.sft_dataset.validation_share
    elif config.post_training.sft_mix is not None:  # stated by domain (the Luth-2 recipe)
        lines, sft_rows, sft_tokens = plan_sft_mix(config)
        planner.steps.extend(lines)
        held_out = config.post_training.sft_mix.validation_share
    else:
        gathered = planner.sources()
        seeds = planner.translation()
        planner.judges(gathered, seeds)
        planner.scholar()
        sft_rows, sft_tokens = planner.curation()
        held_out = config.curation.mixing.validation_share
    models = [plan_model(name, spec, config, sft_rows, sft_tokens, planner.row_lengths,
                      validation_share=held_out).row()
              for name, spec in planned_models(config).items()]
    hosting = config.plan.self_hosted
    steps = [price_self_hosted(s.row(), hosting) for s in planner.steps]
    models = [price_training(m, hosting) for m in models]
    llm = [s for s in steps if s["requests"]]
    unknown = sorted({s["model"] for s in llm if not s["price_known"]})
    post = plan_post_training(config, [m["model"] for m in models])
    pricing = priced_totals(steps, models, sum(s["cost_usd"] or 0.0 for s in llm), hosting)
    post_cost = round(sum(p["gpu_cost_usd"] for p in post), 2)
    pricing |= {"post_training_cost_usd": post_cost,
                "total_cost_usd": round(pricing["total_cost_usd"] + post_cost, 2)}
    return {
        "config": config_path,
        "token_method": "stated by domain (post_training.sft_mix)" if config.post_training.sft_mix else
        planner.steps[0].rows_method if config.training.sft_dataset else
        count.method if any(
            s["rows_method"].startswith("counted") for s in steps) else
        f"assumed per hub row ({config.plan.assumed_prompt_tokens} prompt + "
        f"{config.plan.assumed_answer_tokens} answer tokens); {count.method} elsewhere",
        "stages": steps,
        "sft": {"rows": sft_rows, "tokens": round(sft_tokens)},
        "models": models,
        "totals": {
            "llm_requests": sum(s["requests"] for s in llm),
            "input_tokens": sum(s["input_tokens"] for s in llm),
            "output_tokens": sum(s["output_tokens"] for s in llm),
            "cost_usd": round(sum(s["cost_usd"] or 0.0 for s in llm), 2),
            "cost_complete": not unknown,
            "models_without_price": unknown,
            "gpu_hours": round(sum(m["gpu_hours"] for m in models), 2),
            "disk_gb": round(sum((m["checkpoint_disk_gb"] or 0) + (m["merge_disk_gb"] or 0)
                                 for m in models), 2),
            "post_training_gpu_hours": round(sum(p["gpu_hours"] for p in post), 2),
            "pricing": pricing,
        },
        "post_training": post,
        "seconds": round(time.monotonic() - t0, 2),
    }


STAGE_COLUMNS = [
    Column("stage", drop=6), Column("step"), Column("input rows", "in rows", drop=8),
    Column("output rows", "out rows", drop=7), Column("LLM requests", "calls"),
    Column("input tokens", "in tok", drop=5), Column("output tokens", "out tok", drop=4),
    Column("model", drop=3), Column("cost"), Column("how"),
]
MODEL_COLUMNS = [
    Column("model"), Column("train rows", "rows", drop=8), Column("train tokens", "tokens", drop=5),
    Column("seq/step", drop=7), Column("packing", drop=10), Column("steps/epoch", "st/ep", drop=6),
    Column("steps"),
    Column("GPUs", drop=4), Column("GPU-hours", "GPU-h"), Column("wall hours", "wall h", drop=3),
    Column("GPU cost", "GPU $"), Column("checkpoint GB", "ckpt GB", drop=2), Column("merge", drop=9),
    Column("merge GB", drop=1),
]


def _step_cost(s: dict) -> str:
    if not s["requests"]:
        return ""
    if s["price_known"]:
        return f"${s['cost_usd']:,.2f}"
    if s.get("gpu_cost_usd") is not None:
        return f"${s['gpu_cost_usd']:,.2f} GPU"
    return "unknown price"


def _text(line: str, width: int) -> str:
    return "\n".join(textwrap.wrap(line, width, subsequent_indent="  ")) if width else line


POST_COLUMNS = [
    Column("model"), Column("step"), Column("samples", drop=5), Column("generated tokens", "gen tok", drop=4),
    Column("sequence tokens", "seq tok", drop=3), Column("GPUs", drop=6), Column("GPU-hours", "GPU-h"),
    Column("wall hours", "wall h", drop=2), Column("GPU cost", "GPU $"), Column("how", drop=1),
]


def _post_training_blocks(plan: dict, limit: int, width: int) -> list[str]:
    post = plan.get("post_training") or []
    if not post:
        return []
    rows = [[p["model"], p["step"], p["samples"], p["generated_tokens"], p["sequence_tokens"], p["gpus"],
             p["gpu_hours"], p["wall_hours"], f"${p['gpu_cost_usd']:,.2f}", p["how"]] for p in post]
    return [_text("RL specialists and distillation (post_training; rollouts and throughputs assumed):",
                  width), fit_table(POST_COLUMNS, rows, limit, free_text=True)]


def render(plan: dict, width: int = 0) -> str:
    """The plan as text tables (stages, SFT, models, totals), at most `width` columns wide where
    it can be (0: no limit)."""
    limit = width or 10**6
    stage_rows = [[s["stage"], s["step"], s["input_rows"], s["output_rows"],
                   s["requests"] or "", s["input_tokens"] or "", s["output_tokens"] or "",
                   s["model"] or "", _step_cost(s), s["note"] or s["rows_method"]]
                  for s in plan["stages"]]
    models = [[m["model"], m["train_rows"], m["train_tokens"], m["sequences_per_step"],
               m["packing_efficiency"] if m["packing_efficiency"] is not None else "",
               m["steps_per_epoch"], m["total_steps"], m["gpus"], m["gpu_hours"], m["wall_hours"],
               f"${m['gpu_cost_usd']:,.2f}", m["checkpoint_disk_gb"], m["merge"], m["merge_disk_gb"]]
              for m in plan["models"]]
    packing = sorted({m["packing_method"] for m in plan["models"]})
    t = plan["totals"]
    p = t["pricing"]
    cost = (f"${p['total_cost_usd']:,.2f} (${p['api_cost_usd']:,.2f} API calls at list prices + "
            f"${p['self_hosted_cost_usd']:,.2f} self-hosted LLM for {p['self_hosted_gpu_hours']:,.2f} "
            f"GPU-hours + ${p['training_cost_usd']:,.2f} SFT for {t['gpu_hours']:,.2f} GPU-hours)")
    if plan.get("post_training"):
        cost += (f" + ${p['post_training_cost_usd']:,.2f} RL and distillation for "
                 f"{t['post_training_gpu_hours']:,.2f} GPU-hours")
    if p["unpriced_steps"]:
        cost += (f" + unknown ({', '.join(p['unpriced_steps'])}: no price for "
                 f"{', '.join(p['unpriced_models'])}; set llm.pricing)")
    return "\n\n".join([
        _text(f"luth plan {plan['config']}  (offline; tokens: {plan['token_method']})", width),
        fit_table(STAGE_COLUMNS, stage_rows, limit, free_text=True),
        _text(f"SFT mix: {plan['sft']['rows']:,} rows, {plan['sft']['tokens']:,} tokens", width),
        fit_table(MODEL_COLUMNS, models, limit),
        _text("Packing efficiency: " + "; ".join(packing) + " (GPU-hours count the padding it leaves)",
              width),
        *_post_training_blocks(plan, limit, width),
        _text(f"Total: {t['llm_requests']:,} LLM requests, {t['input_tokens']:,} input + "
              f"{t['output_tokens']:,} output tokens; {t['disk_gb']:,.2f} GB of checkpoints and "
              f"merges; cost {cost} ({plan['seconds']} s)", width),
        _text(f"Assumed: {p['assumptions']}", width),
    ])
