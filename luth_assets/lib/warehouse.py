"""DuckDB over the lake: an embedded database file with one view per Parquet table.

Parquet is the truth and DuckDB only reads it, so there is never a writer-lock fight with the
assets. Each table ``layer/name`` becomes the view ``layer.name`` (a DuckDB schema per lake layer)
and, where the name is unique across layers, also ``main.name`` so ``select * from french_slices``
works. Queries live in ``sql/`` (one statement per file) and take ``$name`` parameters.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb

from luth_assets.lib import object_store
from luth_assets.lib.lake import LAYERS, is_local, local_path, table_files

DATABASE_NAME = "lake.duckdb"
SQL_DIR = Path(__file__).resolve().parents[2] / "sql"


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def view_statements(root: str | os.PathLike) -> list[str]:
    """DDL creating one view per lake table (schema per layer, plus unique short names)."""
    tables = table_files(root)
    statements = [f"create schema if not exists {quote_ident(layer)}" for layer in LAYERS]
    short = Counter(key.split("/", 1)[1] for key in tables)
    for key, files in tables.items():
        layer, name = key.split("/", 1)
        file_list = "[" + ", ".join(quote_literal(f) for f in files) + "]"
        source = f"read_parquet({file_list}, union_by_name = true)"
        statements.append(
            f"create or replace view {quote_ident(layer)}.{quote_ident(name)} as select * from {source}"
        )
        if short[name] == 1:
            statements.append(
                f"create or replace view main.{quote_ident(name)} as "
                f"select * from {quote_ident(layer)}.{quote_ident(name)}"
            )
    return statements


def database_path(root: str | os.PathLike) -> Path:
    """``<root>/lake.duckdb``; for a lake on object storage, in its local work folder."""
    if not is_local(root):
        return object_store.local_cache(str(root)) / DATABASE_NAME
    return local_path(root) / DATABASE_NAME


def _open(root: str | os.PathLike, read_only: bool = False):
    con = duckdb.connect(str(database_path(root)), read_only=read_only)
    if not is_local(root):  # views over s3:// (...) read through the lake's fsspec filesystem
        object_store.attach(con, str(root))
    return con


def refresh_views(root: str | os.PathLike) -> list[str]:
    """(Re)create the views in ``<root>/lake.duckdb``; returns the table keys that have a view."""
    path = database_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _open(root) as con:
        existing = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'VIEW' and table_schema in ('main', 'bronze', 'silver', 'gold', "
            "'models', 'ops')"
        ).fetchall()
        for schema, name in existing:
            con.execute(f"drop view if exists {quote_ident(schema)}.{quote_ident(name)}")
        for statement in view_statements(root):
            con.execute(statement)
    return sorted(table_files(root))


def connect(root: str | os.PathLike, refresh: bool = True, read_only: bool = False):
    """Open the lake database (refreshing its views first unless told not to)."""
    if refresh:
        refresh_views(root)
    return _open(root, read_only=read_only)


def read_sql_file(path: str | os.PathLike) -> str:
    """A query file from ``sql/``: one statement, parameters as ``$name``."""
    path = Path(path)
    if not path.is_file() and not path.is_absolute():
        candidate = SQL_DIR / path
        if candidate.is_file():
            path = candidate
    if not path.is_file():
        raise FileNotFoundError(f"SQL file {path} not found")
    return path.read_text(encoding="utf-8")


def run_query(
    root: str | os.PathLike, query: str, params: dict[str, Any] | None = None
) -> tuple[list[str], list[tuple]]:
    """Run one query over the lake views; returns (column names, rows).

    Only the parameters the query names (``$name``) are bound, so one set of ``--param`` values
    can serve several query files.
    """
    used = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", query))
    bound = {k: v for k, v in (params or {}).items() if k in used}
    missing = sorted(used - set(bound))
    if missing:
        raise duckdb.InvalidInputException(
            f"query needs parameter(s) {', '.join(missing)}: pass --param NAME=VALUE"
        )
    with connect(root) as con:
        cursor = con.execute(query, bound or None)
        columns = [d[0] for d in cursor.description] if cursor.description else []
        rows = cursor.fetchall() if cursor.description else []
    return columns, rows
