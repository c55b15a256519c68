"""`make demo` end to end: the whole graph on the committed demo data, offline, as a user runs it.

One `luth materialize --all` into a temporary lake and Dagster home, then the checks a user
makes afterwards with `luth sql`: every stage reconciles, the score table has the base, SFT and
merged models, a merge is chosen, the bad demo PDFs are in quarantine, and every query shipped in
`sql/` runs on the complete lake.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LUTH = [sys.executable, "-m", "luth_assets.cli"]


def makefile_exports() -> dict[str, str]:
    """The variables `make demo` exports (the pinned CPU code paths among them), so that a run
    here is the run `make demo` makes."""
    exports = {}
    for line in (REPO / "Makefile").read_text().splitlines():
        match = re.match(r"export (ATEN_CPU_CAPABILITY|MKL_CBWR) \?= (\S+)", line)
        if match:
            exports[match.group(1)] = match.group(2)
    assert set(exports) == {"ATEN_CPU_CAPABILITY", "MKL_CBWR"}, exports
    return exports


def run_demo(tmp_path_factory, **extra_env: str) -> tuple[Path, dict[str, str]]:
    """`luth materialize --all` on the demo into a fresh lake and Dagster home."""
    lake = tmp_path_factory.mktemp("demo_lake")
    home = tmp_path_factory.mktemp("dagster_home")
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env = {**os.environ, **makefile_exports(), "LUTH_CONFIG": str(REPO / "data_lake/landing/luth.yaml"),
           "LUTH_LAKE_ROOT": str(lake), "DAGSTER_HOME": str(home), **extra_env}
    env.pop("GEMINI_API_KEY", None)
    run = subprocess.run([*LUTH, "materialize", "--all"], env=env, cwd=REPO, capture_output=True,
                         text=True, timeout=1800)
    print(run.stdout[-3000:])
    assert run.returncode == 0, f"luth materialize --all failed:\n{run.stdout[-6000:]}\n{run.stderr[-3000:]}"
    assert "FAILED" not in run.stdout
    return lake, env


@pytest.fixture(scope="module")
def demo_lake(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    return run_demo(tmp_path_factory)


def sql(env: dict[str, str], query: str, *params: str) -> list[dict[str, str]]:
    run = subprocess.run([*LUTH, "sql", query, "--csv", *params], env=env, cwd=REPO,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"luth sql {query} failed: {run.stderr[-2000:]}"
    return list(csv.DictReader(io.StringIO(run.stdout)))


def test_every_stage_reconciles_in_the_funnel(demo_lake) -> None:
    _, env = demo_lake
    rows = sql(env, "curation/pipeline_funnel.sql")
    stages = [r["stage"].split(":")[0] for r in rows]
    assert {"sources", "translation", "judge", "scholar", "curation"} <= set(stages)
    for row in rows:
        assert row["reconciles"] == "True", row
        assert int(row["input_rows"]) == int(row["kept_rows"]) + int(row["rejected_rows"]), row


def test_score_table_has_base_sft_and_merges_and_a_merge_is_chosen(demo_lake) -> None:
    _, env = demo_lake
    models = {r["model"] for r in sql(env, "select model from score_table")}
    assert {"base", "sft"} <= models
    assert any(m.startswith("merge-") for m in models)
    chosen = sql(env, "select model from best_merge where chosen")
    assert len(chosen) == 1 and chosen[0]["model"] in models


def test_held_out_losses_show_the_french_english_trade_off(demo_lake) -> None:
    """The paper's mechanism on the tiny demo models: SFT on French lowers the French loss and
    raises the English one; every merge lies between on French and forgets less English than SFT;
    the more SFT a linear merge takes, the lower its French loss."""
    _, env = demo_lake
    rows = sql(env, "select model, language_loss_fr, language_loss_en from score_table where kind = 'ours'")
    loss = {r["model"]: (float(r["language_loss_fr"]), float(r["language_loss_en"])) for r in rows}
    (base_fr, base_en), (sft_fr, sft_en) = loss["base"], loss["sft"]
    assert sft_fr < base_fr and sft_en > base_en
    merges = {m: v for m, v in loss.items() if m.startswith("merge-")}
    assert merges
    for model, (fr, en) in merges.items():
        assert sft_fr <= fr <= base_fr, model
        assert en < sft_en, model
    linear = sorted((float(m.split("_a")[1]), fr) for m, (fr, _) in merges.items() if "linear_a" in m)
    assert [fr for _, fr in linear] == sorted((fr for _, fr in linear), reverse=True)


def test_bad_demo_pdfs_are_quarantined_with_reasons(demo_lake) -> None:
    _, env = demo_lake
    reasons = {r["reason"] for r in sql(env, "select reason from exam_quarantine")}
    assert {"corrupt", "no_text_layer"} <= reasons


def test_llm_calls_are_accounted_without_the_key(demo_lake) -> None:
    lake, env = demo_lake
    rows = sql(env, "select stage, rows, requests from llm_calls")
    assert {"translated_prompts", "quality_judge", "scholar_questions"} <= {r["stage"] for r in rows}
    assert all(int(r["rows"]) > 0 for r in rows)


def test_every_shipped_query_runs_on_the_demo_lake(demo_lake) -> None:
    _, env = demo_lake
    for path in sorted((REPO / "sql").rglob("*.sql")):
        rel = path.relative_to(REPO / "sql")
        sql(env, str(rel), "-p", "language=fr")


def test_every_table_has_the_rows_of_the_snapshot(demo_lake) -> None:
    """The demo's tables keep their row counts across refactorings (tests/snapshots/)."""
    import json

    _, env = demo_lake
    expected = json.loads((REPO / "tests" / "snapshots" / "demo_table_rows.json").read_text())
    for table, rows in expected.items():
        schema, name = table.split("/")
        got = sql(env, f"select count(*) as n from {schema}.{name}")
        assert int(got[0]["n"]) == rows, f"{table}: {got[0]['n']} rows, expected {rows}"


SCORE_COLUMNS = "model, language_loss_fr, language_loss_en, fr_average, en_average"


def readme_demo_table() -> list[dict[str, str]]:
    """The rows of the README's demo table ("Evaluation on the demo")."""
    text = (REPO / "README.md").read_text()
    header = "| model | language_loss_fr | language_loss_en | fr_average | en_average |"
    lines = text[text.index(header):].splitlines()
    rows = []
    for line in lines[2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows.append(dict(zip(SCORE_COLUMNS.split(", "), cells, strict=True)))
    return rows


def test_a_second_demo_run_gives_the_same_score_table_and_the_readme_shows_it(
        demo_lake, tmp_path_factory) -> None:
    """Two `make demo` runs (the second on one thread) give identical score tables, and the README's
    demo table is that table."""
    _, env = demo_lake
    _, env2 = run_demo(tmp_path_factory, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    query = "select * from score_table order by model, kind"
    first, second = sql(env, query), sql(env2, query)
    assert first == second
    ours = sql(env, f"select {SCORE_COLUMNS} from score_table where kind = 'ours'")
    assert readme_demo_table() == ours, "README's demo table is not what the demo produces"
