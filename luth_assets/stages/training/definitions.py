"""What the training stage contributes: `models/base_model` (the demo's tiny base, or the model
`training.base_model` names) and `models/sft_checkpoint`."""

import dagster as dg

from luth_assets.run_config import RunConfig
from luth_assets.stages.training.assets import demo_base_model, named_base_model, sft_checkpoint


def stage_definitions(config: RunConfig) -> dg.Definitions:
    base_model = named_base_model if config.training.base_model else demo_base_model
    return dg.Definitions(assets=[base_model, sft_checkpoint])
