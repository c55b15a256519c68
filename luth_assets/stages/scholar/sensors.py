"""The scholar stage's sensors. Both are small factories: their default status and interval are
the run configuration's `scholar.sensor_running` / `scholar.sensor_interval_s`."""

import json

import dagster as dg

from luth_assets.resources import LakeResource
from luth_assets.stages.scholar import landing as landing_scan
from luth_assets.stages.scholar.assets import CLEAN, CLEAN_REJECTS, ITEMS, PER_EXAM, UNPAIRED
from luth_assets.stages.scholar.partitions import PARTITIONS, pair_defaults
from luth_assets.stages.scholar.settings import ScholarConfig


def _default_status(cfg: ScholarConfig) -> dg.DefaultSensorStatus:
    return dg.DefaultSensorStatus.RUNNING if cfg.sensor_running else \
        dg.DefaultSensorStatus.STOPPED


def landing_sensor(cfg: ScholarConfig) -> dg.SensorDefinition:
    """Registers new pairs of the landing folder as partitions, drops stale ones and requests a
    run for exactly the new pairs."""

    @dg.sensor(name="scholar_landing_sensor", target=dg.AssetSelection.assets(*PER_EXAM, UNPAIRED),
               minimum_interval_seconds=cfg.sensor_interval_s, default_status=_default_status(cfg),
               description="Watches the exam landing folder: registers each new or changed "
               "sujet/corrigé pair as a partition and runs it; drops stale partitions."
               + _status_note(cfg))
    def scholar_landing_sensor(context: dg.SensorEvaluationContext, lake: LakeResource):
        landing = cfg.landing(lake.root)
        registered = set(context.instance.get_dynamic_partitions(PARTITIONS.name))
        done = context.instance.get_materialized_partitions(ITEMS) & registered
        result = landing_scan.scan(landing, context.cursor, registered, done, pair_defaults(cfg))
        if result.unsettled:  # a file removed or half-written while read: the next tick
            return dg.SensorResult(skip_reason=result.unsettled, cursor=context.cursor)
        requests = [dg.RunRequest(partition_key=key, asset_selection=PER_EXAM,
                                  tags={"luth/exam": key}) for key in result.request]
        if result.files_changed and not requests:  # e.g. a lone sujet: refresh the listing
            requests.append(dg.RunRequest(asset_selection=[UNPAIRED]))
        partition_requests = []
        if result.add:
            partition_requests.append(PARTITIONS.build_add_request(result.add))
        if result.stale:
            partition_requests.append(PARTITIONS.build_delete_request(result.stale))
            landing_scan.drop_partition_files(lake.root, result.stale)
        if not requests and not partition_requests:
            return dg.SensorResult(skip_reason=f"no new or changed exam pair in {landing}",
                                   cursor=result.cursor)
        context.log.info(json.dumps({"add": result.add, "run": result.request,
                                     "stale": result.stale}))
        return dg.SensorResult(run_requests=requests, dynamic_partitions_requests=partition_requests,
                               cursor=result.cursor)

    return scholar_landing_sensor


def automation_sensor(cfg: ScholarConfig) -> dg.AutomationConditionSensorDefinition:
    """Declarative automation of the clean table and the unpaired listing."""
    return dg.AutomationConditionSensorDefinition(
        "scholar_automation_sensor", target=dg.AssetSelection.assets(CLEAN, CLEAN_REJECTS, UNPAIRED),
        default_status=_default_status(cfg), minimum_interval_seconds=max(30, cfg.sensor_interval_s),
        description="Brings scholar_items_clean (and the unpaired listing) up to date after new "
        "exam items land." + _status_note(cfg))


def _status_note(cfg: ScholarConfig) -> str:
    """The UI's word on why the sensor starts (or not) with the daemon."""
    if cfg.sensor_running:
        return (" Starts with the daemon (`scholar.sensor_running: true`, as in the deployment "
                "profiles profiles/machine and profiles/cluster).")
    return (" Stopped until started in the UI (`scholar.sensor_running: false`, the demo's default; "
            "the deployment profiles profiles/machine and profiles/cluster turn it on).")
