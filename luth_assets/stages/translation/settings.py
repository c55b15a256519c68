"""The `translation:` section of the run configuration.

Stage: English seed prompts, translation into the target language, regenerated answers, judges.
"""

from __future__ import annotations

from pathlib import Path

from luth_assets.lib.strict import StrictModel


class TranslationConfig(StrictModel):
    """Settings of the translation stage. Unknown keys are errors."""

    def with_base(self, base: Path) -> TranslationConfig:
        """Resolve relative paths against the run configuration's folder (none yet)."""
        return self
