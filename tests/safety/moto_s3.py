"""moto's S3 server on 127.0.0.1 (a free port) with the AWS variables pointing at it, for the
safety tests of a lake on object storage. Skips (printing why) only when no loopback port binds."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from luth_assets.lib import object_store


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def moto_lake(local_cache, monkeypatch, secret: str = "moto-secret") -> Iterator[dict]:
    """`s3://<fresh bucket>/lake`; yields root, fs, bucket and the environment to give a child."""
    from moto.server import ThreadedMotoServer

    try:
        port = _free_port()
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
    except OSError as err:
        print(f"SKIP: cannot bind a loopback port for moto ({err})")
        pytest.skip(f"moto cannot bind a port on 127.0.0.1: {err}")
    env = {"AWS_ACCESS_KEY_ID": "moto-key", "AWS_SECRET_ACCESS_KEY": secret,
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
           "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1",
           object_store.LOCAL_CACHE_ENV: str(local_cache)}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    import s3fs

    s3fs.S3FileSystem.clear_instance_cache()  # a cached client would keep an older endpoint
    fs = s3fs.S3FileSystem()
    bucket = f"luth-{uuid.uuid4().hex[:8]}"  # moto keeps its state across servers in a process
    fs.mkdir(bucket)
    try:
        yield {"root": f"s3://{bucket}/lake", "fs": fs, "bucket": bucket, "env": env}
    finally:
        s3fs.S3FileSystem.clear_instance_cache()
        server.stop()
