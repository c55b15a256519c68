"""`luth eval` end to end on the tiny model and the demo benchmark files."""

from __future__ import annotations

import subprocess
import sys

import polars as pl

from luth_assets.cli import main as luth

from .conftest import DEMO_BENCHMARKS, REPO


def test_luth_eval_prints_scores_and_writes_rows(tiny_model_dir, tmp_path, capsys):
    out = tmp_path / "rows.parquet"
    code = luth(
        [
            "eval",
            "--model",
            str(tiny_model_dir),
            "--config",
            str(REPO / "data_lake/landing/luth.yaml"),
            "--benchmarks",
            "arc_challenge_fr,mmlu,gpqa_diamond_fr,math500_en,ifeval_fr",
            "--limit",
            "2",
            "--max-new-tokens",
            "8",
            "--output",
            str(out),
        ]
    )
    printed = capsys.readouterr()
    assert code == 0, printed.err
    lines = printed.out.splitlines()
    assert lines[0].split() == ["benchmark", "n", "score", "stderr", "metric"]
    table = {line.split()[0]: line.split() for line in lines[1:7]}
    assert set(table) == {
        "arc_challenge_fr",
        "mmlu_fr",
        "mmlu_en",
        "gpqa_diamond_fr",
        "math500_en",
        "ifeval_fr",
    }
    assert table["arc_challenge_fr"][1] == "2" and table["arc_challenge_fr"][4] == "acc_norm"
    rows = pl.read_parquet(out)
    assert rows.height == 12
    assert set(rows.columns) >= {
        "model",
        "benchmark",
        "item_id",
        "prompt",
        "response",
        "choice_logliks",
        "extracted",
        "correct",
    }
    mc = rows.filter(pl.col("benchmark") == "mmlu_fr")
    assert mc["choice_logliks"].list.len().to_list() == [4, 4]
    assert mc["prompt"][0].startswith("Voici des questions à choix multiples")
    gen = rows.filter(pl.col("benchmark") == "gpqa_diamond_fr")
    assert gen["response"].null_count() == 0


def test_luth_eval_path_override_and_errors(tiny_model_dir, tmp_path, capsys):
    code = luth(
        [
            "eval",
            "--model",
            str(tiny_model_dir),
            "--config",
            str(tmp_path / "none.yaml"),
            "--benchmarks",
            "hellaswag_en",
        ]
    )
    assert code == 2 and "none.yaml does not exist" in capsys.readouterr().err
    code = luth(["eval", "--model", str(tiny_model_dir), "--benchmarks", "hellaswag_xx"])
    assert code == 2 and "unknown benchmark 'hellaswag_xx'" in capsys.readouterr().err
    code = luth(
        [
            "eval",
            "--model",
            str(tmp_path / "no-model"),
            "--benchmarks",
            "hellaswag_en",
            "--path",
            f"hellaswag_en={DEMO_BENCHMARKS / 'hellaswag_en.jsonl'}",
        ]
    )
    assert code == 1 and "cannot load model" in capsys.readouterr().err
    code = luth(
        [
            "eval",
            "--model",
            str(tiny_model_dir),
            "--benchmarks",
            "hellaswag_en",
            "--limit",
            "1",
            "--path",
            f"hellaswag_en={DEMO_BENCHMARKS / 'hellaswag_en.jsonl'}",
        ]
    )
    assert code == 0 and capsys.readouterr().out.splitlines()[1].split()[:2] == ["hellaswag_en", "1"]


def test_luth_eval_help_from_the_installed_command():
    out = subprocess.run(
        [sys.executable, "-m", "luth_assets.cli", "eval", "--help"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert out.returncode == 0 and "--benchmarks" in out.stdout and "ifeval-score" in out.stdout
