"""What the translation stage contributes for a run configuration: the seed chain when
`translation.sources` is set, the judges when there is anything to judge."""

import dagster as dg

from luth_assets.run_config import RunConfig
from luth_assets.stages import keys
from luth_assets.stages.translation.assets import (
    english_seed_prompts_asset,
    judged_samples_asset,
    regenerated_responses_asset,
    translated_prompts_asset,
)


def stage_definitions(config: RunConfig) -> dg.Definitions:
    assets: list = []
    shards = config.translation.shards
    subsets: dict[str, dg.AssetKey] = {}
    if config.sources:
        subsets["gathered"] = keys.slices_key(config.target_language)
    if config.translation.sources:
        assets += [english_seed_prompts_asset(list(config.translation.sources)),
                   translated_prompts_asset(shards), regenerated_responses_asset(shards)]
        subsets["translated"] = keys.REGENERATED_RESPONSES
    if subsets:
        assets.append(judged_samples_asset(subsets, shards))
    return dg.Definitions(assets=assets)
