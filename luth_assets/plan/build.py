"""`luth plan`: assemble the whole dry run of one run configuration, and print it.

`build_plan(config)` returns a JSON-able dict: `stages` (one line per stage step with rows and,
for LLM steps, requests, tokens and cost), `sft` (mix rows and tokens), `models` (per model:
steps per epoch, GPU-hours, disk), `totals`, and the methods used for token counts.
"""

from __future__ import annotations

import time

from luth_assets.plan.counting import TokenCounter
from luth_assets.plan.llm_steps import Planner
from luth_assets.plan.published_mix import plan_published_mix
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
    steps = [s.row() for s in planner.steps]
    llm = [s for s in steps if s["requests"]]
    unknown = sorted({s["model"] for s in llm if not s["price_known"]})
    return {
        "config": config_path,
        "token_method": planner.steps[0].rows_method if config.training.sft_dataset else
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
        },
        "seconds": round(time.monotonic() - t0, 2),
    }


def _num(value) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return f"{value:,}"


def _table(columns: list[str], rows: list[list]) -> str:
    cells = [[_num(v) if not isinstance(v, str) else v for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    line = "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(out)


def render(plan: dict) -> str:
    """The plan as text tables: stages, SFT, models, totals."""
    stage_rows = [[s["stage"], s["step"], s["input_rows"], s["output_rows"],
                   s["requests"] or "", s["input_tokens"] or "", s["output_tokens"] or "",
                   s["model"] or "", "" if not s["requests"] else (
                       f"${s['cost_usd']:,.2f}" if s["price_known"] else "unknown price"),
                   s["note"] or s["rows_method"]] for s in plan["stages"]]
    models = [[m["model"], m["train_rows"], m["train_tokens"], m["sequences_per_step"],
               m["packing_efficiency"] if m["packing_efficiency"] is not None else "",
               m["steps_per_epoch"], m["total_steps"], m["gpus"], m["gpu_hours"], m["wall_hours"],
               m["checkpoint_disk_gb"], m["merge"], m["merge_disk_gb"]] for m in plan["models"]]
    packing = sorted({m["packing_method"] for m in plan["models"]})
    t = plan["totals"]
    cost = f"${t['cost_usd']:,.2f}" + ("" if t["cost_complete"] else
                                       f" + unknown ({', '.join(t['models_without_price'])})")
    return "\n\n".join([
        f"luth plan {plan['config']}  (offline; tokens: {plan['token_method']})",
        _table(["stage", "step", "input rows", "output rows", "LLM requests", "input tokens",
                "output tokens", "model", "cost", "how"], stage_rows),
        f"SFT mix: {plan['sft']['rows']:,} rows, {plan['sft']['tokens']:,} tokens",
        _table(["model", "train rows", "train tokens", "seq/step", "packing", "steps/epoch",
                "steps", "GPUs", "GPU-hours", "wall hours", "checkpoint GB", "merge", "merge GB"],
               models),
        "Packing efficiency: " + "; ".join(packing) + " (GPU-hours count the padding it leaves)",
        f"Total: {t['llm_requests']:,} LLM requests, {t['input_tokens']:,} input + "
        f"{t['output_tokens']:,} output tokens, {cost}; {t['gpu_hours']:,.2f} GPU-hours; "
        f"{t['disk_gb']:,.2f} GB of checkpoints and merges ({plan['seconds']} s)",
    ])
