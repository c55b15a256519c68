"""What the sources stage contributes for a run configuration: nothing without `sources:`."""

import dagster as dg

from luth_assets.lib.shards import shard_keys
from luth_assets.run_config import RunConfig
from luth_assets.stages.sources.assets import raw_multilingual_asset, target_slices_asset


def stage_definitions(config: RunConfig) -> dg.Definitions:
    if not config.sources:
        return dg.Definitions()
    return dg.Definitions(assets=[
        raw_multilingual_asset(shard_keys(config.sources)),
        target_slices_asset(config.target_language, config.language_id.min_probability),
    ])
