"""`luth sql` only reads: writing statements are refused, the lake stays unchanged, and view
maintenance rebuilds a catalog someone tampered with (the README's "DuckDB only reads")."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from luth_assets.cli import main
from luth_assets.lib.warehouse import database_path, refresh_views, run_query


@pytest.fixture
def lake(tmp_path: Path, monkeypatch) -> Path:
    root = tmp_path / "lake"
    (root / "silver").mkdir(parents=True)
    pl.DataFrame({"sample_id": [f"s{i}" for i in range(247)], "n": list(range(247))}).write_parquet(
        root / "silver" / "french_slices.parquet")
    monkeypatch.setenv("LUTH_LAKE_ROOT", str(root))
    refresh_views(root)
    return root


def rows_of(root: Path) -> int:
    return pl.read_parquet(root / "silver" / "french_slices.parquet").height


WRITES = [
    "COPY (select * from silver.french_slices limit 1) TO '{root}/silver/french_slices.parquet' "
    "(FORMAT parquet)",
    "COPY (select 1) TO '{outside}/x.csv'",
    "DROP VIEW main.french_slices",
    "CREATE TABLE main.score_table AS SELECT 1 AS x",
    "INSERT INTO silver.french_slices VALUES ('x', 1)",
    "ATTACH '{outside}/other.duckdb' AS other",
    "select 1; drop view silver.french_slices",
    "EXPLAIN ANALYZE COPY (select 1) TO '{root}/silver/y.parquet'",
    "SET enable_external_access = true",
]


@pytest.mark.parametrize("statement", WRITES)
def test_writing_statements_are_refused_and_the_lake_is_unchanged(lake, tmp_path, capsys,
                                                                  statement) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    code = main(["sql", statement.format(root=lake, outside=outside)])
    err = capsys.readouterr().err
    assert code == 1
    assert "luth sql is read-only" in err and "refused" in err
    assert rows_of(lake) == 247
    assert list(outside.iterdir()) == []
    assert not (lake / "silver" / "y.parquet").exists()
    assert main(["sql", "select count(*) from french_slices", "--csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["count_star()", "247"]


def test_file_access_is_limited_to_the_lake_tables(lake, tmp_path) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n")
    with pytest.raises(duckdb.Error, match="disabled by configuration"):
        run_query(lake, f"select * from read_csv('{secret}')")
    assert run_query(lake, "select count(*) from silver.french_slices")[1] == [(247,)]


def test_a_tampered_catalog_is_repaired_by_the_next_refresh(lake, capsys) -> None:
    with duckdb.connect(str(database_path(lake))) as con:  # someone opens the file by hand
        con.execute("drop view main.french_slices")
        con.execute("create table main.french_slices as select 1 as broken")
        con.execute("create table main.score_table as select 1 as x")
    assert main(["views"]) == 0
    assert main(["sql", "select count(*) from french_slices", "--csv"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "247"
    _, tables = run_query(lake, "select table_name, table_type from information_schema.tables "
                                "where table_schema = 'main'")
    assert tables == [("french_slices", "VIEW")]


def test_reading_statements_still_work(lake) -> None:
    assert run_query(lake, "show all tables")[1]
    assert run_query(lake, "summarize silver.french_slices")[1]
    assert run_query(lake, "explain select * from french_slices")[1]
    assert run_query(lake, "pragma version")[1]
    assert run_query(lake, "select count(*) from french_slices where n < $k", {"k": "10"})[1] == [(10,)]


def test_a_query_runs_while_another_process_holds_the_database(lake) -> None:
    """Readers take no writer lock: two open readers and a view refresh coexist."""
    first = duckdb.connect(str(database_path(lake)), read_only=True)
    try:
        refresh_views(lake)
        assert run_query(lake, "select count(*) from french_slices")[1] == [(247,)]
    finally:
        first.close()


def test_the_dagster_duckdb_resource_is_read_only(lake, tmp_path) -> None:
    from luth_assets.resources import build_resources
    from luth_assets.run_config import Settings, parse_config

    settings = Settings(config_path=tmp_path / "luth.yaml", lake_root=str(lake))
    resource = build_resources(settings, parse_config({}))["duckdb"]
    with resource.get_connection() as con:
        assert con.execute("select count(*) from silver.french_slices").fetchall() == [(247,)]
        with pytest.raises(duckdb.Error, match="read-only"):
            con.execute("create table main.x as select 1")
