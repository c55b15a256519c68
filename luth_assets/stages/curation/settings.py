"""The `curation:` section of the run configuration.

Stage: the SFT mix: dedup, decontamination, mixing, split, data card.
"""

from __future__ import annotations

from pathlib import Path

from luth_assets.lib.strict import StrictModel


class CurationConfig(StrictModel):
    """Settings of the curation stage. Unknown keys are errors."""

    def with_base(self, base: Path) -> CurationConfig:
        """Resolve relative paths against the run configuration's folder (none yet)."""
        return self
