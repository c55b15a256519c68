"""Concurrent CLI use: two `luth materialize` and a `luth sql` at once on a fresh DAGSTER_HOME,
five times over, never corrupt Dagster's storage or the lake."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import dagster as dg

from luth_assets.lib.locks import LOCK_NAME, WriterBusy, writer_lock

from .helpers import SOURCES_STAGE, luth, luth_env, sources_config


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
    import subprocess
    import sys

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
