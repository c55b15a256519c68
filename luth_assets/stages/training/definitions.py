"""What the training stage contributes: `models/base_model` (the demo's tiny base, or the model
`training.base_model` names) and `models/sft_checkpoint` (on gold/sft_mix, or on the published
dataset `training.sft_dataset` names)."""

import dagster as dg

from luth_assets.run_config import RunConfig
from luth_assets.stages.training.assets import (
    demo_base_model,
    named_base_model,
    published_sft_checkpoint,
    sft_checkpoint,
)


def stage_definitions(config: RunConfig) -> dg.Definitions:
    base_model = named_base_model if config.training.base_model else demo_base_model
    checkpoint = published_sft_checkpoint if config.training.sft_dataset else sft_checkpoint
    return dg.Definitions(assets=[base_model, checkpoint])
