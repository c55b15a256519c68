"""The lake on object storage: an fsspec lake root such as ``s3://bucket/lake``.

Everything that touches a remote lake goes through here, so the local code paths in
`luth_assets.lib.lake` stay as they are:

- **Credentials and endpoint** come from the filesystem's usual sources (for S3: the
  ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` / ``AWS_SESSION_TOKEN`` / ``AWS_DEFAULT_REGION``
  variables, ``AWS_ENDPOINT_URL`` for a non-AWS endpoint such as MinIO, an instance role or
  ``~/.aws``). Nothing here reads, logs or stores them.
- **Atomic publication**: a table is first uploaded to a hidden staging key beside its final
  key (``.<name>.<owner>-<random>.tmp``, the owner being the run writing it), then copied
  server-side onto the final key and the staging key removed. A reader listing the table never
  sees the staging key (hidden names are skipped) and the final key only ever holds a whole object.
- **Local work files** (staged tables before upload, the DuckDB file with the views) live in a
  local folder: ``LUTH_LOCAL_CACHE`` or ``~/.cache/luth/<lake>``.
- **DuckDB** reads the lake through the same fsspec filesystem, registered on the connection
  (`attach`); extension auto-install/auto-load is switched off, so nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl

LOCAL_CACHE_ENV = "LUTH_LOCAL_CACHE"


def is_remote(root: str | os.PathLike) -> bool:
    text = str(root)
    return "://" in text and not text.startswith("file://")


def join(root: str, *parts: str) -> str:
    return "/".join([str(root).rstrip("/"), *(p.strip("/") for p in parts)])


def filesystem(uri: str) -> tuple[Any, str]:
    """(fsspec filesystem, path inside it) for a remote URI; a missing filesystem package
    (s3fs, gcsfs) is a clear error."""
    import fsspec

    try:
        return fsspec.core.url_to_fs(uri)
    except (ImportError, ValueError) as err:
        raise ValueError(f"cannot open the lake at {uri!r}: {err} (install the fsspec "
                         "filesystem for this scheme, e.g. s3fs or gcsfs)") from None


def _uri(fs: Any, path: str) -> str:
    protocol = fs.protocol[0] if isinstance(fs.protocol, (list, tuple)) else fs.protocol
    return f"{protocol}://{path}"


def local_cache(root: str) -> Path:
    """The local folder holding a remote lake's work files (staging, DuckDB views)."""
    base = os.environ.get(LOCAL_CACHE_ENV)
    if base:
        folder = Path(base)
    else:
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", str(root))[:80]
        digest = hashlib.sha256(str(root).encode()).hexdigest()[:8]
        folder = cache / "luth" / f"{slug}-{digest}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _owner() -> str:
    from luth_assets.lib.run_lease import owner_token

    return owner_token()


def publish_file(local: str | os.PathLike, uri: str) -> None:
    """Upload `local` to `uri`: staging key beside it, server-side copy, staging key removed."""
    fs, final = filesystem(uri)
    folder, name = final.rsplit("/", 1)
    staging = f"{folder}/.{name}.{_owner()}-{uuid.uuid4().hex[:12]}.tmp"
    fs.put_file(str(local), staging)
    try:
        fs.copy(staging, final)
    finally:
        fs.rm_file(staging)
        fs.invalidate_cache()


def publish_folder(local: str | os.PathLike, uri: str) -> list[str]:
    """Publish every file under the local folder `local` below `uri`; returns the URIs."""
    local = Path(local)
    written = []
    for path in sorted(p for p in local.rglob("*") if p.is_file()):
        target = join(uri, *path.relative_to(local).parts)
        publish_file(path, target)
        written.append(target)
    return written


@contextmanager
def staged_upload(uri: str, suffix: str = ".parquet") -> Iterator[Path]:
    """A local file to write; on success it is published to `uri`, and removed either way."""
    root = uri.split("://", 1)[0] + "://" + uri.split("://", 1)[1].split("/", 1)[0]
    folder = local_cache(root) / ".staging"
    folder.mkdir(parents=True, exist_ok=True)
    local = folder / f"upload.{_owner()}-{uuid.uuid4().hex[:12]}{suffix}"
    try:
        yield local
        publish_file(local, uri)
    finally:
        local.unlink(missing_ok=True)


def _visible(path: str) -> bool:
    return not path.rsplit("/", 1)[-1].startswith(".")


def parquet_files(uri: str) -> list[str]:
    """The visible Parquet objects of a table: ``<uri>.parquet`` or every one under ``<uri>/``."""
    fs, path = filesystem(uri)
    fs.invalidate_cache()
    if fs.isfile(path + ".parquet"):
        return [_uri(fs, path + ".parquet")]
    if not fs.isdir(path):
        return []
    found = fs.find(path)
    return sorted(_uri(fs, p) for p in found
                  if p.endswith(".parquet") and _visible(p) and "/." not in p[len(path):])


def table_files(root: str, layers: Sequence[str]) -> dict[str, list[str]]:
    """``layer/table`` -> the Parquet object URIs holding it (hidden keys left out)."""
    fs, base = filesystem(root)
    fs.invalidate_cache()
    tables: dict[str, list[str]] = {}
    for layer in layers:
        prefix = f"{base.rstrip('/')}/{layer}"
        if not fs.isdir(prefix):
            continue
        for path in sorted(fs.find(prefix)):
            rel = path[len(prefix) + 1:]
            if not path.endswith(".parquet") or any(part.startswith(".") for part in rel.split("/")):
                continue
            head, _, rest = rel.partition("/")
            table = head.removesuffix(".parquet") if not rest else head
            tables.setdefault(f"{layer}/{table}", []).append(_uri(fs, path))
    return tables


def read_parquet(uri: str) -> pl.LazyFrame:
    """One Parquet object as a lazy frame, read through fsspec (same credentials as writes)."""
    fs, path = filesystem(uri)
    with fs.open(path, "rb") as handle:
        return pl.read_parquet(handle).lazy()


def attach(con: Any, root: str) -> None:
    """Let a DuckDB connection read the remote lake through fsspec, never downloading an
    extension (DuckDB would otherwise try to fetch httpfs for ``s3://``)."""
    con.execute("set autoinstall_known_extensions = false")
    con.execute("set autoload_known_extensions = false")
    fs, _ = filesystem(root)
    con.register_filesystem(fs)
