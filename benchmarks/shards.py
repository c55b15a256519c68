"""Shards as partitions: the sources stage on one generated source as 1 shard vs N shards, under
Dagster's multiprocess executor (profiles/machine), on this machine's cores.

Each shard is one run of `bronze/raw_multilingual` for its partition (launched together, one
process per run as Dagster's run launcher starts the runs of a backfill, each run's step in a
process of its own), then one
run of the target-language slice over every shard. Language ID runs with `language_id.workers: 1`
in both cases, so the parallelism measured is the shards'. Prints the wall time of both, the
speedup (target >= 1.6x with 4 shards on 2 cores) and whether the kept and rejected rows are
identical as sets (they must be). Ends with one JSON line; exits 1 when a target is missed.

    .venv/bin/python benchmarks/shards.py [--rows 200000] [--shards 4]

With the default language ID (the fastText cascade) the full size takes a few minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import dagster as dg  # noqa: E402
import yaml  # noqa: E402
from lid_throughput import make_source  # noqa: E402

from luth_assets.lib.lake import read_table  # noqa: E402
from luth_assets.stages import keys  # noqa: E402

PROFILE = REPO / "profiles" / "machine"


def _job(name: str, selection: list[dg.AssetKey]) -> dg.JobDefinition:
    """A job over `selection` in the definitions of LUTH_CONFIG (rebuilt in every step process);
    its executor is LUTH_EXECUTOR's."""
    from luth_assets.build import build_definitions
    from luth_assets.run_config import Settings

    defs = dg.Definitions.merge(build_definitions(Settings.from_env()),
                                dg.Definitions(jobs=[dg.define_asset_job(name, selection)]))
    return defs.resolve_job_def(name)


def raw_job() -> dg.JobDefinition:
    return _job("bench_raw_multilingual", [keys.RAW_MULTILINGUAL])


def slice_job() -> dg.JobDefinition:
    return _job("bench_slice", [keys.slices_key("fr"), keys.slice_rejects_key("fr")])


# Dagster's own floor: one trivial asset, none of our code (this script imports only Dagster, so
# the step process that re-runs it as its main module imports no more), under the same executor,
# run config and instance as the shard runs.
BARE_RUN = """
import sys

import dagster as dg
import yaml


@dg.asset
def bare_asset() -> int:
    return 1


def bare_job():
    defs = dg.Definitions(assets=[bare_asset], jobs=[dg.define_asset_job(
        "bench_bare", [bare_asset], executor_def=dg.multiprocess_executor)])
    return defs.resolve_job_def("bench_bare")


if __name__ == "__main__":
    run_config = yaml.safe_load(open(sys.argv[1]).read())
    with dg.DagsterInstance.get() as instance:
        with dg.execute_job(dg.reconstructable(bare_job), instance,
                            run_config=run_config) as result:
            sys.exit(0 if result.success else 1)
"""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_stage(work: Path, source: Path, shards: int) -> tuple[float, float, float, set, set]:
    """(seconds for every shard, seconds in total, CPU seconds of the shards' runs, kept ids,
    rejected ids) of one layout."""
    lake, home = work / f"lake-{shards}", work / f"home-{shards}"
    home.mkdir(parents=True)
    shutil.copy(PROFILE / "dagster.yaml", home / "dagster.yaml")
    config = work / f"luth-{shards}.yaml"
    config.write_text(yaml.safe_dump({
        "target_language": "fr",
        "sources": {"bench": {"uri": str(source), "format": "jsonl", "shards": shards,
                              "mapping": {"id": "id", "messages": "messages"}}},
        "language_id": {"workers": 1, "seed": 0, "min_chars": 20}}))
    os.environ.update(LUTH_CONFIG=str(config), LUTH_LAKE_ROOT=str(lake),
                      LUTH_EXECUTOR="multiprocess", DAGSTER_HOME=str(home))
    partitions = ["bench"] if shards == 1 else [f"bench.{i + 1}of{shards}" for i in range(shards)]
    with dg.DagsterInstance.from_config(str(home)):  # create its storage once, not in N racing runs
        pass
    started, cpu_before = time.perf_counter(), _children_cpu()
    # one process per run, as Dagster's run launcher starts the queued runs of a backfill
    children = [subprocess.Popen([sys.executable, __file__, "--run", "raw", "--partition", p])
                for p in partitions]
    ok = [child.wait() == 0 for child in children]
    shard_seconds = time.perf_counter() - started
    cpu = _children_cpu() - cpu_before
    print(f"{shards} shard(s): the runs of raw_multilingual used {cpu:.1f} CPU seconds in "
          f"{shard_seconds:.1f} s", flush=True)
    ok.append(subprocess.run([sys.executable, __file__, "--run", "slice"]).returncode == 0)
    total = time.perf_counter() - started
    if not all(ok):
        raise SystemExit(f"a run failed with {shards} shard(s) (DAGSTER_HOME {home})")

    def ids(key: dg.AssetKey) -> set:
        return set(read_table(lake, key.path).select("sample_id").collect()["sample_id"])

    return shard_seconds, total, cpu, ids(keys.slices_key("fr")), ids(keys.slice_rejects_key("fr"))


def profile_run_config() -> dict:
    """profiles/machine's run config (the multiprocess executor's), with quiet console logs."""
    return {**yaml.safe_load((PROFILE / "run_config.yaml").read_text()),
            "loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def bare_run_cpu(work: Path, rounds: int = 2) -> float:
    """CPU seconds of a run of one trivial asset (run process and step process), the least of
    `rounds`: what any Dagster run costs under this executor and instance, before our code."""
    script = work / "bare_run.py"
    script.write_text(BARE_RUN)
    run_config = work / "bare_run_config.yaml"
    run_config.write_text(yaml.safe_dump(profile_run_config()))
    costs = []
    for _ in range(rounds):
        before = _children_cpu()
        if subprocess.run([sys.executable, str(script), str(run_config)]).returncode != 0:
            raise SystemExit("the bare Dagster run failed")
        costs.append(_children_cpu() - before)
    return min(costs)


def run_one(which: str, partition: str | None) -> int:
    """One Dagster run (in this process; its step in a child process: multiprocess executor)."""
    run_config = profile_run_config()
    job = dg.reconstructable(raw_job if which == "raw" else slice_job)
    # the shard runs write disjoint partitions: one writer of the lake's lease, as a backfill's runs
    tags = {"luth/writer": "benchmark shards", **({"dagster/partition": partition} if partition else {})}
    with dg.DagsterInstance.get() as instance:
        with dg.execute_job(job, instance, run_config=run_config, tags=tags) as result:
            return 0 if result.success else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--target", type=float, default=1.6)
    parser.add_argument("--run", choices=["raw", "slice"], help=argparse.SUPPRESS)
    parser.add_argument("--partition", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        return run_one(args.run, args.partition)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="luth-shards-") as tmp:
        work = Path(tmp)
        source = work / "source.jsonl"
        make_source(source, args.rows)
        one_raw, one_total, one_cpu, kept_1, rejected_1 = run_stage(work, source, 1)
        print(f"1 shard: {one_total:.1f}s ({one_raw:.1f}s language ID), "
              f"{len(kept_1)} kept, {len(rejected_1)} rejected", flush=True)
        n_raw, n_total, n_cpu, kept_n, rejected_n = run_stage(work, source, args.shards)
        print(f"{args.shards} shards: {n_total:.1f}s ({n_raw:.1f}s language ID), "
              f"{len(kept_n)} kept, {len(rejected_n)} rejected", flush=True)
        bare = bare_run_cpu(work)
    speedup = one_total / n_total
    # the same rows in both layouts: the extra CPU of N shards is what N - 1 more runs cost
    run_cost = (n_cpu - one_cpu) / max(1, args.shards - 1)
    cores = os.cpu_count() or 1
    ours = max(0.0, run_cost - bare)
    # were a run to cost only Dagster's floor: one shard saves our part once (its runs are in
    # series), N shards save it N times spread over the cores (an estimate from the figures above)
    at_floor = (one_total - ours) / (n_total - args.shards * ours / cores)
    print(f"fixed cost of one run of raw_multilingual (run process + step process under the "
          f"multiprocess executor): about {run_cost:.1f} CPU seconds, of which a bare one-asset "
          f"Dagster run is {bare:.1f}; the rows: {one_cpu - run_cost:.1f} CPU seconds. Were a run "
          f"to cost only the bare run's CPU, the speedup would be about {at_floor:.2f}x",
          flush=True)
    same = kept_1 == kept_n and rejected_1 == rejected_n
    assert len(kept_1) + len(rejected_1) == args.rows
    figures = {
        "benchmark": "shards", "rows": args.rows, "shards": args.shards, "cores": cores,
        "seconds_1_shard": round(one_total, 1), f"seconds_{args.shards}_shards": round(n_total, 1),
        "speedup": round(speedup, 2), "target_speedup": args.target,
        "cpu_seconds_1_shard": round(one_cpu, 1), f"cpu_seconds_{args.shards}_shards": round(n_cpu, 1),
        "cpu_seconds_per_run": round(run_cost, 1),
        "cpu_seconds_bare_dagster_run": round(bare, 1),
        "speedup_at_dagster_floor_estimate": round(at_floor, 2),
        "identical_kept_and_rejected": same, "kept": len(kept_1), "rejected": len(rejected_1),
        "load_average_before": round(load_before, 2), "load_average_after": round(os.getloadavg()[0], 2),
        "passed": speedup >= args.target and same,
    }
    print(json.dumps(figures))
    return 0 if figures["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
