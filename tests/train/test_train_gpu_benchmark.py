"""benchmarks/train_gpu.py: clear exit without CUDA; its code path runs on CPU (tiny shape)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "train_gpu.py"


def _run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "OMP_NUM_THREADS": "1", **(env or {})})


def test_without_cuda_exits_with_a_clear_message():
    proc = _run(env={"CUDA_VISIBLE_DEVICES": ""})
    assert proc.returncode == 2
    assert "needs a CUDA GPU" in proc.stderr and "torch.cuda.is_available() is False" in proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == {
        "benchmark": "train_gpu", "skipped": True, "reason": "no CUDA device"}


@pytest.mark.slow
def test_cpu_smoke_runs_the_training_steps():
    proc = _run("--cpu-smoke")
    assert proc.returncode == 0, proc.stderr[-2000:]
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    assert figures["smoke"] and figures["tokens_per_s"] > 0 and figures["packing_efficiency"] > 0.9
