"""Sources are confined to `lake.allowed_roots` (the landing folder, i.e. the run configuration's
folder, by default): a `..` path, an absolute path, a symlink pointing outside and a glob outside
are refused when the configuration loads, before any file is opened, naming the path and the
setting; hub and S3 URIs are allowed by scheme; a folder added to `lake.allowed_roots` is read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from luth_assets.run_config import ConfigError, load_config

from .helpers import FR_A, FR_Q, chat, write_jsonl

MAPPING = {"id": "id", "messages": "messages"}


@pytest.fixture
def layout(tmp_path: Path) -> dict[str, Path]:
    landing, outside = tmp_path / "landing", tmp_path / "outside"
    (landing / "sources").mkdir(parents=True)
    outside.mkdir()
    write_jsonl(outside / "x.jsonl", [{"id": "o1", "messages": chat(FR_Q, FR_A)}])
    write_jsonl(landing / "sources" / "ok.jsonl", [{"id": "k1", "messages": chat(FR_Q, FR_A)}])
    return {"landing": landing, "outside": outside}


def config(landing: Path, uri: str, lake: dict | None = None, section: str = "sources") -> Path:
    data: dict = {"language_id": {"workers": 1}}
    entry = {"x": {"uri": uri, "format": "jsonl", "mapping": MAPPING}}
    if section == "sources":
        data["sources"] = entry
    else:
        data["translation"] = {"sources": entry}
    if lake is not None:
        data["lake"] = lake
    path = landing / "luth.yaml"
    path.write_text(yaml.safe_dump(data), "utf-8")
    return path


@pytest.mark.parametrize("how", ["dotdot", "absolute", "symlink", "glob", "translation"])
def test_a_source_outside_the_landing_folder_is_refused_before_it_is_opened(layout, how):
    landing, outside = layout["landing"], layout["outside"]
    uri = {"dotdot": "../outside/x.jsonl", "absolute": str(outside / "x.jsonl"),
           "symlink": "sources/link.jsonl", "glob": "../outside/*.jsonl",
           "translation": "../outside/x.jsonl"}[how]
    if how == "symlink":
        os.symlink(outside / "x.jsonl", landing / "sources" / "link.jsonl")
    section = "translation" if how == "translation" else "sources"
    with pytest.raises(ConfigError) as err:
        load_config(config(landing, uri, section=section))
    text = str(err.value)
    assert f"source {'translation.sources' if how == 'translation' else 'sources'}.x: " in text
    assert str(outside) in text and "outside the allowed roots" in text
    assert "refused before it is opened" in text and "`lake.allowed_roots`" in text


def test_a_folder_in_allowed_roots_is_read(layout):
    landing, outside = layout["landing"], layout["outside"]
    loaded = load_config(config(landing, "../outside/x.jsonl", {"allowed_roots": [".", "../outside"]}))
    assert loaded.sources["x"].uri == str((outside / "x.jsonl").resolve())
    from luth_assets.lib.source_reading import resolve_files

    assert resolve_files(loaded.sources["x"].uri) == [loaded.sources["x"].uri]
    # inside the landing folder needs no setting
    assert load_config(config(landing, "sources/ok.jsonl")).sources["x"].uri.endswith("ok.jsonl")


def test_hub_and_s3_uris_are_allowed_by_scheme_others_are_not(layout):
    landing = layout["landing"]
    hub = config(landing, "hf://datasets/owner/name/data/*.parquet")
    data = yaml.safe_load(hub.read_text())
    data["sources"]["x"]["expected_rows"] = 10
    hub.write_text(yaml.safe_dump(data))
    assert load_config(hub).sources["x"].uri.startswith("hf://")
    assert load_config(config(landing, "s3://bucket/data/x.jsonl")).sources["x"].uri.startswith("s3://")
    with pytest.raises(ConfigError, match=r"sources.x: https://example.org/x.jsonl uses a scheme "
                       r"that is not allowed .*`lake.allowed_roots`"):
        load_config(config(landing, "https://example.org/x.jsonl"))
    allowed = config(landing, "https://example.org/x.jsonl",
                     {"allowed_roots": [".", "https://example.org/"]})
    assert load_config(allowed).sources["x"].uri == "https://example.org/x.jsonl"
