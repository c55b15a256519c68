"""`luth eval` end to end on the tiny model and the demo benchmark files."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys

import polars as pl
import pytest

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
            "--num-runs",
            "3",
            "--output",
            str(out),
        ]
    )
    printed = capsys.readouterr()
    assert code == 0, printed.err
    lines = printed.out.splitlines()
    assert lines[0].split() == ["benchmark", "n", "score", "stderr", "runs", "std", "metric"]
    table = {line.split()[0]: line.split() for line in lines[1:7]}
    assert set(table) == {
        "arc_challenge_fr",
        "mmlu_fr",
        "mmlu_en",
        "gpqa_diamond_fr",
        "math500_en",
        "ifeval_fr",
    }
    assert table["arc_challenge_fr"][1] == "2" and table["arc_challenge_fr"][6] == "acc_norm"
    assert table["gpqa_diamond_fr"][4] == "3"  # --num-runs 3: the authors. three runs
    assert "| model | kind |" in printed.out  # the score table (no published row: unknown model)
    rows = pl.read_parquet(out)
    # three runs of each benchmark, two items each
    assert rows.height == 6 * 2 * 3 and sorted(set(rows["run"])) == [0, 1, 2]
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
    mc = rows.filter((pl.col("benchmark") == "mmlu_fr") & (pl.col("run") == 0))
    assert mc["choice_logliks"].list.len().to_list() == [4, 4]
    # the authors' protocol: chat template and system prompt on the log-likelihood tasks too
    assert mc["prompt"][0].startswith("<|im_start|>system\nYou are a helpful assistant.<|im_end|>")
    assert "Question: Combien font 7 fois 8 ?\n A. 54" in mc["prompt"][0]
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


def test_luth_eval_prints_the_published_scores_of_a_known_model(tiny_model_dir, tmp_path, capsys):
    # a checkpoint folder named like a published model is recognised (here: the tiny model)
    model = tmp_path / "Qwen3-0.6B"
    shutil.copytree(tiny_model_dir, model)
    code = luth(
        [
            "eval",
            "--model",
            str(model),
            "--benchmarks",
            "arc_challenge_fr",
            "--limit",
            "2",
            "--num-runs",
            "1",
            "--path",
            f"arc_challenge_fr={DEMO_BENCHMARKS / 'arc_challenge_fr.jsonl'}",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "| Qwen3-0.6B (card 2025-08) | published | 31.57 |" in out
    assert "| Qwen3-0.6B (blog 2025-08-11) | published | 31.31 |" in out  # the sources disagree
    lines = out.splitlines()
    ours = next(line for line in lines if line.startswith(f"| {model} | ours |"))
    diff = next(line for line in lines
                if line.startswith(f"| {model} - Qwen3-0.6B (card 2025-08) | difference |"))
    score = float(ours.split("|")[3])
    assert float(diff.split("|")[3]) == pytest.approx(score - 31.57, abs=0.01)


def test_dump_prompts_needs_no_model_and_renders_the_chat_template(tiny_model_dir, tmp_path, capsys):
    out = tmp_path / "prompts.jsonl"
    code = luth(
        [
            "eval",
            "--dump-prompts",
            str(out),
            "--benchmarks",
            "hellaswag_fr,mmlu_en",
            "--path",
            f"hellaswag_fr={DEMO_BENCHMARKS / 'hellaswag_fr.jsonl'}",
            "--path",
            f"mmlu_en={DEMO_BENCHMARKS / 'mmlu_en.jsonl'}:hub",
            "--limit",
            "2",
            "--tokenizer",
            str(tiny_model_dir),
        ]
    )
    assert code == 0, capsys.readouterr().err
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["benchmark"] for r in rows] == ["hellaswag_fr"] * 2 + ["mmlu_en"] * 2
    assert set(rows[0]) == {
        "benchmark",
        "item_id",
        "query",
        "instruction",
        "choices",
        "gold_index",
        "generation_size",
        "metric",
        "model_input",
    }
    first = rows[0]
    assert first["query"].startswith("Voici une série de questions à choix multiples")
    assert first["choices"] == [" A", " B", " C", " D"] and first["gold_index"] == 0
    assert first["model_input"] == (
        "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
        f"<|im_start|>user\n{first['query']}<|im_end|>\n<|im_start|>assistant\n"
    )
    # lighteval 0.10 puts MMLU's instruction in the system turn when a system prompt is set
    mmlu = rows[2]
    assert mmlu["model_input"].startswith(
        "<|im_start|>system\nYou are a helpful assistant.The following are multiple choice questions"
    )


def test_dump_prompts_of_the_paper_configuration_records_size_and_metric(tmp_path, capsys):
    """The paper's protocol (configs/runs/luth_paper.yaml) on the demo rows: every generative task
    generates 8192 tokens, HellaSwag-FR is scored on the whole reply, MATH-500 the authors' way,
    GPQA's answers where the authors' seeded sequence put them."""
    from luth_train.evaluation.registry import BENCHMARK_NAMES
    from luth_train.evaluation.variants import authors_random_state

    out = tmp_path / "paper.jsonl"
    paths = [arg for name in BENCHMARK_NAMES for arg in ("--path", f"{name}={DEMO_BENCHMARKS / name}.jsonl")]
    config = str(REPO / "configs" / "runs" / "luth_paper.yaml")
    code = luth(["eval", "--dump-prompts", str(out), "--benchmarks", "all", "--config", config, *paths])
    assert code == 0, capsys.readouterr().err
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["benchmark"] for r in rows} == set(BENCHMARK_NAMES)
    for r in rows:
        loglik = r["benchmark"].split("_")[0] in ("mmlu", "arc") or r["benchmark"] == "hellaswag_en"
        assert r["generation_size"] == (None if loglik else 8192), r["benchmark"]
        assert r["metric"].startswith("loglik_") == loglik
    by = {r["benchmark"]: r for r in rows}
    assert by["hellaswag_fr"]["metric"] == "exact_match_whole_reply"
    assert by["math500_fr"]["metric"] == by["math500_en"]["metric"] == "math_equivalence_authors"
    for name, first in (("gpqa_diamond_en", 0), ("gpqa_diamond_fr", 198)):
        golds = [r["gold_index"] for r in rows if r["benchmark"] == name]
        draws = []
        for i in range(len(golds)):
            rng = random.Random()
            rng.setstate(authors_random_state(first + i))
            draws.append(rng.randint(0, 3))
        assert golds == draws
    # the switches' alternatives, from flags
    code = luth(["eval", "--dump-prompts", str(out), "--benchmarks", "hellaswag_fr,math500_fr", "--config",
                 config, *paths, "--hellaswag-fr-scoring", "first_token", "--math-scoring", "corrected"])
    assert code == 0, capsys.readouterr().err
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {(r["benchmark"], r["generation_size"], r["metric"]) for r in rows} == {
        ("hellaswag_fr", 1, "exact_match_first_token"),
        ("math500_fr", 8192, "math_equivalence_corrected"),
    }


def test_dump_prompts_runs_offline_on_a_fresh_copy_of_the_repository(tmp_path):
    """Tracked files only (as a fresh clone has them), no lake, no model, no network."""
    files = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True)
    fresh = tmp_path / "clone"
    for name in files.stdout.splitlines():
        src = REPO / name
        if src.is_file() and (name.startswith(("luth_", "data_lake/landing/")) or name == "pyproject.toml"):
            dst = fresh / name
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    env = {k: v for k, v in os.environ.items() if k not in ("LUTH_CONFIG", "PYTHONPATH")}
    env |= {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "PYTHONPATH": str(fresh)}
    def dump_prompts(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "luth_assets.cli", "eval", "--dump-prompts",
                               "out.jsonl", *args], cwd=fresh, env=env, capture_output=True,
                              text=True, timeout=300)

    run = dump_prompts("--benchmarks", "all", "--limit", "1")
    assert run.returncode == 0, run.stderr[-3000:]
    rows = [json.loads(line) for line in (fresh / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 12 and len({r["benchmark"] for r in rows}) == 12
    # without the demo configuration a benchmark has no local file: the hub is needed, and it says so
    (fresh / "data_lake/landing/luth.yaml").unlink()
    run = dump_prompts("--benchmarks", "hellaswag_fr")
    assert run.returncode == 1 and "evaluation.benchmarks.hellaswag_fr.path" in run.stderr


def test_luth_eval_help_from_the_installed_command():
    out = subprocess.run(
        [sys.executable, "-m", "luth_assets.cli", "eval", "--help"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert out.returncode == 0 and "--benchmarks" in out.stdout and "ifeval-score" in out.stdout
