"""`luth plan`: a price for the GPU work that has no list price.

A step served by a self-hosted model (an OpenAI-compatible server such as vLLM, or a local
`transformers` model) has no per-token price in `llm.pricing`; it costs the GPUs it holds. The plan
prices it from the GPU-hours it takes:

    GPU-hours = (input tokens / prompt_tokens_per_second
                 + output tokens / output_tokens_per_second) / 3600 x gpus_per_server
    cost      = GPU-hours x gpu_price_per_hour

and prices each model's SFT GPU-hours (from the training plan) at the same GPU price. The
throughputs and the price are assumptions of the run configuration (`plan.self_hosted`), printed
beside the total; measure yours (vLLM prints its prompt and generation throughput) and set them.

```yaml
plan:
  self_hosted:
    output_tokens_per_second: 2000    # generated tokens/s of one serving replica, all requests
    prompt_tokens_per_second: 20000   # prompt (prefill) tokens/s of the same replica
    gpus_per_server: 2                # GPUs of one replica (Qwen3-32B in bf16: 2 x 80 GB)
    gpu_price_per_hour: 2.50          # USD per GPU-hour, serving and training
```
"""

from __future__ import annotations

from pydantic import Field

from luth_assets.lib.strict import StrictModel

# the providers whose model runs on GPUs the user pays by the hour
SELF_HOSTED_PROVIDERS = frozenset({"openai_compatible", "transformers"})


class SelfHostedPricing(StrictModel):
    output_tokens_per_second: float = Field(
        2000.0, gt=0.0, description="generated tokens per second of one serving replica, summed "
        "over the concurrent requests (vLLM's 'generation throughput')")
    prompt_tokens_per_second: float = Field(
        20000.0, gt=0.0, description="prompt (prefill) tokens per second of the same replica "
        "(vLLM's 'prompt throughput')")
    gpus_per_server: int = Field(2, ge=1, description="GPUs one serving replica holds")
    gpu_price_per_hour: float = Field(
        2.5, ge=0.0, description="USD per GPU-hour, for the self-hosted LLM steps and the SFT runs")

    def assumptions(self) -> str:
        return (f"self-hosted LLM steps and SFT priced from GPU-hours: "
                f"{self.output_tokens_per_second:,.0f} output + {self.prompt_tokens_per_second:,.0f} "
                f"prompt tokens/s per server of {self.gpus_per_server} GPU"
                f"{'s' if self.gpus_per_server != 1 else ''}, ${self.gpu_price_per_hour:,.2f} per "
                f"GPU-hour (assumptions: plan.self_hosted)")


def step_gpu_hours(input_tokens: int, output_tokens: int, pricing: SelfHostedPricing) -> float:
    seconds = (input_tokens / pricing.prompt_tokens_per_second
               + output_tokens / pricing.output_tokens_per_second)
    return seconds / 3600.0 * pricing.gpus_per_server


def price_self_hosted(step: dict, pricing: SelfHostedPricing) -> dict:
    """The step's row with `gpu_hours` and `gpu_cost_usd`: set for an LLM step of a self-hosted
    provider with no list price, None otherwise (a list price, a replay, no LLM call)."""
    hosted = bool(step["requests"]) and not step["price_known"] and \
        step["provider"] in SELF_HOSTED_PROVIDERS
    hours = step_gpu_hours(step["input_tokens"], step["output_tokens"], pricing) if hosted else None
    if hours is not None:
        step = {**step, "note": f"{step['note']}; priced from {hours:,.2f} GPU-hours (plan.self_hosted)"}
    return {**step, "gpu_hours": None if hours is None else round(hours, 2),
            "gpu_cost_usd": None if hours is None else round(hours * pricing.gpu_price_per_hour, 2)}


def price_training(model: dict, pricing: SelfHostedPricing) -> dict:
    """The model's row with `gpu_cost_usd`: its SFT GPU-hours at the GPU price."""
    return {**model, "gpu_cost_usd": round(model["gpu_hours"] * pricing.gpu_price_per_hour, 2)}


def priced_totals(steps: list[dict], models: list[dict], api_cost_usd: float,
                  pricing: SelfHostedPricing) -> dict:
    """What the whole run costs: list-price API calls + self-hosted LLM GPU-hours + SFT GPU-hours;
    `unpriced` names the LLM steps still without a price (a paid API missing from llm.pricing)."""
    hosted = [s for s in steps if s["gpu_cost_usd"] is not None]
    unpriced = [s for s in steps if s["requests"] and not s["price_known"] and s["gpu_cost_usd"] is None]
    llm_gpu = sum(s["gpu_cost_usd"] for s in hosted)
    train_gpu = sum(m["gpu_cost_usd"] for m in models)
    return {
        "api_cost_usd": round(api_cost_usd, 2),
        "self_hosted_gpu_hours": round(sum(s["gpu_hours"] for s in hosted), 2),
        "self_hosted_cost_usd": round(llm_gpu, 2),
        "training_cost_usd": round(train_gpu, 2),
        "total_cost_usd": round(api_cost_usd + llm_gpu + train_gpu, 2),
        "unpriced_steps": [s["step"] for s in unpriced],
        "unpriced_models": sorted({s["model"] for s in unpriced}),
        "assumptions": pricing.assumptions(),
    }
