"""The `luth` command line catches a user's mistakes: exit codes and the messages a user reads.

Every case runs the real `luth_assets.cli.main` (the console script) on the demo configuration
and an empty temporary lake; nothing is materialised (a selection is resolved before any run).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from luth_assets import cli
from luth_assets.lib.models import base_model_dir
from luth_assets.stages.curation.assets import DATASET_FOLDER

REPO = Path(__file__).resolve().parents[1]
DEMO_CONFIG = REPO / "data_lake" / "landing" / "luth.yaml"


@pytest.fixture
def demo_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LUTH_CONFIG", str(DEMO_CONFIG))
    monkeypatch.setenv("LUTH_LAKE_ROOT", str(tmp_path / "lake"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    return tmp_path


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    try:
        code = cli.main(list(argv))
    except SystemExit as exit_:  # argparse's --version / usage errors
        code = exit_.code
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize(("select", "expected"), [
    ("gold/score_tabel", "did you mean gold/score_table"),
    ("score_tabel", "did you mean gold/score_table"),
    ("group:evaluatoin", "did you mean evaluation"),
    ("kind:pytorh", "did you mean pytorch"),
    ("tag:nope", "unknown tag 'nope'"),
])
def test_an_unknown_selection_fails_with_close_matches(demo_env, capsys, select, expected) -> None:
    code, out, err = run(capsys, "materialize", "--select", select)
    assert code == 2
    assert expected in err
    assert "runs succeeded" not in out


def test_group_kind_and_sql_spelling_select_assets(demo_env) -> None:
    from luth_assets.build import build_definitions
    from luth_assets.run_config import Settings
    from luth_assets.selection import resolve_selection

    graph = build_definitions(Settings.from_env()).resolve_asset_graph()
    names = [k.to_user_string() for k in resolve_selection(graph, ["group:evaluation"])]
    assert names == ["gold/benchmark_items", "gold/benchmark_scores", "gold/score_table"]
    assert [k.to_user_string() for k in resolve_selection(graph, ["gold.score_table"])] == [
        "gold/score_table"]
    merges = {k.to_user_string() for k in resolve_selection(graph, ["kind:mergekit"])}
    assert merges == {"models/merged_models", "models/best_merge"}


def test_materialize_without_a_selection_or_with_an_empty_config_is_an_error(
        demo_env, capsys, tmp_path, monkeypatch) -> None:
    code, _, err = run(capsys, "materialize")
    assert code == 2 and "give --all or --select" in err
    empty = tmp_path / "empty.yaml"
    empty.write_text("", "utf-8")
    monkeypatch.setenv("LUTH_CONFIG", str(empty))
    code, out, err = run(capsys, "materialize", "--all")
    assert code == 2
    assert f"run configuration {empty} is empty" in err
    assert "runs succeeded" not in out


def test_a_missing_sql_file_lists_the_query_files(demo_env, capsys) -> None:
    code, out, err = run(capsys, "sql", "curation/pipeline_funel.sql")
    assert code == 2
    assert "curation/pipeline_funel.sql not found" in err
    assert "  curation/pipeline_funnel.sql" in err
    assert "Traceback" not in err


def test_version_and_assets_listing(demo_env, capsys) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("luth 0.")
    code, out, _ = run(capsys, "assets")
    assert code == 0
    line = next(x for x in out.splitlines() if "models/merged_models" in x)
    assert "merging" in line and "mergekit" in line and "static" in line
    assert "(29 rows)" in out  # 28 assets + silver/exam_vision_rejects


def test_merge_help_describes_every_option() -> None:
    result = subprocess.run([sys.executable, "-m", "luth_assets.cli", "merge", "--help"],
                            capture_output=True, text=True, check=True, cwd=REPO)
    text = " ".join(result.stdout.split())
    assert "--threads N torch threads" in text
    assert "--out-shard-size BYTES largest safetensors shard" in text


def test_merge_fills_the_model_placeholders_and_refuses_leftovers(tmp_path) -> None:
    from luth_train.merge.errors import MergeError
    from luth_train.merge.recipes import resolve_recipe

    recipe = REPO / "configs" / "merge" / "merge_slerp.yaml"
    with pytest.raises(MergeError, match=r"FINETUNED_MODEL: pass --finetuned-model"):
        resolve_recipe(recipe, base_model=str(tmp_path / "base"))
    resolved = resolve_recipe(recipe, base_model="B", finetuned_model="F")
    assert "BASE_MODEL" not in resolved.mergekit_yaml and "FINETUNED_MODEL" not in resolved.mergekit_yaml
    data = yaml.safe_load(resolved.mergekit_yaml)
    assert data["base_model"] == "B"
    assert [s["model"] for s in data["slices"][0]["sources"]] == ["B", "F"]
    assert (resolved.base_model, resolved.finetuned_model) == ("B", "F")


def test_merge_cli_refuses_placeholders_in_one_line(capsys) -> None:
    from luth_train.merge.cli import main

    code = main([str(REPO / "configs" / "merge" / "merge_linear.yaml"), "out"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1
    assert "BASE_MODEL, FINETUNED_MODEL" in err and "--base-model" in err


def test_shipped_train_configs_point_where_the_demo_writes() -> None:
    # the folder the curation stage writes (train + validation, each row with its split)
    dataset = Path("data_lake", *DATASET_FOLDER).as_posix()
    for path in sorted(p for p in (REPO / "configs" / "train").rglob("*.yaml")
                       if "accelerate" not in p.parts):
        config = yaml.safe_load(path.read_text("utf-8"))
        assert config["datasets"] == [dataset], path.name
        if path.name.startswith("tiny"):
            assert config["base_model"] == base_model_dir("data_lake").as_posix()


def test_train_with_missing_inputs_fails_in_one_line(tmp_path, capsys, monkeypatch) -> None:
    from luth_train.sft import main

    monkeypatch.chdir(tmp_path)  # no data_lake/ here: as on a fresh clone before make demo
    code = main([str(REPO / "configs" / "train" / "tiny_full_sft_cpu.yaml")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert "base_model data_lake/models/base_model does not exist" in err
    code = main([str(REPO / "configs" / "train" / "tiny_full_sft_cpu.yaml"), "report_to=tensorbord"])
    assert code == 2 and "report_to" in capsys.readouterr().err


def test_commands_print_no_library_notices(tmp_path) -> None:
    """Dagster beta/preview notices are silenced (LUTH_VERBOSE_LIBRARIES=1 brings them back)."""
    env = {**os.environ, "LUTH_CONFIG": str(DEMO_CONFIG), "LUTH_LAKE_ROOT": str(tmp_path)}
    quiet = subprocess.run([sys.executable, "-m", "luth_assets.cli", "assets"], env=env, cwd=REPO,
                           capture_output=True, text=True, check=True)
    assert "Warning" not in quiet.stderr, quiet.stderr[-2000:]
    loud = subprocess.run([sys.executable, "-m", "luth_assets.cli", "assets"], cwd=REPO,
                          env={**env, "LUTH_VERBOSE_LIBRARIES": "1"}, capture_output=True, text=True,
                          check=True)
    assert "BetaWarning" in loud.stderr  # the silenced notices exist: the test can fail


def test_a_long_selection_still_makes_a_valid_backfill_title() -> None:
    """Dagster refuses backfill titles over 100 characters; a long --select is cut at a word."""
    from luth_assets.demo_unit import MAX_TITLE, short_title

    keys = [f"silver/table_number_{i}" for i in range(12)]
    title = short_title("luth materialize " + " ".join(keys))
    assert len(title) <= MAX_TITLE
    assert title.startswith("luth materialize silver/table_number_0 ")
    left_out = int(title.rsplit("(+", 1)[1].split()[0])
    assert title.count("silver/") + left_out == 12
    assert short_title("luth materialize --all") == "luth materialize --all"
