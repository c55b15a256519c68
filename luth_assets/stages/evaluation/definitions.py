"""What the evaluation stage contributes: benchmark items (a partition per configured benchmark),
per-sample scores (model x benchmark) with a check per cell, and the score table."""

import dagster as dg

from luth_assets.lib.models import evaluated_models
from luth_assets.run_config import RunConfig
from luth_assets.stages.evaluation.assets import (
    benchmark_items_asset,
    benchmark_scores_asset,
    score_table,
)
from luth_assets.stages.evaluation.cell_checks import benchmark_scores_check
from luth_assets.stages.evaluation.checks import score_table_complete
from luth_assets.stages.evaluation.item_checks import benchmark_items_check


def stage_definitions(config: RunConfig) -> dg.Definitions:
    settings = config.evaluation
    benchmarks = list(settings.specs()) + settings.loss_names()
    with_merges = bool(config.merging.recipe_names())
    scores = benchmark_scores_asset(evaluated_models(config), benchmarks, with_merges,
                                    settings.language_loss.enabled)
    items = benchmark_items_asset(benchmarks)
    return dg.Definitions(
        assets=[items, scores, score_table],
        asset_checks=[score_table_complete, benchmark_scores_check(scores.partitions_def),
                      benchmark_items_check(items.partitions_def)])
