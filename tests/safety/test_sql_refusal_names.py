"""`luth sql` names the statement it refused as it was written (INSTALL, not LOAD), and refuses
statements DuckDB files under a reading type or cannot name at all."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from luth_assets.cli import main
from luth_assets.lib.warehouse import refresh_views


@pytest.fixture
def lake(tmp_path: Path, monkeypatch) -> Path:
    root = tmp_path / "lake"
    (root / "silver").mkdir(parents=True)
    pl.DataFrame({"n": [1, 2, 3]}).write_parquet(root / "silver" / "french_slices.parquet")
    monkeypatch.setenv("LUTH_LAKE_ROOT", str(root))
    refresh_views(root)
    return root


@pytest.mark.parametrize(("statement", "named"), [
    ("INSTALL httpfs", "INSTALL statements are refused ('INSTALL httpfs'"),
    ("force install httpfs", "FORCE INSTALL statements are refused"),
    ("LOAD httpfs", "LOAD statements are refused"),
    ("/* hidden */ install httpfs", "INSTALL statements are refused"),
    ("USE memory", "USE statements are refused"),
    ("IMPORT DATABASE '/tmp/x'", "IMPORT statements are refused"),        # a PRAGMA to DuckDB
    ("UPDATE EXTENSIONS", "UPDATE statements are refused"),               # no Python type
    ("select 1; install httpfs", "INSTALL statements are refused ('install httpfs'"),
    ("WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x", "INSERT statements are refused"),
])
def test_the_refused_statement_is_named(lake: Path, capsys, statement: str, named: str) -> None:
    assert main(["sql", statement]) == 1
    err = capsys.readouterr().err
    assert "luth sql is read-only" in err and named in err
    assert main(["sql", "select count(*) from french_slices", "--csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["count_star()", "3"]
