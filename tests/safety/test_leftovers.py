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
