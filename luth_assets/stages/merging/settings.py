"""The `merging:` section of the run configuration.

Stage: merged models (partition per recipe) and the FR/EN Pareto choice.
"""

from __future__ import annotations

from pathlib import Path

from luth_assets.lib.strict import StrictModel


class MergingConfig(StrictModel):
    """Settings of the merging stage. Unknown keys are errors."""

    def recipe_names(self) -> list[str]:
        """Names of the configured merge recipes (one `merged_models` partition each)."""
        return []

    def with_base(self, base: Path) -> MergingConfig:
        """Resolve relative paths against the run configuration's folder (none yet)."""
        return self
