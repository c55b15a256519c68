"""Dagster's own tooling on the project, run as a user runs it: `dagster definitions validate -w
workspace.yaml` (the demo and every shipped run configuration), `dg check defs` and `dg list defs`
(the `dg` CLI reads `[tool.dg]` in pyproject.toml), each in a subprocess from the venv. Beside
them, what the UI shows from the definitions: an owner on every asset, and the Scholar sensors'
default status (off in the demo, on in the deployment profiles)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
import yaml

from luth_assets.build import build_definitions
from luth_assets.conventions import STAGE_OWNERS
from luth_assets.run_config import Settings, parse_config

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = REPO / ".venv" / "bin"
BIN = VENV_BIN if (VENV_BIN / "dagster").exists() else Path(sys.executable).parent
DEMO_CONFIG = REPO / "data_lake" / "landing" / "luth.yaml"
RUN_CONFIGS = sorted((REPO / "configs" / "runs").glob("*.yaml"))
SENSORS = ("scholar_landing_sensor", "scholar_automation_sensor")


def tool_env(tmp_path: Path, config: Path) -> dict[str, str]:
    """The environment `make ui` gives Dagster: a run configuration, a lake, a DAGSTER_HOME; this
    checkout first on the path, so the tool loads the code under test."""
    home = tmp_path / "dagster_home"
    home.mkdir(exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", "utf-8")
    return {**os.environ, "LUTH_CONFIG": str(config), "LUTH_LAKE_ROOT": str(tmp_path / "lake"),
            "DAGSTER_HOME": str(home),
            "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}


def run_tool(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    tool = BIN / args[0]
    if not tool.exists():
        pytest.skip(f"{tool} is not installed (pip install -e '.[dev]')")
    return subprocess.run([str(tool), *args[1:]], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=600)


@pytest.mark.parametrize("config", [DEMO_CONFIG, *RUN_CONFIGS], ids=lambda p: p.name if p != DEMO_CONFIG
                         else "demo")
def test_dagster_definitions_validate_passes(config: Path, tmp_path: Path):
    out = run_tool(["dagster", "definitions", "validate", "-w", "workspace.yaml"],
                   tool_env(tmp_path, config))
    assert out.returncode == 0, f"{config}:\n{out.stdout[-4000:]}\n{out.stderr[-4000:]}"
    assert "All code locations passed validation" in out.stdout + out.stderr


def test_dg_check_defs_passes(tmp_path: Path):
    out = run_tool(["dg", "check", "defs"], tool_env(tmp_path, DEMO_CONFIG))
    assert out.returncode == 0, f"{out.stdout[-4000:]}\n{out.stderr[-4000:]}"
    assert "All definitions loaded successfully" in out.stdout + out.stderr


def test_dg_list_defs_lists_every_asset_with_its_owner(tmp_path: Path):
    out = run_tool(["dg", "list", "defs", "--json"], tool_env(tmp_path, DEMO_CONFIG))
    assert out.returncode == 0, out.stderr[-4000:]
    listed = json.loads(out.stdout)
    built = build_definitions(Settings(config_path=DEMO_CONFIG, lake_root=str(tmp_path / "lake")))
    keys = {k.to_user_string() for k in built.resolve_asset_graph().get_all_asset_keys()}
    assert {a["asset_key"] for a in listed["assets"]} == keys
    teams = {owner.removeprefix("team:") for owner in STAGE_OWNERS.values()}
    for asset in listed["assets"]:
        assert asset["owners"], f"{asset['asset_key']} has no owner"
        assert {o.get("team") for o in asset["owners"]} <= teams, asset
    assert {s["name"] for s in listed["sensors"]} == set(SENSORS)


def test_every_asset_has_its_stages_owner(tmp_path: Path):
    graph = build_definitions(Settings(config_path=DEMO_CONFIG, lake_root=str(tmp_path))
                              ).resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.owners == [STAGE_OWNERS[node.group_name]], key.to_user_string()
    owners = {graph.get(k).owners[0] for k in graph.get_all_asset_keys()}
    assert owners == set(STAGE_OWNERS.values())  # every stage owns at least one asset in the demo


def sensors_of(config_data: dict, tmp_path: Path, name: str) -> dict[str, dg.SensorDefinition]:
    config = parse_config(config_data, name)
    defs = build_definitions(Settings(config_path=DEMO_CONFIG, lake_root=str(tmp_path)), config)
    return {s.name: s for s in defs.sensors or []}


def test_scholar_sensors_are_off_in_the_demo_and_say_so(tmp_path: Path):
    sensors = sensors_of(yaml.safe_load(DEMO_CONFIG.read_text()), tmp_path, "demo")
    for name in SENSORS:
        assert sensors[name].default_status == dg.DefaultSensorStatus.STOPPED
        assert "Stopped until started in the UI" in sensors[name].description


@pytest.mark.parametrize("profile", ["machine", "cluster"])
def test_scholar_sensors_are_on_in_the_deployment_profiles(profile: str, tmp_path: Path):
    data = yaml.safe_load(DEMO_CONFIG.read_text())
    fragment = yaml.safe_load((REPO / "profiles" / profile / "luth.yaml").read_text())
    for section, keys in fragment.items():  # "merge these keys into yours"
        data.setdefault(section, {}).update(keys)
    sensors = sensors_of(data, tmp_path, f"profiles/{profile}/luth.yaml")
    for name in SENSORS:
        assert sensors[name].default_status == dg.DefaultSensorStatus.RUNNING
        assert "Starts with the daemon" in sensors[name].description


def test_the_code_location_loads_without_library_beta_notices(tmp_path: Path):
    """What `make ui`'s code server prints while loading the definitions: every warning shown
    (`-W always`), yet none of the beta/preview notices `luth` silences (luth_assets/lib/quiet.py),
    although the stages' decorators raise them at import time."""
    code = "import luth_assets.definitions as d; d.defs()"
    out = subprocess.run([str(BIN / "python"), "-W", "always", "-c", code], cwd=REPO, text=True,
                         env=tool_env(tmp_path, DEMO_CONFIG), capture_output=True, timeout=600)
    assert out.returncode == 0, out.stderr[-4000:]
    for notice in ("BetaWarning", "PreviewWarning", "SupersessionWarning"):
        assert notice not in out.stderr, out.stderr[-4000:]
