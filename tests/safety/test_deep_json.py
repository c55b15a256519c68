"""JSON nested hundreds of thousands of levels deep: a source error naming the file and the row,
in the reader, in the sources stage's detection workers, and in bounded memory."""

from __future__ import annotations

import json
import resource
from pathlib import Path

import dagster as dg
import pytest

from luth_assets.build import build_definitions
from luth_assets.lib.source_reading import SourceError, read_source_batches
from luth_assets.materialize import materialize_all
from luth_assets.run_config import Settings, load_config

from .helpers import FR_A, FR_Q, SOURCES_STAGE, chat, sources_config

GOOD = json.dumps({"id": "1", "messages": chat(FR_Q, FR_A)}, ensure_ascii=False)
DEEP = "[" * 200_000


def read_all(config: Path) -> list[dict]:
    source = load_config(config).sources["s"]
    return [row for batch in read_source_batches("s", source) for row in batch]


def one_source(folder: Path, name: str, text: str, fmt: str, **extra) -> Path:
    (folder / name).write_text(text, "utf-8")
    return sources_config(folder, {"s": {"uri": name, "format": fmt, "mapping": {
        "id": "id", "messages": "messages"}}}, **extra)


def test_a_deep_jsonl_line_names_file_and_row(tmp_path: Path) -> None:
    config = one_source(tmp_path, "deep.jsonl", f"{GOOD}\n{DEEP}\n", "jsonl")
    with pytest.raises(SourceError, match=r"deep\.jsonl row 2: JSON nested too deeply"):
        read_all(config)


def test_a_deep_json_array_item_names_file_and_row_in_bounded_memory(tmp_path: Path) -> None:
    # ijson's item builder needed ~6 GB for 50,000 levels (quadratic); 200,000 were killed
    config = one_source(tmp_path, "deep.json", f"[{GOOD}, {DEEP}", "json")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(SourceError, match=r"deep\.json row 2: JSON nested deeper than 512"):
        read_all(config)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200 * 1024  # KiB


def test_json_arrays_still_read_and_a_non_array_is_named(tmp_path: Path) -> None:
    nested = {"id": "2", "messages": chat(FR_Q, FR_A), "meta": {"a": [1, [2, {"b": None}]]}}
    config = one_source(tmp_path, "ok.json", json.dumps([json.loads(GOOD), nested]), "json")
    rows = read_all(config)
    assert [r["source_row_id"] for r in rows] == ["1", "2"]
    assert rows[1]["messages"] == chat(FR_Q, FR_A)
    config = one_source(tmp_path, "obj.json", GOOD, "json")
    with pytest.raises(SourceError, match=r"obj\.json: expected a JSON array of records"):
        read_all(config)


def test_deep_messages_text_is_a_rejected_row(tmp_path: Path) -> None:
    line = json.dumps({"id": "1", "messages": DEEP})    # a string field holding deep JSON
    config = one_source(tmp_path, "text.jsonl", line + "\n", "jsonl")
    [row] = read_all(config)
    assert row["problem"] == "malformed_messages"


def test_the_sources_stage_fails_the_partition_naming_file_and_row(tmp_path: Path) -> None:
    rows = "\n".join([GOOD] * 3 + [DEEP]) + "\n"
    config = one_source(tmp_path, "deep.jsonl", rows, "jsonl", language_id={"workers": 2})
    defs = build_definitions(Settings(config_path=config, lake_root=str(tmp_path / "lake")))
    report = materialize_all(defs, dg.DagsterInstance.ephemeral(),
                             selection=[dg.AssetKey.from_user_string(SOURCES_STAGE[0])],
                             log=lambda _: None)
    [failed] = report.failures
    assert "deep.jsonl row 4: JSON nested too deeply" in failed.error
    assert "RecursionError" not in failed.error
