"""The `evaluation:` section of the run configuration.

Stage: benchmark registry, per-sample scores, the score table.

    evaluation:
      benchmarks:                  # which benchmarks run (empty: the paper's twelve, from the hub;
                                   # the newer ones, mgsm_fr/en, aime24_en, aime25_en, when named)
        arc_challenge_fr: {path: benchmarks/arc_challenge_fr.jsonl}
        mmlu_fr: {path: /data/mmlu_fr/test, format: mmlu_csv}
        hellaswag_en: {}           # the registry's hub id and split
      limit: 4                     # first N items per benchmark (null: all)
      use_chat_template: true      # the authors' protocol (every task, log-likelihood ones too)
      system_prompt: "You are a helpful assistant."
      enable_thinking: false       # passed to the chat template; thinking: answer after </think>
      preset: luth2                # optional: the Luth-2 protocol for the keys not set here
      temperature: 0.0             # 0: greedy (the paper); > 0: sampled with top_p / top_k
      top_p: 1.0
      top_k: null
      seed: 0                      # sampling seed of the first run (run r: seed + r)
      num_runs: 3                  # mean and standard deviation per benchmark in the score table
      max_new_tokens: 8192         # overrides every generative task's size (null: each task's own)
      hellaswag_fr_scoring: authors  # whole reply vs the gold letter; first_token: 1 token, scored
      gpqa_order: authors          # the authors' answer order (seed 1234, same every run); per_run
      math_scoring: authors        # the authors' MATH-500 comparison; corrected (shown beside it)
      batch_size: 8
      backend: transformers        # or vllm (GPU)
      language_loss: {enabled: true, max_texts: 64}
      models:                      # more models scored beside base, sft and the merges
        luth-0.6b-instruct: kurakurai/Luth-0.6B-Instruct
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from luth_assets.lib.strict import StrictModel


class BenchmarkSource(StrictModel):
    """Where one benchmark's items come from; unset fields keep the registry's values."""

    path: str | None = Field(None, description="local file (or folder for mmlu_csv), relative to the config")
    format: str | None = Field(None, description="row shape, see luth_train.evaluation.registry.FORMATS")
    hub_id: str | None = None
    hub_config: str | None = None
    split: str | None = None


class LanguageLossConfig(StrictModel):
    """Loss-based view: mean token loss on held-out French (gold/sft_mix validation split) and
    English (bronze/english_seed_prompts) text, as `language_loss_fr` / `language_loss_en`."""

    enabled: bool = True
    max_texts: int = Field(64, ge=1, description="texts per language (first by table order)")


class EvaluationConfig(StrictModel):
    """Settings of the evaluation stage. Unknown keys are errors."""

    benchmarks: dict[str, BenchmarkSource] = Field(
        default_factory=dict, description="benchmark name -> source; empty: all twelve from the hub"
    )
    limit: int | None = Field(None, ge=1, description="first N items of each benchmark (null: all)")
    use_chat_template: bool = Field(
        True, description="apply the model's chat template on every task (the authors' protocol)"
    )
    system_prompt: str | None = Field(
        "You are a helpful assistant.", description="system turn (the authors'); null: none"
    )
    enable_thinking: bool = Field(
        False, description="passed to the chat template; when true the answer is the text after </think>"
    )
    preset: Literal["luth2"] | None = Field(
        None,
        description="a named protocol for the keys not set here: luth2 = the Luth-2 release's "
        "(temperature 0.6, top_p 0.95, top_k 20, thinking off, 10 runs, mean and standard deviation)",
    )
    temperature: float = Field(0.0, ge=0.0, le=2.0, description="0: greedy decoding (the authors'); "
                               "> 0: sampled, each run with its own seed")
    top_p: float = Field(1.0, gt=0.0, le=1.0, description="nucleus sampling (when temperature > 0)")
    top_k: int | None = Field(None, ge=1, description="top-k sampling (when temperature > 0); null: off")
    seed: int = Field(0, ge=0, description="sampling seed of the first run; run r samples with seed + r")
    num_runs: int = Field(3, ge=1, description="runs averaged per benchmark (the authors: 3)")
    max_new_tokens: int | None = Field(
        None,
        ge=1,
        description="generation size of every generative task, over the task's own (the authors: "
        "8192, as lighteval 0.10's vLLM model reads it); null: each task's own size",
    )
    hellaswag_fr_scoring: Literal["authors", "first_token"] = Field(
        "authors",
        description="authors: generate with the task's size after max_new_tokens and exact-match the "
        "whole reply with the gold letter; first_token: always the task's own size (1 token)",
    )
    gpqa_order: Literal["authors", "per_run"] = Field(
        "authors",
        description="authors: each GPQA answer where the authors' pipeline put it (random.seed(1234), "
        "tasks in sorted order; the same every run); per_run: seeded per item and run",
    )
    math_scoring: Literal["authors", "corrected"] = Field(
        "authors",
        description="authors: their MATH-500 metric (a Doc passed as precision: a float answer never "
        "matches a fraction); corrected: lighteval's comparison as meant. The other is a column beside",
    )
    language_loss: LanguageLossConfig = Field(default_factory=LanguageLossConfig)
    models: dict[str, str] = Field(
        default_factory=dict, description="more models scored beside base, sft and the merges: "
        "name -> hub id or local folder (the published checkpoints: kurakurai/Luth-0.6B-Instruct)")
    batch_size: int = Field(8, ge=1)
    backend: Literal["transformers", "vllm"] = "transformers"
    device: str | None = Field(None, description="cpu, cuda, ... (default: cuda when available)")
    nltk_data: str | None = Field(
        None,
        description="folder with NLTK's tokenizers/punkt_tab (IFEval "
        "sentence counts); relative to the config",
    )

    @model_validator(mode="before")
    @classmethod
    def _preset(cls, data: Any) -> Any:
        from luth_train.evaluation.variants import apply_preset

        return apply_preset(data) if isinstance(data, dict) else data

    @field_validator("benchmarks")
    @classmethod
    def _known(cls, value: dict[str, BenchmarkSource]) -> dict[str, BenchmarkSource]:
        from luth_train.evaluation.registry import FORMATS, KNOWN_NAMES

        for name, source in value.items():
            if name not in KNOWN_NAMES:
                raise ValueError(f"unknown benchmark {name!r}; known: {', '.join(KNOWN_NAMES)}")
            if source.format is not None and source.format not in FORMATS:
                raise ValueError(f"{name}.format {source.format!r} is not one of {', '.join(FORMATS)}")
        return value

    @field_validator("models")
    @classmethod
    def _model_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name, where in value.items():
            if name in ("base", "sft") or name.startswith("merge-"):
                raise ValueError(f"{name!r} is one of the run's own models (base, sft, merge-<recipe>); "
                                 "give the extra model another name")
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
                raise ValueError(f"model name {name!r}: letters, digits, '.', '_' and '-' only")
            if not where.strip():
                raise ValueError(f"model {name!r}: empty hub id or path")
        return value

    def with_base(self, base: Path) -> EvaluationConfig:
        """Resolve relative paths against the run configuration's folder."""
        from luth_train.evaluation.sources import resolve_path

        benchmarks = {
            name: src.model_copy(update={"path": resolve_path(src.path, base)})
            for name, src in self.benchmarks.items()
        }
        # a local folder named relative to the config ("./ckpt"); else a hub id
        models = {name: str((base / where).resolve())
                  if where.startswith(".") or (base / where).is_dir() else where
                  for name, where in self.models.items()}
        return self.model_copy(
            update={"benchmarks": benchmarks, "nltk_data": resolve_path(self.nltk_data, base),
                    "models": models}
        )

    def specs(self) -> dict:
        """name -> `BenchmarkSpec` of the benchmarks this run evaluates (registry order)."""
        from luth_train.evaluation.registry import KNOWN_NAMES
        from luth_train.evaluation.sources import specs_from_mapping

        mapping = {name: src.model_dump(exclude_none=True) for name, src in self.benchmarks.items()}
        specs = specs_from_mapping(mapping)
        return {name: specs[name] for name in KNOWN_NAMES if name in specs}

    def benchmark_names(self) -> list[str]:
        return list(self.specs())

    def loss_names(self) -> list[str]:
        """The loss-based view's partitions (`language_loss_fr`, `language_loss_en`) when enabled."""
        from luth_train.evaluation.registry import LANGUAGE_LOSS_NAMES

        return list(LANGUAGE_LOSS_NAMES) if self.language_loss.enabled else []

    def options(self, limit: int | None = None):
        from luth_train.evaluation.runner import EvalOptions

        return EvalOptions(
            limit=limit or self.limit,
            batch_size=self.batch_size,
            max_new_tokens=self.max_new_tokens,
            use_chat_template=self.use_chat_template,
            system_prompt=self.system_prompt,
            enable_thinking=self.enable_thinking,
            temperature=self.temperature,
            top_p=self.top_p,
            top_k=self.top_k,
            seed=self.seed,
            num_runs=self.num_runs,
            backend=self.backend,
            device=self.device,
            nltk_data=self.nltk_data,
            hellaswag_fr_scoring=self.hellaswag_fr_scoring,
            gpqa_order=self.gpqa_order,
            math_scoring=self.math_scoring,
        )
