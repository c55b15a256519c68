"""The Dagster UI as users start it (`make ui`: `dagster dev -w workspace.yaml`): the server comes
up, GraphQL serves exactly the asset keys `build_definitions` builds in-process with their kinds,
the sources group materialised first (`luth materialize --select group:sources`) shows row counts
and column descriptions through GraphQL, and headless Chromium renders the global asset graph,
one asset page and the runs timeline (screenshots kept in tmp_path; LUTH_UPDATE_SCREENSHOTS=1
also copies the lineage of `models/best_merge`, every asset drawn, to docs/images/lineage.png, the
README's).

Needs Debian `chromium` for the browser part (.ci/run installs it); skips with a reason without it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from luth_assets.build import build_definitions
from luth_assets.run_config import Settings

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = REPO / ".venv" / "bin"
BIN = VENV_BIN if (VENV_BIN / "dagster").exists() else Path(sys.executable).parent
DAGSTER = BIN / "dagster"
LUTH = BIN / "luth"
README_SHOT = REPO / "docs" / "images" / "lineage.png"
DEMO_CONFIG = REPO / "data_lake" / "landing" / "luth.yaml"
START_TIMEOUT_S = 120
GRAPH_PAGE = "asset-groups"  # "Global asset lineage" in Dagster 1.13: one box per group
GROUP_PAGE = "locations/luth/asset-groups/sources"  # one group, its assets drawn
EXPECTED_GROUPS = ("sources", "translation", "scholar", "curation", "training", "merging", "evaluation",
                   "ops")
# the README's picture: the lineage of the pipeline's last asset, every group open, its assets drawn
# (the global graph shows closed group boxes, and opened with `?expanded=` it does not fit the window)
LINEAGE_PAGE = "assets/models/best_merge?view=lineage&lineageScope=upstream&lineageDepth=12"
LINEAGE_WORDS = ("raw_multilingual", "sft_mix", "sft_checkpoint", "merged_models", "score_table")
EXPECTED_NAMES = ("raw_multilingual", "french_slices", "french_slices_rejects")
ASSET_PAGE = "assets/silver/french_slices"
TIMELINE_PAGE = "overview/activity/timeline"
TIMELINE_WORDS = ("Timeline", "Jobless asset materializations")  # the runs, under location luth
RUNS_QUERY = """
{ runsOrError { ... on Runs { results { runId status
    repositoryOrigin { repositoryLocationName } tags { key value } } } } }
"""
BACKFILLS_QUERY = """
{ partitionBackfillsOrError { ... on PartitionBackfills { results { id status title } } } }
"""
REEXECUTE = """
mutation { launchPipelineReexecution(reexecutionParams: {parentRunId: "%s", strategy: ALL_STEPS}) {
    __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }
"""
SLICE_QUERY = """
{ assetNodes(assetKeys: [{path: ["silver", "french_slices"]}]) {
    assetMaterializations(limit: 1) { metadataEntries { label
        ... on IntMetadataEntry { intValue }
        ... on TableSchemaMetadataEntry { schema { columns { name description } } } } } } }
"""

def lake_config(tmp_path: Path) -> Path:
    """The demo run configuration (committed in data_lake/landing/)."""
    if not DEMO_CONFIG.is_file():
        pytest.skip(f"demo config {DEMO_CONFIG} is missing")
    return DEMO_CONFIG


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def graphql(base: str, query: str) -> dict:
    request = urllib.request.Request(
        f"{base}/graphql", data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        body = json.load(response)
    assert "errors" not in body, f"GraphQL errors for {query!r}: {body['errors']}"
    return body["data"]


LOCATIONS_QUERY = """
{ workspaceOrError { __typename
    ... on Workspace { locationEntries { name loadStatus
        locationOrLoadError { __typename ... on PythonError { message } } } } } }
"""


def server_log(log_path: Path) -> str:
    text = log_path.read_text("utf-8", errors="replace") if log_path.exists() else ""
    return f"--- dagster dev output ({log_path}) ---\n{text[-8000:]}"


def wait_until_ready(base: str, proc: subprocess.Popen, log_path: Path) -> None:
    """Wait for /server_info, then for the `luth` code location to finish loading."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if proc.poll() is not None:
            pytest.fail(f"dagster dev exited with {proc.returncode}\n{server_log(log_path)}")
        if time.monotonic() > deadline:
            pytest.fail(f"dagster dev not ready on {base} after {START_TIMEOUT_S}s\n"
                        f"{server_log(log_path)}")
        try:
            with urllib.request.urlopen(f"{base}/server_info", timeout=5) as response:
                if response.status == 200:
                    entries = graphql(base, LOCATIONS_QUERY)["workspaceOrError"]["locationEntries"]
                    if entries and all(e["loadStatus"] == "LOADED" for e in entries):
                        errors = [e for e in entries
                                  if e["locationOrLoadError"]["__typename"] == "PythonError"]
                        assert not errors, f"code location failed to load: {errors}"
                        return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(1)


def stop(proc: subprocess.Popen) -> None:
    """Stop `dagster dev` and every child it spawned (webserver, daemon, code servers): they all
    share the session/process group started with start_new_session=True."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C on `make ui` sends
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        except ProcessLookupError:
            pass
    try:  # children can outlive the parent's graceful shutdown; the group is ours alone
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def chromium_binary() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def chromium(binary: str, profile: Path, *args: str, budget_ms: int = 15000) -> subprocess.CompletedProcess:
    return subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--disable-dev-shm-usage", f"--user-data-dir={profile}",
         f"--virtual-time-budget={budget_ms}", "--window-size=1600,1000", *args],
        capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture
def ui_env(tmp_path: Path) -> dict[str, str]:
    config = lake_config(tmp_path)
    lake = tmp_path / "lake"
    lake.mkdir()
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("", "utf-8")
    return {**os.environ, "LUTH_CONFIG": str(config), "LUTH_LAKE_ROOT": str(lake),
            "DAGSTER_HOME": str(home)}


@pytest.fixture
def dagster_ui(tmp_path: Path, ui_env: dict[str, str]):
    """`dagster dev -w workspace.yaml` from the repository root, as `make ui` runs it, after
    `luth materialize --select group:sources` filled the lake and the run history."""
    started = time.monotonic()
    seeded = subprocess.run([str(LUTH), "materialize", "--select", "group:sources"], cwd=REPO,
                            env=ui_env, capture_output=True, text=True, timeout=600, check=False)
    assert seeded.returncode == 0, seeded.stdout[-3000:] + seeded.stderr[-3000:]
    assert "Warning" not in seeded.stdout + seeded.stderr, seeded.stderr[-3000:]
    print(f"\nsources group materialised in {time.monotonic() - started:.1f}s")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "dagster_dev.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [str(DAGSTER), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
            cwd=REPO, env=ui_env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        started = time.monotonic()
        wait_until_ready(base, proc, log_path)
        print(f"\ndagster dev ready on {base} in {time.monotonic() - started:.1f}s")
        yield base
    finally:
        stop(proc)


def test_ui_serves_the_built_asset_graph(dagster_ui: str, ui_env: dict[str, str],
                                         tmp_path: Path) -> None:
    base = dagster_ui

    # 1. GraphQL serves exactly the asset keys built in-process from the same environment
    defs = build_definitions(Settings.from_env(ui_env))
    expected = {tuple(key.path) for key in defs.resolve_asset_graph().get_all_asset_keys()}
    served = {tuple(node["assetKey"]["path"])
              for node in graphql(base, "{ assetNodes { assetKey { path } } }")["assetNodes"]}
    assert served == expected
    assert {("bronze", "raw_multilingual"), ("silver", "french_slices"),
            ("silver", "french_slices_rejects")} <= served

    # 2. kinds on every asset; row counts and column descriptions on what was materialised
    kinds = {tuple(n["assetKey"]["path"]): n["kinds"]
             for n in graphql(base, "{ assetNodes { assetKey { path } kinds } }")["assetNodes"]}
    assert all(kinds.values()), [k for k, v in kinds.items() if not v]
    assert "polars" in kinds[("silver", "french_slices")]
    node = graphql(base, SLICE_QUERY)["assetNodes"][0]
    entries = {e["label"]: e for e in node["assetMaterializations"][0]["metadataEntries"]}
    assert entries["dagster/row_count"]["intValue"] > 0
    columns = {c["name"]: c["description"]
               for c in entries["dagster/column_schema"]["schema"]["columns"]}
    assert columns["language_probability"].startswith("Lowest per-turn probability")
    assert all(columns.values()), [name for name, text in columns.items() if not text]
    print(f"french_slices: {entries['dagster/row_count']['intValue']} rows, "
          f"{len(columns)} described columns")

    # 3. the command's runs are one unit: one backfill, every run under the code location, and
    # the UI can re-execute them
    backfills = graphql(base, BACKFILLS_QUERY)["partitionBackfillsOrError"]["results"]
    assert [(b["title"], b["status"]) for b in backfills] == [
        ("luth materialize group:sources", "COMPLETED_SUCCESS")]
    runs = graphql(base, RUNS_QUERY)["runsOrError"]["results"]
    assert len(runs) == 4 and all(r["status"] == "SUCCESS" for r in runs)
    assert all(r["repositoryOrigin"]["repositoryLocationName"] == "luth" for r in runs)
    assert all({"key": "dagster/backfill", "value": backfills[0]["id"]} in r["tags"] for r in runs)
    again = graphql(base, REEXECUTE % runs[0]["runId"])["launchPipelineReexecution"]
    assert again["__typename"] == "LaunchRunSuccess", again

    # 4. The global asset graph, an asset page and the runs timeline render in a real browser
    binary = chromium_binary()
    if binary is None:
        pytest.skip("chromium is not installed (apt-get install chromium; .ci/run does it)")
    # mark the first-visit "Join the Dagster community" dialog as seen (what its Skip does),
    # so that it does not cover the graph in the screenshot
    graphql(base, "mutation { setNuxSeen }")
    url = f"{base}/{GRAPH_PAGE}"
    dom = chromium(binary, tmp_path / "chromium-dom", "--dump-dom", url)
    assert dom.returncode == 0, f"chromium --dump-dom failed: {dom.stderr[-3000:]}"
    (tmp_path / "asset_graph.html").write_text(dom.stdout, "utf-8")
    missing = [name for name in EXPECTED_GROUPS if name not in dom.stdout]
    assert not missing, (f"{url} rendered without the groups {missing}; DOM saved to "
                         f"{tmp_path / 'asset_graph.html'} ({len(dom.stdout)} chars)")

    group_url = f"{base}/{GROUP_PAGE}"
    dom = chromium(binary, tmp_path / "chromium-dom", "--dump-dom", group_url)
    assert dom.returncode == 0, f"chromium --dump-dom failed: {dom.stderr[-3000:]}"
    (tmp_path / "sources_group.html").write_text(dom.stdout, "utf-8")
    missing = [name for name in EXPECTED_NAMES if name not in dom.stdout]
    assert not missing, (f"{group_url} rendered without {missing}; DOM saved to "
                         f"{tmp_path / 'sources_group.html'} ({len(dom.stdout)} chars)")

    png = tmp_path / "asset_graph.png"
    shot = chromium(binary, tmp_path / "chromium-shot", f"--screenshot={png}", url)
    assert shot.returncode == 0, f"chromium --screenshot failed: {shot.stderr[-3000:]}"
    assert png.is_file(), f"no screenshot written: {shot.stderr[-3000:]}"
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 30_000, f"screenshot only {len(data)} bytes: likely a blank page"
    print(f"asset graph screenshot: {png} ({len(data)} bytes)")
    # the README's picture: the assets and their lineage, not eight closed group boxes
    dom = chromium(binary, tmp_path / "chromium-dom", "--dump-dom", f"{base}/{LINEAGE_PAGE}")
    missing = [name for name in LINEAGE_WORDS if name not in dom.stdout]
    assert not missing, f"{LINEAGE_PAGE} rendered without {missing}"
    lineage = tmp_path / "lineage.png"
    shot = chromium(binary, tmp_path / "chromium-shot", f"--screenshot={lineage}", f"{base}/{LINEAGE_PAGE}")
    assert shot.returncode == 0 and lineage.is_file(), shot.stderr[-3000:]
    assert lineage.stat().st_size > 30_000, f"lineage screenshot only {lineage.stat().st_size} bytes"
    if os.environ.get("LUTH_UPDATE_SCREENSHOTS") == "1":
        README_SHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(lineage, README_SHOT)
        print(f"copied to {README_SHOT}")

    for name, page, words in (("asset_page", ASSET_PAGE, ("french_slices", "sources")),
                              ("score_table_page", "assets/gold/score_table", ("score_table",)),
                              ("best_merge_page", "assets/models/best_merge", ("best_merge",)),
                              ("timeline", TIMELINE_PAGE, TIMELINE_WORDS)):
        dom = chromium(binary, tmp_path / "chromium-dom", "--dump-dom", f"{base}/{page}")
        (tmp_path / f"{name}.html").write_text(dom.stdout, "utf-8")
        missing = [w for w in words if w not in dom.stdout]
        assert not missing, f"{page} rendered without {missing}; DOM in {tmp_path / f'{name}.html'}"
        shot_png = tmp_path / f"{name}.png"
        shot = chromium(binary, tmp_path / "chromium-shot", f"--screenshot={shot_png}", f"{base}/{page}")
        assert shot.returncode == 0 and shot_png.is_file(), shot.stderr[-3000:]
        size = shot_png.stat().st_size
        assert size > 30_000, f"{name} screenshot only {size} bytes: likely a blank page"
        print(f"{name} screenshot: {shot_png} ({size} bytes)")
