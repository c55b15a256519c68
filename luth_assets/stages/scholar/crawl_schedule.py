"""The crawler's Dagster job and daily schedule: fetch new exam PDFs into the landing folder;
the landing sensor then pairs them and backfills them as new partitions."""

import dagster as dg

from luth_assets.resources import LakeResource
from luth_assets.run_config import RunConfig
from luth_assets.stages.scholar.crawl import crawl
from luth_assets.stages.scholar.settings import ScholarConfig


@dg.op(description="Fetch the new sujet and corrigé PDFs of `scholar.crawl.sources` into the "
       "landing folder (robots.txt, per-host interval, size cap, %PDF check, sha256 dedup).")
def scholar_crawl(context: dg.OpExecutionContext, lake: LakeResource,
                  run_config: dg.ResourceParam[RunConfig]) -> None:
    cfg = run_config.scholar
    landing = cfg.landing(lake.root)
    report = crawl(cfg.crawl, landing)
    context.log.info(f"{landing}: {report.outcomes}; written: {report.written}")


@dg.job(name="scholar_crawl_job", description="One crawl of the exam sources (scholar.crawl).")
def scholar_crawl_job():
    scholar_crawl()


def crawl_schedule(cfg: ScholarConfig) -> dg.ScheduleDefinition:
    """Daily by default (`scholar.crawl.cron`); running with the daemon only when sources are
    configured and `scholar.crawl.schedule_running` (the demo has none: off)."""
    running = cfg.crawl.schedule_running and bool(cfg.crawl.sources)
    return dg.ScheduleDefinition(
        name="scholar_crawl_schedule", job=scholar_crawl_job, cron_schedule=cfg.crawl.cron,
        default_status=dg.DefaultScheduleStatus.RUNNING if running else
        dg.DefaultScheduleStatus.STOPPED,
        description="Fetches new exam PDFs into the landing folder; the landing sensor "
        "backfills them.")
