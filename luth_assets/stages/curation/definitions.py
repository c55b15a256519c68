"""What the curation stage contributes: `gold/sft_mix` (+ rejects) and its checks; nothing when
`training.sft_dataset` names a published dataset to train on instead."""

import dagster as dg

from luth_assets.run_config import RunConfig
from luth_assets.stages.curation.assets import sft_mix
from luth_assets.stages.curation.checks import SFT_MIX_CHECKS


def stage_definitions(config: RunConfig) -> dg.Definitions:
    if config.training.sft_dataset is not None:  # training reads a published dataset instead
        return dg.Definitions()
    return dg.Definitions(assets=[sft_mix], asset_checks=SFT_MIX_CHECKS)
