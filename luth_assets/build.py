"""Build the Dagster definitions for one run configuration and lake.

Nothing here runs at import time: `luth_assets.definitions` calls `build_definitions` when
Dagster loads the code location, reading `LUTH_CONFIG` / `LUTH_LAKE_ROOT` then. Tests call it
directly with a temporary lake.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

import dagster as dg

from luth_assets.lib.config import RunConfig, Settings
from luth_assets.resources import build_resources
from luth_assets.stages import STAGES


@dataclass(frozen=True)
class BuildContext:
    settings: Settings
    config: RunConfig


def stage_modules() -> list[ModuleType]:
    return [importlib.import_module(f"luth_assets.stages.{name}.definitions") for name in STAGES]


def build_definitions(settings: Settings, config: RunConfig | None = None) -> dg.Definitions:
    ctx = BuildContext(settings=settings, config=config or settings.load())
    parts = [module.build_defs(ctx) for module in stage_modules()]
    return dg.Definitions.merge(*parts, dg.Definitions(resources=build_resources(settings)))
