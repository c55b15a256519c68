"""The lake: Parquet tables under one root, one file per asset (or per partition).

Layout: ``<root>/<layer>/<table>.parquet`` for an unpartitioned asset keyed ``layer/table`` and
``<root>/<layer>/<table>/<partition>.parquet`` for a partitioned one (multi-partitions nest one
folder per dimension). The root may be a local folder or an fsspec URI (``s3://``, ``gs://``).

Local writes are atomic: the table is written next to its final name and renamed over it, so a
reader (DuckDB, a downstream asset) never sees half a file. On object storage the table is written
locally, uploaded to a hidden staging key and copied onto its final key
(`luth_assets.lib.object_store`, which holds every remote code path).
"""

from __future__ import annotations

import hashlib
import os
import typing
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
from dagster import (
    InitResourceContext,
    InputContext,
    MetadataValue,
    OutputContext,
    TableColumn,
    TableSchema,
)
from dagster_polars import PolarsParquetIOManager
from pydantic import PrivateAttr
from upath import UPath

from luth_assets.lib import object_store

LAYERS = ("bronze", "silver", "gold", "models", "ops")


def owner_token() -> str:
    """The owner a temporary file's name carries: the run writing it (else this process's pid),
    so the next lease removes the files of runs no longer alive (`run_lease.owner_token`)."""
    from luth_assets.lib.run_lease import owner_token as token

    return token()


def is_local(root: str | os.PathLike) -> bool:
    return not object_store.is_remote(root)


def local_path(root: str | os.PathLike) -> Path:
    text = str(root)
    return Path(text.removeprefix("file://"))


@contextmanager
def atomic_path(final: str | os.PathLike) -> Iterator[str]:
    """Yield a temporary path beside `final`; rename it over `final` if the block succeeds."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(f".{final.name}.{owner_token()}-{uuid.uuid4().hex[:8]}.tmp")
    try:
        yield str(tmp)
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_parquet_atomic(df: pl.DataFrame, path: str | os.PathLike, **kwargs: Any) -> None:
    if is_local(path):
        with atomic_path(local_path(path)) as tmp:
            df.write_parquet(tmp, **kwargs)
    else:
        with object_store.staged_upload(str(path)) as tmp:
            df.write_parquet(tmp, **kwargs)


def file_sha256(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def input_file_hashes(files: Sequence[str]) -> dict[str, str]:
    """sha256 of each local input file (remote ones are identified by their URI alone)."""
    return {f: file_sha256(f) for f in files if is_local(f)}


class LakeParquetIOManager(PolarsParquetIOManager):
    """dagster-polars' Parquet IO manager with atomic local writes.

    Returning a `pl.LazyFrame` from an asset streams it to disk (`sink_parquet`), so a large
    table never has to be held in memory by the asset. Every run it writes for holds the lake's
    lease (`luth_assets.lib.run_lease`), joined when it starts in a process; a writer that lost
    its lease publishes nothing.
    """

    _run_id: str | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        from luth_assets.lib import run_lease

        super().setup_for_execution(context)
        self._run_id = run_lease.join_for_resource(self.base_dir, context)

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        from luth_assets.lib import run_lease

        if self._run_id is not None:
            run_lease.leave(self.base_dir, self._run_id)
        super().teardown_after_execution(context)

    def write_df_to_path(self, context: OutputContext, df: pl.DataFrame, path: UPath) -> None:
        with _atomic_target(path) as tmp:
            super().write_df_to_path(context, df, UPath(tmp))

    def sink_df_to_path(self, context: OutputContext, df: pl.LazyFrame, path: UPath) -> None:
        with _atomic_target(path) as tmp:
            super().sink_df_to_path(context, df, UPath(tmp))

    def scan_df_from_path(self, path: UPath, context: InputContext,
                          partition_key: str | None = None) -> pl.LazyFrame:
        if is_local(path):
            return super().scan_df_from_path(path, context, partition_key)
        return object_store.read_parquet(str(path))

    def dump_to_path(self, context: OutputContext, obj: Any, path: UPath) -> None:
        from luth_assets.lib import run_lease

        run_lease.check(self.base_dir)
        if isinstance(obj, StagedTable):
            if is_local(path):
                target = local_path(path)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(obj.path, target)
            else:
                try:
                    object_store.publish_file(obj.path, str(path))
                finally:
                    obj.path.unlink(missing_ok=True)
            return
        # route on what the asset returned, whatever its annotation says
        if isinstance(obj, pl.LazyFrame):
            self.sink_df_to_path(context, obj, path)
        elif isinstance(obj, pl.DataFrame):
            self.write_df_to_path(context, obj, path)
        else:
            super().dump_to_path(context, obj, path)

    def load_partitions(self, context: InputContext) -> Any:
        # Dagster hands a single loaded partition over bare; a consumer annotated
        # `dict[str, pl.LazyFrame]` always gets a mapping partition -> frame.
        failed = self._failed_partitions(context)
        wanted = getattr(context.dagster_type, "typing_type", None)
        as_dict = len(context.asset_partition_keys) == 1 and (
            wanted is dict or typing.get_origin(wanted) is dict)
        if failed and len(failed) == len(context.asset_partition_keys) and as_dict:
            return {}
        result = super().load_partitions(context)
        if as_dict:
            return {context.asset_partition_keys[0]: result}
        if failed and isinstance(result, dict):
            return {k: v for k, v in result.items() if k not in failed}
        if failed:  # one bare partition: nothing to leave out but the whole input
            from dagster import Failure

            from luth_assets.lib.partition_health import stale_message

            raise Failure(stale_message(context.asset_key, failed))
        return result

    def _failed_partitions(self, context: InputContext) -> dict[str, str]:
        """Upstream partitions whose latest materialisation failed: left out (named in a
        warning) when the input allows missing partitions, else an error naming them."""
        from dagster import Failure

        from luth_assets.lib.partition_health import failed_partitions, stale_message

        if not context.has_asset_key or not context.has_asset_partitions:
            return {}
        try:
            instance = context.instance
        except Exception:  # loaded outside a run (direct IO manager use): nothing to ask
            return {}
        failed = failed_partitions(instance, context.asset_key, context.asset_partition_keys)
        if not failed:
            return {}
        allow = (context.definition_metadata or {}).get("allow_missing_partitions", False)
        if not allow:
            raise Failure(stale_message(context.asset_key, failed))
        context.log.warning(stale_message(context.asset_key, failed) + " (left out)")
        return failed

    def get_metadata(self, context: OutputContext, obj: Any) -> dict[str, Any]:
        """Row count and column schema (with the descriptions of docs/tables.md) for every table,
        streamed ones included, and a readable preview instead of a random 5-row sample."""
        from luth_assets.lib.metadata import table_preview

        if isinstance(obj, (StagedTable, pl.LazyFrame)):
            written = self._written_file(context)
            meta: dict[str, Any] = {}
            if written is not None and written.is_file():
                import pyarrow.parquet as pq

                parquet = pq.ParquetFile(written)
                meta["dagster/column_schema"] = TableSchema(columns=[
                    TableColumn(name=f.name, type=str(pl.from_arrow(pa_empty(f)).dtypes[0]))
                    for f in parquet.schema_arrow])
                rows = parquet.metadata.num_rows
            else:
                rows = obj.num_rows if isinstance(obj, StagedTable) else None
            if rows is not None:
                meta[self._row_count_key(context)] = MetadataValue.int(rows)
        else:
            meta = super().get_metadata(context, obj)
            if isinstance(obj, pl.DataFrame):
                meta["table"] = table_preview(obj, meta.get("dagster/column_schema"))
                meta.pop("stats", None)  # describe() of every column: noise next to the preview
        schema = meta.get("dagster/column_schema")
        if isinstance(schema, TableSchema):
            meta["dagster/column_schema"] = described(schema, context.asset_key.to_user_string())
        return meta

    @staticmethod
    def _row_count_key(context: OutputContext) -> str:
        return "dagster/partition_row_count" if context.has_partition_key else "dagster/row_count"

    def _written_file(self, context: OutputContext) -> Path | None:
        if context.has_asset_partitions:
            paths = list(self._get_paths_for_partitions(context).values())
            path = paths[0] if len(paths) == 1 else None
        else:
            path = self._get_path(context)
        return local_path(str(path)) if path is not None and is_local(str(path)) else None


def pa_empty(field: Any) -> Any:
    """An empty Arrow column of `field`'s type (polars then names the type as it prints it)."""
    import pyarrow as pa

    return pa.table({field.name: pa.array([], type=field.type)})


def described(schema: TableSchema, table: str) -> TableSchema:
    """`schema` with each column's description from docs/tables.md (kept if one was set)."""
    from luth_assets.lib.column_docs import describe

    return TableSchema(columns=[
        TableColumn(name=c.name, type=c.type, description=c.description or describe(table, c.name),
                    constraints=c.constraints, tags=c.tags)
        for c in schema.columns])


def relative_to_lake(path: str | os.PathLike, root: str | os.PathLike) -> str:
    """`path` relative to the lake root (``models/merged/linear``) when under it, so tables and
    cards still point right after the lake is moved; else as given."""
    try:
        return Path(path).resolve().relative_to(local_path(root).resolve()).as_posix()
    except ValueError:
        return str(path)


@contextmanager
def _atomic_target(path: str | os.PathLike) -> Iterator[str]:
    """A temporary local file that becomes `path` (rename locally, staged upload remotely)."""
    if is_local(path):
        with atomic_path(local_path(path)) as tmp:
            yield tmp
    else:
        with object_store.staged_upload(str(path)) as tmp:
            yield str(tmp)


class TableMissing(FileNotFoundError):
    """A table another asset reads is not in the lake yet."""


def table_parquet_files(root: str | os.PathLike, key_path: Sequence[str]) -> list[Path] | list[str]:
    """The Parquet files of the table keyed ``key_path``: ``<root>/<a>/<b>.parquet`` for an
    unpartitioned asset, else every partition file under ``<root>/<a>/<b>/`` (sorted); object
    URIs on a remote lake."""
    if not is_local(root):
        return object_store.parquet_files(object_store.join(str(root), *key_path))
    base = local_path(root).joinpath(*key_path)
    single = base.with_name(base.name + ".parquet")
    if single.is_file():
        return [single]
    if not base.is_dir():
        return []
    return sorted(p for p in base.rglob("*.parquet") if not p.name.startswith("."))


def partition_of(root: str | os.PathLike, key_path: Sequence[str], file: str | os.PathLike
                 ) -> str | None:
    """The partition key a table file holds (``a|b`` for a multi-partition's folders a/b), on a
    local or remote lake; None for an unpartitioned table's single file."""
    base = (str(local_path(root).joinpath(*key_path)) if is_local(root)
            else object_store.join(str(root), *key_path))
    relative = str(file)[len(base):]
    if not relative.startswith("/"):
        return None  # <table>.parquet
    return "|".join(Path(relative.lstrip("/")).with_suffix("").parts)


def read_table(root: str | os.PathLike, key_path: Sequence[str],
               exclude: set[str] | frozenset[str] = frozenset(),
               files: Sequence[Path | str] | None = None) -> pl.LazyFrame:
    """A lake table as one lazy frame (all partitions, columns aligned), read where the IO
    manager writes it; :class:`TableMissing` names the asset when it is not materialised.
    `exclude`: partition keys to leave out (``a|b`` for a multi-partition's folders a/b).
    `files`: the table's files when the caller has listed them already (`table_parquet_files`)."""
    files = table_parquet_files(root, key_path) if files is None else list(files)
    if exclude:
        files = [f for f in files if partition_of(root, key_path, f) not in exclude]
        if not files:
            raise TableMissing(f"{'/'.join(key_path)}: every materialised partition failed in its "
                               "latest run (stale files are not read): materialise it again")
    if not files:
        name = "/".join(key_path)
        raise TableMissing(f"{name} is not materialised in the lake "
                           f"({local_path(root).joinpath(*key_path)}[.parquet] missing): "
                           "materialise it first")
    scan = pl.scan_parquet if is_local(root) else object_store.read_parquet
    return pl.concat([scan(f) for f in files], how="diagonal_relaxed")


def table_files(root: str | os.PathLike) -> dict[str, list[str]]:
    """Map ``layer/table`` to the Parquet files that hold it (one, or one per partition).

    Only the known layers are listed; hidden files (temporary writes) are ignored.
    """
    if not is_local(root):
        return object_store.table_files(str(root), LAYERS)
    root_path = local_path(root)
    tables: dict[str, list[str]] = {}
    for layer in LAYERS:
        layer_dir = root_path / layer
        if not layer_dir.is_dir():
            continue
        for entry in sorted(layer_dir.iterdir()):
            if entry.name.startswith("."):
                continue
            if entry.is_file() and entry.suffix == ".parquet":
                tables[f"{layer}/{entry.stem}"] = [str(entry)]
            elif entry.is_dir():
                files = sorted(
                    str(p) for p in entry.rglob("*.parquet") if not p.name.startswith(".")
                )
                if files:
                    tables[f"{layer}/{entry.name}"] = files
    return tables


class StagedTable:
    """A Parquet file an asset already wrote by streaming, under ``<root>/.staging/``.

    Returning one from an asset hands the file to :class:`LakeParquetIOManager`, which renames it
    into the table's place (atomic on a local lake), so a large table is written exactly once
    and never held in memory.
    """

    def __init__(self, path: str | os.PathLike, num_rows: int):
        self.path = Path(path)
        self.num_rows = num_rows

    def __repr__(self) -> str:
        return f"StagedTable({self.path}, rows={self.num_rows})"


def staging_file(root: str | os.PathLike, name: str) -> Path:
    """A fresh temporary file name inside the lake (same filesystem, so the final rename is cheap);
    for a remote lake, in its local work folder (the IO manager uploads it)."""
    folder = (local_path(root) if is_local(root) else object_store.local_cache(str(root))) / ".staging"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.{owner_token()}-{uuid.uuid4().hex[:12]}.parquet"
