"""The sources stage's section of the run configuration: `language_id:` (the sources themselves are
`sources:` entries, shared with the translation stage: `luth_assets.lib.source_config`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

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
    backend: Literal["cascade", "langdetect", "fasttext"] = Field(
        "cascade", description="cascade: fastText lid.176 decides, rows doubtful for the target "
        "language go to langdetect; langdetect: langdetect alone; fasttext: fastText alone")
    fasttext_min_probability: float | None = Field(
        None, ge=0.0, le=1.0, description="cascade: a turn fastText puts in the target language "
        "below this probability goes to langdetect; default (null) = min_probability")
    fasttext_min_margin: float = Field(
        0.1, ge=0.0, le=1.0, description="cascade: a turn with the target language in fastText's "
        "top two and their probabilities closer than this goes to langdetect")

    @model_validator(mode="after")
    def _cascade_floor(self) -> LanguageIdConfig:
        floor = self.fasttext_min_probability
        if floor is not None and floor < self.min_probability:
            raise ValueError(
                f"fasttext_min_probability ({floor}) is below min_probability "
                f"({self.min_probability}): fastText's answers in between would be rejected "
                "low_confidence instead of going to langdetect")
        return self
