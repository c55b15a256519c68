"""The `training:` section of the run configuration.

Stage: tiny/real base model and the SFT checkpoint (through Dagster Pipes).
"""

from __future__ import annotations

from pathlib import Path

from luth_assets.lib.strict import StrictModel


class TrainingConfig(StrictModel):
    """Settings of the training stage. Unknown keys are errors."""

    def with_base(self, base: Path) -> TrainingConfig:
        """Resolve relative paths against the run configuration's folder (none yet)."""
        return self
