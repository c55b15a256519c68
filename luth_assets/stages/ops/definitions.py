"""`ops/llm_calls` depends on every LLM-calling asset this run configuration has."""

import dagster as dg

from luth_assets.run_config import RunConfig
from luth_assets.stages import keys
from luth_assets.stages.ops.assets import llm_calls_asset


def llm_asset_keys(config: RunConfig) -> list[dg.AssetKey]:
    llm_assets = []
    if config.translation.sources:
        llm_assets += [keys.TRANSLATED_PROMPTS, keys.REGENERATED_RESPONSES]
    if config.translation.sources or config.sources:
        llm_assets.append(keys.JUDGED_SAMPLES)
    if config.training.sft_dataset is None:  # else the Scholar stage is left out
        llm_assets += [keys.SCHOLAR_ITEMS, keys.SCHOLAR_ITEMS_CLEAN]
    return llm_assets


def stage_definitions(config: RunConfig) -> dg.Definitions:
    return dg.Definitions(assets=[llm_calls_asset(llm_asset_keys(config))])
