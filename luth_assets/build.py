"""Build the Dagster definitions for one run configuration and lake.

Nothing here runs at import time: `luth_assets.definitions` calls `build_definitions` when
Dagster loads the code location, reading `LUTH_CONFIG` / `LUTH_LAKE_ROOT` then. Tests call it
directly with a temporary lake. Each stage's `definitions.py` says which of its assets, checks and
sensors a run configuration gets (`stage_definitions(config)`); the assets themselves are in the
stage's `assets.py`.
"""

from __future__ import annotations

import dagster as dg

from luth_assets.conventions import with_conventions
from luth_assets.executors import executor_for
from luth_assets.lib.run_lease import leased_executor
from luth_assets.resources import build_resources
from luth_assets.run_config import RunConfig, Settings
from luth_assets.stages.curation.definitions import stage_definitions as curation
from luth_assets.stages.evaluation.definitions import stage_definitions as evaluation
from luth_assets.stages.merging.definitions import stage_definitions as merging
from luth_assets.stages.ops.definitions import stage_definitions as ops
from luth_assets.stages.scholar.definitions import stage_definitions as scholar
from luth_assets.stages.sources.definitions import stage_definitions as sources
from luth_assets.stages.training.definitions import stage_definitions as training
from luth_assets.stages.translation.definitions import stage_definitions as translation

STAGES = (sources, translation, scholar, curation, training, merging, evaluation, ops)


def build_definitions(settings: Settings, config: RunConfig | None = None) -> dg.Definitions:
    config = config or settings.load()
    stages = [with_conventions(stage(config), config.llm.provider) for stage in STAGES]
    # every run launched from the UI, the daemon or `execute_job` holds the lake's lease
    executor = leased_executor(executor_for(settings.executor) or dg.multi_or_in_process_executor,
                               settings.lake_root)
    return dg.Definitions.merge(*stages, dg.Definitions(resources=build_resources(settings, config),
                                                        executor=executor))
