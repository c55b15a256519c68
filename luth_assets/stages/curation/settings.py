"""The `curation:` section of the run configuration.

Stage: the SFT mix: chat schema, exact and near dedup, benchmark decontamination, token counts,
weighting, validation split, data card. Every key has a default, so `curation: {}` is valid.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from luth_assets.lib.strict import StrictModel

SUBSETS = ("scholar", "gathered", "translated")


class SystemPromptConfig(StrictModel):
    """What to do with system prompts: keep the rows' own, drop them all, or set one for every row."""

    policy: Literal["keep", "drop", "set"] = "keep"
    text: str | None = Field(None, description="the system prompt written when policy is `set`")

    @model_validator(mode="after")
    def _text_for_set(self) -> SystemPromptConfig:
        if self.policy == "set" and not (self.text and self.text.strip()):
            raise ValueError("system_prompt.text is required when policy is 'set'")
        return self


class NearDedupConfig(StrictModel):
    enabled: bool = True
    threshold: float = Field(0.5, gt=0.0, le=1.0,
                             description="Jaccard similarity of word shingles at which two rows "
                             "are near-duplicates (LSH bands are tuned for it; pairs are verified)")
    num_perm: int = Field(128, ge=16, le=1024, description="MinHash permutations")
    shingle_words: int = Field(2, ge=1, le=10, description="words per shingle")
    seed: int = 1


class DedupConfig(StrictModel):
    subset_priority: list[str] = Field(
        default_factory=lambda: list(SUBSETS),
        description="which row of a duplicate cluster is kept: the first subset in this list, "
        "ties broken by the smallest sample_id")
    near: NearDedupConfig = Field(default_factory=NearDedupConfig)


class DecontaminationConfig(StrictModel):
    enabled: bool = Field(True, description="false: no row is matched against the benchmarks "
                          "(the authors' curation)")
    ngram: int = Field(13, ge=3, le=50, description="words per n-gram (normalised words)")
    min_words: int = Field(
        8, ge=1, description="benchmark texts shorter than `ngram` words but at least this long "
        "are matched whole (as one n-gram of their own length); shorter ones are ignored")
    fields: list[Literal["question", "answer", "choices"]] = Field(
        default_factory=lambda: ["question", "answer", "choices"],
        description="benchmark_items columns whose text is indexed")
    require_benchmarks: bool = Field(
        True, description="fail when gold/benchmark_items holds no rows (never skip silently)")


class SubsetMixConfig(StrictModel):
    weight: float = Field(1.0, ge=0.0, description="copies per train row: 2.0 doubles the subset, "
                          "0.5 keeps half (deterministic by seed); fractions are drawn by seed")
    cap: int | None = Field(None, ge=0, description="at most this many train rows after weighting")


class MixingConfig(StrictModel):
    seed: int = 0
    validation_share: float = Field(0.05, ge=0.0, lt=1.0,
                                    description="share of each subset held out for validation")
    subsets: dict[str, SubsetMixConfig] = Field(default_factory=dict,
                                                description="per-subset weight/cap; default 1.0")


class CurationConfig(StrictModel):
    """Settings of the curation stage. Unknown keys are errors."""

    system_prompt: SystemPromptConfig = Field(default_factory=SystemPromptConfig)
    dedup: DedupConfig = Field(default_factory=DedupConfig)
    decontamination: DecontaminationConfig = Field(default_factory=DecontaminationConfig)
    mixing: MixingConfig = Field(default_factory=MixingConfig)
    max_tokens: int = Field(4096, ge=8, description="rows longer than this (chat template "
                            "applied, base tokenizer) are rejected `too_long`")
    min_target_language_share: float = Field(
        0.9, ge=0.0, le=1.0, description="asset check: share of mix rows langdetect puts in the "
        "target language")
    batch_size: int = Field(5000, ge=1, description="rows per batch in dedup/decontamination/tokens")
    push_to_hub: str | None = Field(None, description="hub dataset repo id (owner/name) to push "
                                    "gold/sft_mix_dataset/ to, card included; unset: no push")
    hub_id: str | None = Field(
        None, description="hub dataset id the dataset card loads from and the model cards link "
        "(owner/name); unset: push_to_hub, else the card shows `<user>/luth-sft` to replace")

    def dataset_hub_id(self) -> str | None:
        """The hub id of the SFT mix dataset: `hub_id`, else `push_to_hub`; None when neither."""
        return self.hub_id or self.push_to_hub

    def with_base(self, base: Path) -> CurationConfig:
        """Resolve relative paths against the run configuration's folder (none yet)."""
        return self
