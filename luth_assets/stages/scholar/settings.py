"""The `scholar:` section of the run configuration.

Stage: exam PDFs to question/answer items.
"""

from __future__ import annotations

from pathlib import Path

from luth_assets.lib.strict import StrictModel


class ScholarConfig(StrictModel):
    """Settings of the scholar stage. Unknown keys are errors."""

    def with_base(self, base: Path) -> ScholarConfig:
        """Resolve relative paths against the run configuration's folder (none yet)."""
        return self
