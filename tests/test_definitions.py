"""The code location `luth_assets.definitions` (what `dagster dev -w workspace.yaml` loads) builds
from `LUTH_CONFIG` / `LUTH_LAKE_ROOT`, and a bad run configuration fails with a clear message."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import dagster as dg
import pytest

from luth_assets.run_config import ConfigError, Settings, load_config

REPO = Path(__file__).resolve().parents[1]
DEMO_CONFIG = REPO / "data_lake" / "landing" / "luth.yaml"

SOURCE_KEYS = {
    ("bronze", "raw_multilingual"),
    ("silver", "french_slices"),
    ("silver", "french_slices_rejects"),
}

TINY_CONFIG = """\
target_language: fr
sources:
  tiny:
    uri: tiny.jsonl
    format: jsonl
    mapping: {id: id, messages: messages}
"""


def tiny_config(folder: Path, text: str = TINY_CONFIG) -> Path:
    row = {"id": "t1", "messages": [
        {"role": "user", "content": "Bonjour, peux-tu m'aider à écrire une lettre ?"},
        {"role": "assistant", "content": "Bien sûr, dites-moi à qui elle est destinée."},
    ]}
    (folder / "tiny.jsonl").write_text(json.dumps(row, ensure_ascii=False) + "\n", "utf-8")
    path = folder / "luth.yaml"
    path.write_text(text, "utf-8")
    return path


def load_code_location(monkeypatch: pytest.MonkeyPatch, config: Path, lake: Path) -> dg.Definitions:
    """Load the definitions the way Dagster does: import the module, call its @dg.definitions."""
    monkeypatch.setenv("LUTH_CONFIG", str(config))
    monkeypatch.setenv("LUTH_LAKE_ROOT", str(lake))
    module = importlib.reload(importlib.import_module("luth_assets.definitions"))
    defs = module.defs()
    assert isinstance(defs, dg.Definitions)
    return defs


def asset_keys(defs: dg.Definitions) -> set[tuple[str, ...]]:
    return {tuple(key.path) for key in defs.resolve_asset_graph().get_all_asset_keys()}


@pytest.fixture(params=["tiny", "demo"])
def config_path(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if request.param == "demo":
        if not DEMO_CONFIG.is_file():
            pytest.skip(f"demo config {DEMO_CONFIG} is absent")
        return DEMO_CONFIG
    return tiny_config(tmp_path)


def test_definitions_load_from_env(monkeypatch: pytest.MonkeyPatch, config_path: Path,
                                   lake_root: Path) -> None:
    defs = load_code_location(monkeypatch, config_path, lake_root)
    keys = asset_keys(defs)
    assert SOURCE_KEYS <= keys, f"missing {SOURCE_KEYS - keys}; got {sorted(keys)}"
    # the slice check is registered and the definitions resolve into a repository
    assert defs.get_repository_def().get_all_jobs() is not None
    check_keys = {(tuple(k.asset_key.path), k.name)
                  for k in defs.resolve_asset_graph().asset_check_keys}
    assert (("silver", "french_slices"), "slices_reconcile") in check_keys
    # the lake root from the environment is what the resources use
    lake = defs.resources["lake"]
    assert Path(lake.root) == lake_root.absolute()


def test_typo_key_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lake_root: Path) -> None:
    bad = tiny_config(tmp_path, TINY_CONFIG.replace("target_language: fr", "target_langage: fr"))
    with pytest.raises(ConfigError) as err:
        load_config(bad)
    message = str(err.value)
    assert "target_langage" in message and "unknown key" in message
    assert str(bad) in message
    # the code location fails the same way (Dagster shows this message for the location)
    with pytest.raises(ConfigError, match="target_langage"):
        load_code_location(monkeypatch, bad, lake_root)


def test_typo_nested_key_is_named(tmp_path: Path) -> None:
    bad = tiny_config(tmp_path, TINY_CONFIG.replace("format: jsonl", "format: jsonl\n    licence: x"))
    with pytest.raises(ConfigError, match=r"sources\.tiny\.licence: unknown key"):
        load_config(bad)


def test_missing_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             lake_root: Path) -> None:
    missing = tmp_path / "nope" / "luth.yaml"
    with pytest.raises(ConfigError) as err:
        load_config(missing)
    message = str(err.value)
    assert str(missing) in message and "not found" in message and "LUTH_CONFIG" in message
    with pytest.raises(ConfigError, match="not found"):
        Settings.from_env({"LUTH_CONFIG": str(missing)}).load()
    with pytest.raises(ConfigError, match="not found"):
        load_code_location(monkeypatch, missing, lake_root)
