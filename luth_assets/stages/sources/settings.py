"""The sources stage's section of the run configuration: `language_id:` (the sources themselves are
`sources:` entries, shared with the translation stage: `luth_assets.lib.source_config`)."""

from __future__ import annotations

from pydantic import Field

from luth_assets.lib.strict import StrictModel


class LanguageIdConfig(StrictModel):
    min_probability: float = Field(0.80, ge=0.0, le=1.0, description="per-turn probability floor")
    min_chars: int = Field(8, ge=0, description="a turn shorter than this is rejected too_short")
    confirm_function_words: bool = Field(
        True, description="also require one function word of the target language in the row "
        "(catches languages langdetect has no profile for, e.g. Latin read as French)")
    seed: int = 0
    workers: int = Field(0, ge=0, description="detection processes; 0 = all cores")
    batch_size: int = Field(256, ge=1, description="rows per detection batch (one task for a worker)")
