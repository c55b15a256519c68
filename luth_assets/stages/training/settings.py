"""The `training:` section of the run configuration.

Stage: tiny/real base model and the SFT checkpoint (through Dagster Pipes).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from luth_assets.lib.strict import StrictModel


class TrainingConfig(StrictModel):
    """Settings of the training stage. Unknown keys are errors."""

    base_model: str | None = Field(
        None, description="hub id (Qwen/Qwen3-0.6B) or local checkpoint path of the base model; "
        "unset: the demo's tiny Qwen3 base built by the `base_model` asset")

    def with_base(self, base: Path) -> TrainingConfig:
        """Resolve relative paths against the run configuration's folder (none yet)."""
        return self
