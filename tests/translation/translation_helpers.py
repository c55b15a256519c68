"""Helpers of the translation stage tests (imported by name, like tests/llm/llm_helpers.py): a
run config in a temp folder, the stage's Dagster definitions (sources, translation and ops stages,
the real resources) and a full materialisation."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import yaml

from luth_assets.materialize import materialize_all
from luth_assets.resources import build_resources
from luth_assets.run_config import Settings
from luth_assets.stages.ops import definitions as ops_stage
from luth_assets.stages.sources import definitions as sources_stage
from luth_assets.stages.translation import definitions as translation_stage


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def write_config(path: Path, config: dict) -> Path:
    path.write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    return path


def stage_definitions(config_path: Path, lake: Path) -> dg.Definitions:
    settings = Settings(config_path=config_path, lake_root=str(lake))
    config = settings.load()
    return dg.Definitions.merge(*(stage.stage_definitions(config)
                                  for stage in (sources_stage, translation_stage, ops_stage)),
                                dg.Definitions(resources=build_resources(settings, config)))


@dataclass
class StageRun:
    failed: set[str] = field(default_factory=set)   # asset keys not materialised
    errors: list[str] = field(default_factory=list)  # the user's exception texts


def run_stage(config_path: Path, lake: Path, instance: dg.DagsterInstance) -> StageRun:
    """Materialise every asset of the two stages with Dagster: one run per partition of the
    partitioned assets (as `luth materialize` does), then ONE run for all the others (fewer
    runs keep the tests fast on a loaded machine)."""
    defs = stage_definitions(config_path, lake)
    graph = defs.resolve_asset_graph()
    keys = graph.materializable_asset_keys
    partitioned = [k for k in keys if graph.get(k).partitions_def is not None]
    report = materialize_all(defs, instance, selection=partitioned, log=lambda _: None)
    out = StageRun()
    for outcome in report.failures:
        out.failed |= set(outcome.keys)
        out.errors.append(outcome.error or "")
    rest = [k for k in keys if k not in partitioned]
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
        asset_selection=rest, instance=instance, raise_on_error=False)
    done = {e.asset_key for e in result.get_asset_materialization_events()}
    out.failed |= {k.to_user_string() for k in rest if k not in done}
    for event in result.all_events:
        if event.is_step_failure:
            error = event.event_specific_data.error
            while error.cause is not None:
                error = error.cause
            out.errors.append(f"{event.step_key}: {error.message.strip()}")
    return out


def check_evaluations(instance: dg.DagsterInstance) -> list:
    """Every asset check evaluation recorded in the instance's event log."""
    out = []
    for run in instance.get_runs():
        for entry in instance.all_logs(run.run_id):
            event = entry.dagster_event
            if event is not None and event.event_type_value == "ASSET_CHECK_EVALUATION":
                out.append(event.event_specific_data)
    return out
