"""After a kill: the next `luth materialize` removes the staged files the killed run left and
marks its Dagster runs failed instead of leaving them STARTED forever."""

from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path

import dagster as dg

from luth_assets.lib.instance import clean_leftovers

from .helpers import FR_A, FR_Q, SOURCES_STAGE, chat, luth, luth_env, sources_config, write_jsonl


def test_killed_materialize_leaves_nothing_behind_after_the_next_start(tmp_path: Path) -> None:
    folder = tmp_path / "cfg"
    folder.mkdir()
    write_jsonl(folder / "big.jsonl", [{"id": f"r{i}", "messages": chat(f"{FR_Q} ({i})", FR_A)}
                                       for i in range(20000)])
    config = sources_config(folder, {"big": {"uri": "big.jsonl", "format": "jsonl",
                                             "mapping": {"id": "id", "messages": "messages"}}})
    lake, home = tmp_path / "lake", tmp_path / ".dagster"
    env = luth_env(config, lake, home)
    proc = luth(["materialize", "--select", *SOURCES_STAGE], env)
    deadline = time.monotonic() + 240
    staging = lake / ".staging"
    while time.monotonic() < deadline and not (staging.is_dir() and any(staging.iterdir())):
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.2)
    assert staging.is_dir() and any(staging.iterdir()), "the run never staged a file"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stuck = dg.DagsterInstance.from_config(str(home)).get_runs(
        filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED]))
    assert len(stuck) == 1

    again = luth(["materialize", "--select", "bronze/raw_multilingual"], dict(env, LUTH_CONFIG=str(
        sources_config(tmp_path / "small"))))
    code, out, err = again.wait(timeout=300), *again.communicate()
    assert re.search(r"removed \d+ file\(s\) left by an interrupted run", out), out + err
    assert f"marked 1 interrupted run(s) failed: {stuck[0].run_id}" in out, out + err
    assert code == 0, out + err
    assert list(staging.iterdir()) == []
    run = dg.DagsterInstance.from_config(str(home)).get_run_by_id(stuck[0].run_id)
    assert run.status == dg.DagsterRunStatus.FAILURE


def test_only_files_of_dead_writers_are_removed(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    (lake / ".staging").mkdir(parents=True)
    (lake / "silver").mkdir()
    dead = 2 ** 22 + 12345  # above the default pid_max: no such process
    gone = [lake / ".staging" / f"raw_multilingual-aya.{dead}-0123456789ab.parquet",
            lake / "silver" / f".french_slices.parquet.{dead}-01234567.tmp",
            lake / ".staging" / "legacy.0123456789ab.parquet"]
    kept = [lake / ".staging" / f"mine.{os.getpid()}-0123456789ab.parquet",
            lake / ".staging" / "recent.0123456789ab.parquet",
            lake / "silver" / "french_slices.parquet"]
    for path in gone + kept:
        path.write_bytes(b"x")
    old = time.time() - 3600
    os.utime(gone[2], (old, old))
    assert sorted(clean_leftovers(str(lake))) == sorted(gone)
    assert all(p.exists() for p in kept)


DEAD_RUN = "0badc0de-0000-4000-8000-00000000dead"
LIVE_RUN = "600dcafe-0000-4000-8000-0000000a11fe"


def token(run_id: str) -> str:
    return "r" + run_id.replace("-", "")


def test_staged_files_are_named_by_their_run(tmp_path: Path) -> None:
    from luth_assets.lib import run_lease
    from luth_assets.lib.lake import atomic_path, staging_file

    lake = str(tmp_path / "lake")
    run_lease.join(lake, "run " + LIVE_RUN, LIVE_RUN, log=lambda _: None)
    try:
        assert staging_file(lake, "raw").name.startswith(f"raw.{token(LIVE_RUN)}-")
        with atomic_path(tmp_path / "lake" / "silver" / "t.parquet") as tmp:
            assert Path(tmp).name.startswith(f".t.parquet.{token(LIVE_RUN)}-")
            Path(tmp).write_bytes(b"x")
    finally:
        run_lease.leave(lake, LIVE_RUN)
    assert run_lease.owner_token() == str(os.getpid())  # outside a run: the pid


def test_s3_leftovers_of_dead_runs_are_removed_at_the_next_lease(tmp_path: Path, monkeypatch) -> None:
    """Staging keys in the bucket and staged files in the local work folder: those of runs no
    longer alive go at the next fresh lease; those of a live run, and tables, stay."""
    from luth_assets.lib import object_store, run_lease

    from .moto_s3 import moto_lake

    with moto_lake(tmp_path / "cache", monkeypatch) as lake:
        fs, root, bucket = lake["fs"], lake["root"], lake["bucket"]
        table = f"{bucket}/lake/silver/t.parquet"
        dead_key = f"{bucket}/lake/silver/.t.parquet.{token(DEAD_RUN)}-0123456789ab.tmp"
        live_key = f"{bucket}/lake/silver/.t.parquet.{token(LIVE_RUN)}-0123456789ab.tmp"
        for key in (table, dead_key, live_key):
            fs.pipe_file(key, b"x")
        staging = object_store.local_cache(root) / ".staging"
        staging.mkdir(parents=True)
        dead_pid = 2 ** 22 + 12345
        gone_local = [staging / f"upload.{token(DEAD_RUN)}-0123456789ab.parquet",
                      staging / f"raw.{dead_pid}-0123456789ab.parquet"]
        kept_local = staging / f"upload.{token(LIVE_RUN)}-0123456789ab.parquet"
        for path in [*gone_local, kept_local]:
            path.write_bytes(b"x")
        lines: list[str] = []
        run_lease.join(root, "backfill b1", LIVE_RUN, log=lines.append)  # a fresh lease
        try:
            fs.invalidate_cache()
            assert not fs.exists(dead_key)
            assert fs.exists(live_key) and fs.exists(table)
            assert not any(p.exists() for p in gone_local) and kept_local.exists()
            assert lines == ["removed 3 file(s) left by an interrupted run (staged tables, "
                             "temporary writes)"]
        finally:
            run_lease.leave(root, LIVE_RUN)
        # once that run is gone too, its files are leftovers as well
        assert {str(p) for p in clean_leftovers(root, live=set())} == {str(kept_local),
                                                                       f"s3://{live_key}"}
