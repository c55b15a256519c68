"""One `luth materialize` as one unit in the Dagster UI, as a deployment would show it.

The runs still execute in this process (one per asset node and partition, in dependency order:
fast, and a failed partition does not stop the rest), but:

- every run belongs to the `luth` code location of `workspace.yaml` (its job origin names the
  location and repository), so the Overview timeline shows it and the UI can re-execute it;
- all the runs of one command form one asset backfill, titled after the command, listed in the
  Backfills tab with its partitions and its final status.

Dagster has no public call to record an in-process run under a code location or to record a
backfill executed elsewhere; this module uses the internal records the daemon itself writes
(pinned Dagster version, see pyproject.toml), and nothing else depends on them.
"""

from __future__ import annotations

import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

LOCATION_NAME = "luth"  # workspace.yaml's location_name
MODULE_NAME = "luth_assets.definitions"
REPOSITORY_NAME = "__repository__"  # what @dg.definitions is called in the UI
ASSET_JOB = "__ASSET_JOB"
REPO = Path(__file__).resolve().parents[1]


def asset_job_origin(location: str = LOCATION_NAME):
    """The origin the UI gives runs of the implicit asset job of the `luth` code location."""
    from dagster._core.remote_origin import (
        ManagedGrpcPythonEnvCodeLocationOrigin,
        RemoteJobOrigin,
        RemoteRepositoryOrigin,
    )
    from dagster._core.types.loadable_target_origin import LoadableTargetOrigin

    target = LoadableTargetOrigin(executable_path=sys.executable, module_name=MODULE_NAME,
                                  working_directory=str(REPO))
    location_origin = ManagedGrpcPythonEnvCodeLocationOrigin(target, location)
    return RemoteJobOrigin(RemoteRepositoryOrigin(location_origin, REPOSITORY_NAME), ASSET_JOB)


@dataclass
class DemoUnit:
    """The backfill that groups one command's runs; `tags` go on every run."""

    backfill_id: str
    title: str
    tags: dict[str, str] = field(default_factory=dict)


MAX_TITLE = 100  # Dagster refuses longer backfill titles


def short_title(title: str) -> str:
    """`title` cut at a word to fit Dagster's limit, saying how many words were left out."""
    if len(title) <= MAX_TITLE:
        return title
    words, kept = title.split(), []
    for i, word in enumerate(words):
        suffix = f" (+{len(words) - i} more)"
        if len(" ".join([*kept, word])) + len(suffix) > MAX_TITLE:
            return " ".join(kept) + suffix
        kept.append(word)
    return " ".join(kept)


@contextmanager
def as_one_unit(instance: dg.DagsterInstance, defs: dg.Definitions, keys: Sequence[dg.AssetKey],
                title: str) -> Iterator[DemoUnit]:
    """Runs created inside belong to the code location and to one backfill over `keys` (all
    their partitions); the backfill ends COMPLETED_SUCCESS, or COMPLETED_FAILED when a run failed."""
    from dagster._core.execution.backfill import BulkActionStatus, PartitionBackfill
    from dagster._core.storage.dagster_run import DagsterRunStatus, RunsFilter
    from dagster._core.storage.tags import BACKFILL_ID_TAG, REPOSITORY_LABEL_TAG

    graph = defs.resolve_asset_graph()
    backfill_id = uuid.uuid4().hex[:8]
    started = time.time()
    title = short_title(title)
    unit = DemoUnit(backfill_id, title, {BACKFILL_ID_TAG: backfill_id,
                                         REPOSITORY_LABEL_TAG: f"{REPOSITORY_NAME}@{LOCATION_NAME}"})
    backfill = PartitionBackfill.from_asset_partitions(
        backfill_id=backfill_id, asset_graph=graph, partition_names=None,
        asset_selection=list(keys), backfill_timestamp=started, tags={"luth/command": title},
        dynamic_partitions_store=instance, all_partitions=True, title=title,
        description="luth materialize: every partition of the selection, run in dependency order",
        run_config=None)
    origin = asset_job_origin()
    create_run = instance.create_run_for_job

    def create_run_for_job(*args, **kwargs):  # what core_execute_in_process calls, plus the origin
        kwargs.setdefault("remote_job_origin", origin)
        return create_run(*args, **kwargs)

    instance.create_run_for_job = create_run_for_job  # this instance object only
    try:
        yield unit
    finally:
        del instance.create_run_for_job
        runs = instance.get_runs(RunsFilter(tags={BACKFILL_ID_TAG: backfill_id}))
        failed = any(r.status != DagsterRunStatus.SUCCESS for r in runs) or not runs
        data = backfill.asset_backfill_data
        target = data.target_subset
        done = data._replace(requested_subset=target,
                             materialized_subset=target if not failed else data.materialized_subset)
        status = BulkActionStatus.COMPLETED_FAILED if failed else BulkActionStatus.COMPLETED_SUCCESS
        record = (backfill.with_asset_backfill_data(done, dynamic_partitions_store=instance,
                                                    asset_graph=graph)
                  .with_status(status).with_end_timestamp(time.time()))
        instance.add_backfill(record)
