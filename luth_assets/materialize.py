"""Materialise the whole asset graph (or a selection), every partition, in dependency order.

This is what `make demo` runs (`luth materialize --all`). It uses Dagster's own `materialize`
against a persistent instance (``DAGSTER_HOME``), one run per asset node and partition, so the
UI afterwards shows every run, materialisation and check. A failed partition is reported and the
rest goes on; the command exits non-zero at the end if anything failed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import dagster as dg

from luth_assets.run_config import RunConfig, Settings


@dataclass
class RunOutcome:
    keys: list[str]
    partition: str | None
    success: bool
    seconds: float
    error: str | None = None


@dataclass
class MaterializeReport:
    outcomes: list[RunOutcome] = field(default_factory=list)

    @property
    def failures(self) -> list[RunOutcome]:
        return [o for o in self.outcomes if not o.success]


def _nodes_in_order(defs: dg.Definitions, selection: set[dg.AssetKey] | None):
    """Asset definitions (nodes) in topological order, each with the keys to materialise."""
    graph = defs.resolve_asset_graph()
    assets_defs = [a for a in graph.assets_defs
                   if a.is_materializable]
    order = {key: i for i, key in enumerate(graph.toposorted_asset_keys)}
    nodes = []
    for assets_def in assets_defs:
        keys = [k for k in assets_def.keys if selection is None or k in selection]
        if keys and not assets_def.can_subset:  # kept + rejects are written together
            keys = list(assets_def.keys)
        if keys:
            nodes.append((min(order[k] for k in keys), assets_def, keys))
    nodes.sort(key=lambda item: item[0])
    return [(assets_def, keys) for _, assets_def, keys in nodes]


def prepare_instance(settings: Settings, config: RunConfig, instance: dg.DagsterInstance) -> None:
    """Register the dynamic partitions a full materialisation needs: the exam pairs found in the
    Scholar landing folder (what the landing sensor does in a deployment)."""
    from luth_assets.stages.scholar.partitions import register_partitions

    register_partitions(instance, config.scholar, settings.lake_root)


def materialize_all(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    selection: Sequence[dg.AssetKey] | None = None,
    log: Callable[[str], None] = print,
    log_level: str = "WARNING",
    tags: dict[str, str] | None = None,
) -> MaterializeReport:
    report = MaterializeReport()
    wanted = set(selection) if selection else None
    job = defs.resolve_implicit_global_asset_job_def()
    nodes = _nodes_in_order(defs, wanted)
    total = sum(
        len(a.partitions_def.get_partition_keys(dynamic_partitions_store=instance))
        if a.partitions_def else 1
        for a, _ in nodes
    )
    done = 0
    for assets_def, keys in nodes:
        partition_keys: list[str | None] = (
            list(assets_def.partitions_def.get_partition_keys(dynamic_partitions_store=instance))
            if assets_def.partitions_def else [None]
        )
        names = [k.to_user_string() for k in keys]
        for partition in partition_keys:
            done += 1
            label = ", ".join(names) + (f" [{partition}]" if partition else "")
            started = time.perf_counter()
            error = None
            try:
                result = job.execute_in_process(
                    asset_selection=keys,
                    partition_key=partition,
                    instance=instance,
                    raise_on_error=False,
                    run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
                    tags={"luth/launched_by": "luth materialize", **(tags or {})},
                )
                success = result.success
                if not success:
                    error = _first_error(result)
            except Exception as err:  # a definition problem: report it, go on with the rest
                success, error = False, f"{type(err).__name__}: {err}"
            seconds = time.perf_counter() - started
            report.outcomes.append(RunOutcome(names, partition, success, seconds, error))
            status = "ok" if success else "FAILED"
            log(f"[{done}/{total}] {label}: {status} ({seconds:.1f}s)")
            if error:
                log(f"    {error}")
    return report


def _first_error(result: dg.ExecuteInProcessResult) -> str:
    for event in result.all_events:
        if event.is_failure and event.event_specific_data is not None:
            error = getattr(event.event_specific_data, "error", None)
            if error is not None:
                while error.cause is not None:  # the user's exception, not Dagster's wrapper
                    error = error.cause
                return f"{event.step_key}: {error.message.strip()}"
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            data = event.event_specific_data
            if not data.passed:
                return f"check {data.check_name} failed on {data.asset_key.to_user_string()}"
    return "run failed (see the Dagster UI for the event log)"
