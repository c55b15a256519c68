"""The `evaluation:` section of the run configuration.

Stage: benchmark registry, per-sample scores, the score table.
"""

from __future__ import annotations

from pathlib import Path

from luth_assets.lib.strict import StrictModel


class EvaluationConfig(StrictModel):
    """Settings of the evaluation stage. Unknown keys are errors."""

    def with_base(self, base: Path) -> EvaluationConfig:
        """Resolve relative paths against the run configuration's folder (none yet)."""
        return self
