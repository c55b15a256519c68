"""Partitions whose latest materialisation failed: their Parquet file, if any, is stale.

A source partition that fails (a bad JSONL line) keeps the file its previous run wrote. The lake's
IO manager asks :func:`failed_partitions` before handing partitions to a downstream asset and
leaves those out (when the input allows missing partitions, so the asset names them in its
metadata, e.g. ``sources_missing``) or fails naming them.
"""

from __future__ import annotations

from collections.abc import Iterable

import dagster as dg

FAILED = (dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED)


def failed_partitions(instance: dg.DagsterInstance, key: dg.AssetKey,
                      partitions: Iterable[str]) -> dict[str, str]:
    """partition -> id of the failed run, for each of `partitions` of `key` whose latest
    materialisation attempt came after its latest materialisation and did not finish it."""
    wanted = set(partitions)
    attempts = instance.event_log_storage \
        .get_latest_asset_partition_materialization_attempts_without_materializations(key)
    failed = {}
    for partition, (run_id, _) in attempts.items():
        if partition not in wanted:
            continue
        run = instance.get_run_by_id(run_id)
        if run is None or run.status in FAILED:
            failed[partition] = run_id
    return failed


def stale_message(key: dg.AssetKey, failed: dict[str, str]) -> str:
    parts = ", ".join(f"{p} (run {r[:8]})" for p, r in sorted(failed.items()))
    return (f"{key.to_user_string()}: the latest materialisation of partition(s) {parts} failed; "
            "their previous files are stale and are not read. Fix the input and materialise "
            "them again")
