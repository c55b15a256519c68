"""The code's shape, as a contributor relies on it: the demo's asset graph is what the snapshot
says (keys, partitions, dependencies, checks), no import cycle between the project's modules, no
stage importing another, modules of a readable size, and no tracker numbers in code or docs.

After an intended change to the graph, regenerate the snapshot:
    .venv/bin/python -c "import json, tests.test_layout as t; \
        print(json.dumps(t.demo_snapshot(), indent=1, sort_keys=True))" \
        > tests/snapshots/demo_definitions.json
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import dagster as dg

from luth_assets.build import build_definitions
from luth_assets.run_config import Settings

REPO = Path(__file__).resolve().parents[1]
SNAPSHOTS = REPO / "tests" / "snapshots"
PACKAGES = ("luth_assets", "luth_train")
MAX_LINES = 420


def demo_snapshot(lake_root: str = "/nonexistent/lake") -> dict:
    settings = Settings(config_path=REPO / "data_lake" / "landing" / "luth.yaml", lake_root=lake_root)
    graph = build_definitions(settings).resolve_asset_graph()
    assets = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        parts = node.partitions_def
        if parts is None:
            shape = None
        elif isinstance(parts, dg.DynamicPartitionsDefinition):
            shape = f"dynamic:{parts.name}"
        elif isinstance(parts, dg.MultiPartitionsDefinition):
            shape = {d.name: d.partitions_def.get_partition_keys() for d in parts.partitions_defs}
        else:
            shape = parts.get_partition_keys()
        assets[key.to_user_string()] = {
            "partitions": shape, "deps": sorted(k.to_user_string() for k in node.parent_keys)}
    checks = sorted(f"{c.asset_key.to_user_string()}:{c.name}" for c in graph.asset_check_keys)
    return {"assets": assets, "checks": checks}


def test_demo_graph_matches_the_snapshot(tmp_path: Path) -> None:
    expected = json.loads((SNAPSHOTS / "demo_definitions.json").read_text())
    actual = demo_snapshot(str(tmp_path))
    assert sorted(actual["assets"]) == sorted(expected["assets"])
    for key, node in expected["assets"].items():
        assert actual["assets"][key] == node, key
    assert actual["checks"] == expected["checks"]


def python_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def import_time_imports(path: Path, name: str) -> set[str]:
    """Project modules imported when `path` is imported (module level, outside TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    found: set[str] = set()

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = name.split(".") if is_package else name.split(".")[:-1]
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                found.add(base)
                found.update(f"{base}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.If | ast.Try | ast.With):
                for field in ("body", "orelse", "handlers", "finalbody"):
                    for child in getattr(node, field, []) or []:
                        visit(child.body if isinstance(child, ast.ExceptHandler) else [child])

    visit(tree.body)
    return {m for m in found if m.split(".")[0] in PACKAGES}


def test_no_import_cycle_between_project_modules() -> None:
    modules = python_modules()
    graph = {name: {m for m in import_time_imports(path, name) if m in modules and m != name}
             for name, path in modules.items()}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def walk(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                walk(nxt, trail + [nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            walk(name, [name])
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles[:10])


def test_no_stage_imports_another_stage() -> None:
    stages = REPO / "luth_assets" / "stages"
    offenders = []
    for path in sorted(stages.rglob("*.py")):
        rel = path.relative_to(stages).parts
        if len(rel) < 2:
            continue
        own = rel[0]
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.search(r"luth_assets\.stages\.([a-z_]+)", line)
            if match and line.lstrip().startswith(("from ", "import ")) \
                    and match.group(1) not in (own, "keys"):
                offenders.append(f"{path.relative_to(REPO)}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_modules_stay_readable_in_size() -> None:
    long = [f"{path.relative_to(REPO)} ({n} lines)" for path in python_modules().values()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES]
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_code_and_docs_name_features_not_tracker_numbers() -> None:
    pattern = re.compile(r"\bissues? ?#?\d+\b", re.IGNORECASE)
    roots = [REPO / p for p in (*PACKAGES, "docs", "configs", "benchmarks", "sql")]
    files = [REPO / "README.md", REPO / "data_lake" / "landing" / "luth.yaml"]
    for root in roots:
        files += [p for p in root.rglob("*") if p.suffix in (".py", ".md", ".yaml", ".sql")]
    hits = [f"{p.relative_to(REPO)}:{i}" for p in files
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
            if pattern.search(line)]
    assert not hits, hits
