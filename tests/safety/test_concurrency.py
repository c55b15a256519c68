"""Concurrent writers: two `luth materialize` and a `luth sql` at once on a fresh DAGSTER_HOME,
five times over, never corrupt Dagster's storage or the lake; two `luth materialize` on one S3 lake
(moto on 127.0.0.1) from two Dagster homes, and a run launched through Dagster's API beside a
`luth materialize`, never both write: the second is refused by the lake's lease, named."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg

from luth_assets.lib.instance import open_instance
from luth_assets.lib.lease import LEASE_NAME, read_lease
from luth_assets.lib.locks import LOCK_NAME, WriterBusy, writer_lock

from .helpers import FR_A, FR_Q, SOURCES_STAGE, chat, luth, luth_env, sources_config, write_jsonl
from .moto_s3 import moto_lake


def alembic_heads(home: Path) -> dict[str, int]:
    heads = {}
    for db in sorted(home.rglob("*.db")):
        with sqlite3.connect(db) as con:
            tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
            if "alembic_version" in tables:
                heads[db.name] = con.execute("select count(*) from alembic_version").fetchone()[0]
    return heads


def test_two_materializes_and_a_query_at_once_five_times(tmp_path: Path) -> None:
    config = sources_config(tmp_path / "cfg")
    for attempt in range(5):
        lake, home = tmp_path / f"lake{attempt}", tmp_path / f"home{attempt}" / ".dagster"
        env = luth_env(config, lake, home)
        procs = [luth(["materialize", "--select", *SOURCES_STAGE], env) for _ in range(2)]
        query = luth(["sql", "show all tables"], env)
        results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
        q_code, _, q_err = (query.wait(timeout=300), *query.communicate())
        assert q_code == 0, q_err
        codes = sorted(code for code, _, _ in results)
        detail = "\n".join(out + err for _, out, err in results)
        assert codes in ([0, 0], [0, 3]), detail
        for code, _, err in results:
            if code == 3:
                assert "another materialize is running (pid " in err, err
        heads = alembic_heads(home)
        assert heads and set(heads.values()) == {1}, heads  # one alembic head per storage
        # nothing corrupted: a later materialize and query succeed
        again = luth(["materialize", "--select", *SOURCES_STAGE], env)
        code, out, err = again.wait(timeout=300), *again.communicate()
        assert code == 0, out + err
        assert "3/3 runs succeeded" in out
        final = luth(["sql", "select count(*) from french_slices", "--csv"], env)
        assert final.wait(timeout=120) == 0
        assert final.communicate()[0].splitlines() == ["count_star()", "4"]
        runs = dg.DagsterInstance.from_config(str(home)).get_runs()
        assert runs and all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs)


def test_the_lock_names_the_holder_and_is_freed_when_it_dies(tmp_path: Path) -> None:
    repo = str(Path(__file__).resolve().parents[2])
    script = (f"import sys, time; sys.path.insert(0, {repo!r}); "
              "from luth_assets.lib.locks import writer_lock; "
              f"writer_lock({str(tmp_path)!r}); print('held', flush=True); time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        try:
            writer_lock(tmp_path)
            raise AssertionError("the lock was taken twice")
        except WriterBusy as err:
            assert f"another materialize is running (pid {holder.pid})" in str(err)
    finally:
        holder.kill()
        holder.wait()
    assert writer_lock(tmp_path) == tmp_path / LOCK_NAME  # a killed holder leaves no stale lock


def test_queries_at_once_take_no_lock(tmp_path: Path) -> None:
    import polars as pl

    lake = tmp_path / "lake"
    (lake / "silver").mkdir(parents=True)
    pl.DataFrame({"n": list(range(50))}).write_parquet(lake / "silver" / "french_slices.parquet")
    env = luth_env(sources_config(tmp_path / "cfg"), lake, None)
    procs = [luth(["sql", "select count(*) from french_slices", "--csv"], env) for _ in range(4)]
    outs = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    assert [(code, out.splitlines()[-1]) for code, out, _ in outs] == [(0, "50")] * 4, outs


def big_config(folder: Path, rows: int = 20000) -> Path:
    """One source slow enough (seconds of language ID) for a second writer to start meanwhile."""
    folder.mkdir(parents=True, exist_ok=True)
    write_jsonl(folder / "big.jsonl", [{"id": f"r{i}", "messages": chat(f"{FR_Q} ({i})", FR_A)}
                                       for i in range(rows)])
    return sources_config(folder, {"big": {"uri": "big.jsonl", "format": "jsonl",
                                           "mapping": {"id": "id", "messages": "messages"}}})


def wait_for(predicate, proc, what: str, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert proc.poll() is None, f"{what}: the first writer ended first: {proc.communicate()}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def test_two_cli_materializes_on_one_s3_lake(tmp_path: Path, monkeypatch) -> None:
    """Two `luth materialize` on one s3:// lake from different DAGSTER_HOMEs (two machines): the
    second is refused, naming the first; the first completes; the lake is free afterwards."""
    with moto_lake(tmp_path / "cache", monkeypatch) as lake:
        config = big_config(tmp_path / "cfg")
        envs = [{**luth_env(config, tmp_path / "unused", tmp_path / f"home{i}" / ".dagster"),
                 **lake["env"], "LUTH_LAKE_ROOT": lake["root"],
                 "LUTH_LOCAL_CACHE": str(tmp_path / f"cache{i}")} for i in (1, 2)]
        first = luth(["materialize", "--select", "bronze/raw_multilingual"], envs[0])
        fs, lease = lake["fs"], f"{lake['bucket']}/lake/{LEASE_NAME}"

        def leased() -> bool:
            fs.invalidate_cache()
            return fs.exists(lease)

        wait_for(leased, first, "the first materialize's lease")
        second = luth(["materialize", "--select", "bronze/raw_multilingual"], envs[1])
        code2, out2, err2 = second.wait(timeout=300), *second.communicate()
        code1, out1, err1 = first.wait(timeout=600), *first.communicate()
        assert code1 == 0, out1 + err1
        assert code2 == 3, out2 + err2
        assert re.search(r"is leased to another writer: luth materialize [0-9a-f]{12} \(run .*host "
                         rf".*pid {first.pid}, lease valid until", err2), err2
        assert read_lease(lake["root"])["members"] == {}  # released at the end
        again = luth(["materialize", "--select", "bronze/raw_multilingual"], envs[1])
        code, out, err = again.wait(timeout=600), *again.communicate()
        assert code == 0, out + err


def test_a_ui_run_and_a_cli_run_never_both_write(tmp_path: Path, monkeypatch) -> None:
    """A run launched through Dagster's API on the instance (as the UI or the daemon launches
    it: `execute_job`, run worker and step process) and a `luth materialize` on one lake: whichever
    starts second is refused, naming the first; both write once the other has finished."""
    import dagster as dg

    from .ui_run import launch

    config = big_config(tmp_path / "cfg")
    lake, home = tmp_path / "lake", tmp_path / "home" / ".dagster"
    env = luth_env(config, lake, home)
    for name in ("LUTH_CONFIG", "LUTH_LAKE_ROOT", "DAGSTER_HOME", "PYTHONPATH"):
        monkeypatch.setenv(name, env[name])
    open_instance(str(home)).dispose()  # a running instance: its storage exists before any run
    # 1. the CLI writes; a UI run launched meanwhile is refused before its step starts
    cli = luth(["materialize", "--select", "bronze/raw_multilingual"], env)
    wait_for(lambda: (lake / LEASE_NAME).is_file() and bool(read_lease(str(lake))["members"]),
             cli, "the materialize's lease")
    with dg.DagsterInstance.from_config(str(home)) as instance:
        ok, error = launch("big", instance)
    assert not ok
    assert re.search(rf"is leased to another writer: luth materialize .*pid {cli.pid}", error), error
    code, out, err = cli.wait(timeout=600), *cli.communicate()
    assert code == 0, out + err
    # 2. a UI run writes (in its own process, as the run launcher starts it); the CLI is refused
    ui = subprocess.Popen([sys.executable, str(Path(__file__).with_name("ui_run.py")), "big"],
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: bool(read_lease(str(lake))["members"]), ui, "the UI run's lease")
    refused = luth(["materialize", "--select", "bronze/raw_multilingual"], env)
    code, out, err = refused.wait(timeout=300), *refused.communicate()
    assert code == 3, out + err
    assert re.search(r"is leased to another writer: run [0-9a-f-]{36} \(run [0-9a-f-]{36}, host",
                     err), err
    ui_out, ui_err = ui.communicate(timeout=600)
    assert ui.returncode == 0, ui_out + ui_err
    runs = dg.DagsterInstance.from_config(str(home)).get_runs()
    assert sorted(r.status.value for r in runs) == ["FAILURE", "SUCCESS", "SUCCESS"]
