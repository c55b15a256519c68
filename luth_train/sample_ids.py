"""The stable row id every table of the lake joins on (plain Python, no Dagster).

`sample_id` = the first 16 hex characters of sha256(source name, source row identity). The sources
stage, the translation and Scholar stages and the benchmark loaders all use this one function, so a
row keeps its id wherever it travels.
"""

from __future__ import annotations

import hashlib


def make_sample_id(source: str, source_row_id: str) -> str:
    """Stable id of a row: hash of the source name and the row's identity in that source."""
    return hashlib.sha256(f"{source}\x1f{source_row_id}".encode()).hexdigest()[:16]
