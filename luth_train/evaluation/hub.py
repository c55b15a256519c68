"""Fail in seconds, not after the hub client's minute of retries, when the hub is unreachable."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse


def hub_offline_mode() -> bool:
    return any(os.environ.get(k, "") not in ("", "0") for k in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"))


def hub_unreachable_reason(timeout: float = 3.0) -> str | None:
    """None when the Hugging Face hub (or HF_ENDPOINT) accepts a connection, else why not."""
    endpoint = urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    host = endpoint.hostname or "huggingface.co"
    port = endpoint.port or (443 if endpoint.scheme == "https" else 80)
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as err:
        return f"cannot reach the Hugging Face hub at {host}:{port} ({type(err).__name__}: {err})"
    return None
