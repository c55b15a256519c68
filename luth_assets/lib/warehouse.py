"""DuckDB over the lake: an embedded database file with one view per Parquet table.

Parquet is the truth and DuckDB only reads it. View maintenance (:func:`refresh_views`) is the only
writer: it builds a fresh database file beside ``lake.duckdb`` and renames it over the old one, so
the views are replaced atomically, a catalog someone tampered with is repaired on the next
refresh, and a reader never waits on a writer's lock. User queries (:func:`run_query`) run on a
read-only connection: only reading statements are accepted, and file access is limited to the
lake's own Parquet files (no ``COPY ... TO``, ``ATTACH``, ``CREATE``, ``INSERT``, ``DROP``).

Each table ``layer/name`` becomes the view ``layer.name`` (a DuckDB schema per lake layer) and,
where the name is unique across layers, also ``main.name`` so ``select * from french_slices``
works. Queries live in ``sql/`` (one statement per file) and take ``$name`` parameters.
"""

from __future__ import annotations

import os
import re
import uuid
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


def _attach_remote(con: duckdb.DuckDBPyConnection, root: str | os.PathLike) -> None:
    if not is_local(root):  # views over s3:// (...) read through the lake's fsspec filesystem
        object_store.attach(con, str(root))


def refresh_views(root: str | os.PathLike) -> list[str]:
    """(Re)build ``<root>/lake.duckdb``; returns the table keys that have a view.

    The views go into a new file renamed over the old one: readers that opened the old file keep
    it, the next ones see the new views, and whatever was added to the old catalog is gone."""
    path = database_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
    try:
        with duckdb.connect(str(tmp)) as con:
            _attach_remote(con, root)
            for statement in view_statements(root):
                con.execute(statement)
            con.execute("checkpoint")
        Path(f"{path}.wal").unlink(missing_ok=True)  # a WAL left by a crashed writer of the old file
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
    return sorted(table_files(root))


def refresh_views_reported(root: str | os.PathLike) -> tuple[list[str], str | None]:
    """:func:`refresh_views`, with a failure returned as a message instead of raised (finished
    work is not undone by a view refresh that failed)."""
    try:
        return refresh_views(root), None
    except (duckdb.Error, OSError) as err:
        return sorted(table_files(root)), f"view refresh failed: {type(err).__name__}: {err}"


class ReadOnlyQueryError(duckdb.InvalidInputException):
    """A `luth sql` statement that would write: refused before it runs."""


READING_STATEMENTS = {"SELECT", "EXPLAIN", "PRAGMA", "CALL", "MULTI"}
# statements DuckDB files under a reading type but that are not reads: IMPORT DATABASE is a PRAGMA
REFUSED_KEYWORDS = {"IMPORT"}
_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)


def statement_keyword(text: str) -> str:
    """The keyword a statement starts with, as its author wrote it (INSTALL, FORCE INSTALL,
    USE, ...): DuckDB's statement type says LOAD for INSTALL and SET for USE."""
    words = _COMMENTS.sub(" ", text).split()
    if not words:
        return ""
    first = re.match(r"[A-Za-z_]+", words[0])
    keyword = first.group().upper() if first else words[0][:20]
    if keyword == "FORCE" and len(words) > 1:
        keyword = f"FORCE {words[1].upper()}"
    return keyword


def _excerpt(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


def _refuse(name: str, text: str) -> ReadOnlyQueryError:
    return ReadOnlyQueryError(
        f"luth sql is read-only: {name} statements are refused ({_excerpt(text)!r}; the lake is "
        "written by `luth materialize` only; reading statements: SELECT, EXPLAIN, PRAGMA, CALL)")


def check_read_only(query: str) -> None:
    """Refuse every statement that is not a read (COPY, ATTACH, CREATE, INSERT, DROP, SET,
    INSTALL, ...), naming the statement as it was written."""
    for statement in duckdb.extract_statements(query):
        inner = statement.query
        keyword = statement_keyword(inner)
        try:
            kind = statement.type.name
        except ValueError:  # a type duckdb's Python API cannot name (UPDATE EXTENSIONS)
            raise _refuse(keyword or "unnamed", inner) from None
        if kind == "EXPLAIN":  # EXPLAIN ANALYZE runs its statement: check that one too
            body = re.sub(r"^\s*explain\s+(analy[sz]e\s+)?", "", inner, flags=re.IGNORECASE)
            kinds = {s.type.name for s in duckdb.extract_statements(body)} if body != inner else set()
            if kinds <= {"SELECT"}:
                continue
            raise _refuse(f"EXPLAIN {statement_keyword(body) or ', '.join(sorted(kinds))}",
                          inner)
        if kind not in READING_STATEMENTS or keyword in REFUSED_KEYWORDS:
            # the keyword as written (INSTALL), unless it only opens the statement (WITH, ()
            raise _refuse(keyword if keyword and keyword not in ("WITH",) else kind, inner)


def connect_reader(root: str | os.PathLike):
    """A read-only connection whose file access is limited to the lake's Parquet files."""
    path = database_path(root)
    if not path.is_file():
        refresh_views(root)
    con = duckdb.connect(str(path), read_only=True)
    _attach_remote(con, root)
    files = [f for fs in table_files(root).values() for f in fs]
    con.execute(f"set allowed_paths = [{', '.join(quote_literal(f) for f in files)}]")
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")
    return con


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
    can serve several query files. The views are refreshed first (an atomic file replace, no
    lock); the query itself runs read-only (:func:`check_read_only`, :func:`connect_reader`).
    """
    check_read_only(query)
    used = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", query))
    bound = {k: v for k, v in (params or {}).items() if k in used}
    missing = sorted(used - set(bound))
    if missing:
        raise duckdb.InvalidInputException(
            f"query needs parameter(s) {', '.join(missing)}: pass --param NAME=VALUE"
        )
    refresh_views_reported(root)  # a stale catalog still answers; a broken one is rebuilt below
    try:
        con = connect_reader(root)
    except duckdb.Error:
        refresh_views(root)
        con = connect_reader(root)
    with con:
        cursor = con.execute(query, bound or None)
        columns = [d[0] for d in cursor.description] if cursor.description else []
        rows = cursor.fetchall() if cursor.description else []
    return columns, rows
