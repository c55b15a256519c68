"""What the scholar stage contributes for a run configuration: its assets and checks, its two
sensors (default status and interval from `scholar:`), and the crawler's job and daily schedule
(`scholar.crawl`); nothing when `training.sft_dataset` names a published dataset to train on
(nothing would read the items)."""

import dagster as dg

from luth_assets.run_config import RunConfig
from luth_assets.stages.scholar.assets import (
    exam_pdfs,
    exam_texts,
    exam_unpaired,
    scholar_items,
    scholar_items_clean,
)
from luth_assets.stages.scholar.checks import exam_documents_accounted, scholar_items_accounted
from luth_assets.stages.scholar.crawl_schedule import crawl_schedule, scholar_crawl_job
from luth_assets.stages.scholar.sensors import automation_sensor, landing_sensor


def stage_definitions(config: RunConfig) -> dg.Definitions:
    if config.training.sft_dataset is not None:  # training reads a published dataset: no Scholar
        return dg.Definitions()
    return dg.Definitions(
        assets=[exam_unpaired, exam_pdfs, exam_texts, scholar_items, scholar_items_clean],
        asset_checks=[exam_documents_accounted, scholar_items_accounted],
        sensors=[landing_sensor(config.scholar), automation_sensor(config.scholar)],
        jobs=[scholar_crawl_job],
        schedules=[crawl_schedule(config.scholar)],
    )
