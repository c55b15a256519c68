"""Base for configuration models: frozen, and unknown keys are errors (a typo never silently
falls back to a default)."""

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
