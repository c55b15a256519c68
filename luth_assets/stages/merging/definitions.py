"""What the merging stage contributes: nothing without recipes (`merging.recipes` /
`merging.sweep`), else `models/merged_models` (a partition per recipe) and `models/best_merge`."""

import dagster as dg

from luth_assets.run_config import RunConfig
from luth_assets.stages.merging.assets import best_merge, merged_models_asset
from luth_assets.stages.merging.checks import best_merge_on_front


def stage_definitions(config: RunConfig) -> dg.Definitions:
    recipes = config.merging.recipe_names()
    if not recipes:
        return dg.Definitions()
    return dg.Definitions(assets=[merged_models_asset(recipes), best_merge],
                          asset_checks=[best_merge_on_front])
