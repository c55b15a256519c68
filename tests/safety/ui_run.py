"""A run launched the way the UI or the daemon launches one: through Dagster's API on a persistent
instance (`execute_job` of a reconstructable job, the multiprocess executor: run worker plus a
step process), not through `luth materialize`. `python -m tests.safety.ui_run PARTITION` runs one
partition of `bronze/raw_multilingual` in the lake of LUTH_LAKE_ROOT; exits 0 when it succeeded,
else prints the run's error and exits 1."""

from __future__ import annotations

import sys

import dagster as dg

RAW = dg.AssetKey(["bronze", "raw_multilingual"])


def asset_job() -> dg.JobDefinition:
    """A job over `bronze/raw_multilingual` in the code location's definitions (its resources and
    executor, as the UI's asset job has them), built from the environment."""
    from luth_assets.build import build_definitions
    from luth_assets.run_config import Settings

    defs = dg.Definitions.merge(build_definitions(Settings.from_env()),
                                dg.Definitions(jobs=[dg.define_asset_job("ui_launched", [RAW])]))
    return defs.resolve_job_def("ui_launched")


def launch(partition: str, instance: dg.DagsterInstance) -> tuple[bool, str]:
    """(success, first error message) of one UI-style run of `partition`."""
    from dagster._core.definitions.reconstruct import ReconstructableJob

    job = ReconstructableJob.for_file(__file__, "asset_job")  # step processes rebuild it from here
    with dg.execute_job(job, instance, tags={"dagster/partition": partition}) as result:
        errors = []
        for event in result.all_events:
            error = getattr(event.event_specific_data, "error", None)
            while error is not None:  # the user's exception is at the end of the chain
                errors.append(error.message.strip())
                error = error.cause
        return result.success, "\n".join(errors)


if __name__ == "__main__":
    with dg.DagsterInstance.get() as live:
        ok, error = launch(sys.argv[1], live)
    print(error or "ok", flush=True)
    sys.exit(0 if ok else 1)
