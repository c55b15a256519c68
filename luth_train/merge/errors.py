"""The two exceptions of `luth merge`: the merge failed, or its output failed validation."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class MergeError(RuntimeError):
    """The merge itself (mergekit) failed, or the recipe is unusable."""


class MergeValidationError(MergeError):
    """The merged model failed post-merge validation; ``reasons`` lists every problem found."""

    def __init__(self, out_dir: str | Path, reasons: Sequence[str]):
        self.out_dir = str(out_dir)
        self.reasons = list(reasons)
        shown = "\n  - ".join(self.reasons[:20])
        more = f"\n  ... and {len(self.reasons) - 20} more" if len(self.reasons) > 20 else ""
        super().__init__(f"merged model {self.out_dir} failed validation:\n  - {shown}{more}")
