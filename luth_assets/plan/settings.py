"""The `plan:` section of the run configuration: what `luth plan` assumes where it cannot count.

```yaml
plan:
  sample_rows: 1000                 # rows read per local source (token sizes, language-ID keep rate)
  assumed_prompt_tokens: 150        # a hub row's user turn, when no local sample exists
  assumed_answer_tokens: 442        # ... and its assistant turn (paper: 338M tokens / 570,623 rows)
  gpus: 1
  tokens_per_second_per_gpu: 20000  # training throughput (sequence tokens / s / GPU, padding included)
  packing_efficiency: null          # null: estimated from the sampled rows; 0.72: an assumption
  output_tokens: {quality_judge: 60}
  self_hosted: {output_tokens_per_second: 2000, gpu_price_per_hour: 2.50}   # plan/pricing.py
  models:                           # one SFT per entry (default: training.train_config)
    qwen3_0.6b: {train_config: ../train/paper/qwen3_0.6b.yaml, params_billions: 0.6, merge: slerp}
```
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from luth_assets.lib.strict import StrictModel
from luth_assets.plan.pricing import SelfHostedPricing

# Output tokens per call of each Scholar step when nothing better is known (a question list, an
# answer, a cleaned item). A judge's answer follows the prompt set (translation.prompts): a short
# JSON verdict (ours, 60) or True/False (the authors', 2).
DEFAULT_OUTPUT_TOKENS: dict[str, int] = {
    "scholar_questions": 1500, "scholar_answers": 400, "scholar_clean": 700,
}


class PlannedModel(StrictModel):
    train_config: Path = Field(description="luth_train YAML of this model's SFT")
    params_billions: float | None = Field(
        None, gt=0.0, description="parameters (billions), for checkpoint and merge disk")
    tokens_per_second_per_gpu: float | None = Field(
        None, gt=0.0, description="this model's throughput; default plan.tokens_per_second_per_gpu")
    gpus: int | None = Field(None, ge=1, description="default plan.gpus")
    merge: Literal["slerp", "linear", "none"] = Field(
        "linear", description="how it is merged back with its base (SLERP for Qwen3, LERP for LFM2)")
    merge_recipes: int = Field(1, ge=0, description="merged models written (disk)")


class PlanConfig(StrictModel):
    sample_rows: int = Field(1000, ge=1, description="rows read per local source for the estimates")
    assumed_prompt_tokens: int = Field(
        150, ge=1, description="user-turn tokens of a row of a hub source (no local sample)")
    assumed_answer_tokens: int = Field(
        442, ge=1, description="assistant-turn tokens of a row of a hub source; with "
        "assumed_prompt_tokens, the paper's 338M tokens / 570,623 rows = 592 per row")
    assumed_chunks_per_exam: float = Field(
        1.0, gt=0.0, description="sujet chunks per exam when the PDFs are not here")
    gpus: int = Field(1, ge=1, description="GPUs of the training machine")
    tokens_per_second_per_gpu: float = Field(
        20000.0, gt=0.0, description="training throughput per GPU (tokens of packed sequences "
        "per second, padding included)")
    packing_efficiency: float | None = Field(
        None, gt=0.0, le=1.0, description="share of a packed sequence's tokens that are real rows "
        "(rows do not fill 16,384-token sequences exactly): steps and GPU-hours are divided by "
        "it. Set: an assumption stated in the plan; null: estimated by packing the sampled local "
        "rows' token lengths as the trainer packs them (luth_train/packing.py), 1.0 when no "
        "local row is here")
    output_tokens: dict[str, int] = Field(
        default_factory=dict, description="output tokens per call of an LLM step (overrides the "
        "defaults: quality_judge and cleaning_judge 60 with translation.prompts ours, 2 with "
        "authors; scholar_questions 1500, scholar_answers 400, scholar_clean 700)")
    models: dict[str, PlannedModel] = Field(
        default_factory=dict, description="models to plan an SFT for; default: the training "
        "section's model")
    self_hosted: SelfHostedPricing = Field(
        default_factory=SelfHostedPricing, description="throughputs and GPU price that price the "
        "self-hosted LLM steps and the SFT runs (luth_assets/plan/pricing.py)")

    def with_base(self, base: Path) -> PlanConfig:
        models = {name: m if m.train_config.is_absolute() else m.model_copy(
            update={"train_config": (base / m.train_config).resolve()})
            for name, m in self.models.items()}
        return self.model_copy(update={"models": models})

    def output_tokens_for(self, step: str) -> int | None:
        return self.output_tokens.get(step, DEFAULT_OUTPUT_TOKENS.get(step))
