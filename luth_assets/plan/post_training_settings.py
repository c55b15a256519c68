"""The `post_training:` section of the run configuration: the Luth-2 recipe after the SFT, as
`luth plan` prices it (reinforcement-learning specialists distilled back into the SFT model).

Optional: a run without it is the paper's recipe (SFT, then merging). Every throughput here is an
assumption of the configuration, printed beside the plan's lines; measure yours and set them.

```yaml
post_training:
  sft_mix:                        # the SFT data by domain, when it is not built by this run's stages
    total_tokens: 3000000000      # Luth-2: about 3B tokens
    tokens_per_row: 1500          # assumed mean conversation length (rows = tokens / this)
    shares: {math: 0.372, knowledge: 0.279, code: 0.222, instruction_following: 0.065,
             tool_calling: 0.063}
  rl_specialists:                 # one GRPO run per domain and base model
    math: {reward: math, steps: 500, prompts_per_step: 64, generations_per_prompt: 8,
           prompt_tokens: 200, completion_tokens: 2048}
  distillation:                   # the specialists distilled back, on-policy, one teacher per domain
    steps: 1000
    prompts_per_step: 64
    prompt_tokens: 200
    completion_tokens: 2048
  throughput:                     # tokens per second per GPU, per base model (assumptions)
    qwen3.5_0.8b: {generation: 20000, training: 30000, scoring: 60000}
```
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from luth_assets.lib.strict import StrictModel

REWARDS = ("math", "instruction_following", "code")


class SftMix(StrictModel):
    """The SFT mix as stated shares of tokens by domain (Luth-2's published composition)."""

    total_tokens: int = Field(gt=0, description="tokens of the whole SFT mix")
    tokens_per_row: int = Field(1500, gt=0, description="assumed mean tokens of one conversation")
    shares: dict[str, float] = Field(description="domain -> share of the tokens (they sum to 1)")
    validation_share: float = Field(0.0, ge=0.0, lt=1.0, description="held out from training")

    @field_validator("shares")
    @classmethod
    def _sum_to_one(cls, value: dict[str, float]) -> dict[str, float]:
        if not value or any(v < 0 for v in value.values()):
            raise ValueError("shares: one non-negative share per domain")
        total = sum(value.values())
        if abs(total - 1.0) > 0.005:
            raise ValueError(f"shares sum to {total:.4f}; they must sum to 1 (within 0.005)")
        return value


class RlSpecialist(StrictModel):
    """One GRPO specialist: a verifiable reward and its rollout geometry."""

    reward: Literal["math", "instruction_following", "code"] = Field(
        description="the verifiable reward (luth_train/rewards.py)")
    steps: int = Field(gt=0, description="optimizer steps")
    prompts_per_step: int = Field(64, gt=0, description="prompts per step")
    generations_per_prompt: int = Field(8, gt=1, description="GRPO group size (completions per prompt)")
    prompt_tokens: int = Field(200, gt=0, description="assumed mean prompt tokens")
    completion_tokens: int = Field(1024, gt=0, description="assumed mean completion tokens")
    reference_model: bool = Field(True, description="a KL term against the SFT model (one more "
                                  "forward pass per token)")


class Distillation(StrictModel):
    """On-policy distillation of the specialists into the SFT model: the student samples, the
    prompt's domain teacher scores every sampled token, the student learns from those scores."""

    steps: int = Field(gt=0)
    prompts_per_step: int = Field(64, gt=0)
    generations_per_prompt: int = Field(1, ge=1)
    prompt_tokens: int = Field(200, gt=0)
    completion_tokens: int = Field(1024, gt=0)


class Throughput(StrictModel):
    """Tokens per second per GPU of one base model, by kind of work (assumptions)."""

    generation: float = Field(gt=0.0, description="rollout tokens generated (vLLM)")
    training: float = Field(gt=0.0, description="tokens through forward + backward of the policy")
    scoring: float = Field(gt=0.0, description="tokens through a forward pass only (reference, teacher)")


class PostTrainingConfig(StrictModel):
    sft_mix: SftMix | None = None
    rl_specialists: dict[str, RlSpecialist] = Field(default_factory=dict)
    distillation: Distillation | None = None
    gpus: int = Field(1, ge=1, description="GPUs of one RL or distillation run")
    throughput: dict[str, Throughput] = Field(
        default_factory=dict, description="base model name (as in plan.models) -> throughputs")
