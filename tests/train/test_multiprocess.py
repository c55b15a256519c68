from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .test_sft import sft_rows, tiny_cfg

ACCEL = Path(__file__).resolve().parents[2] / "configs" / "train" / "accelerate"


def test_accelerate_configs_parse():
    for p in ACCEL.glob("*.yaml"):
        assert yaml.safe_load(p.read_text())["distributed_type"]


@pytest.mark.skip(
    reason="unresolved: `accelerate launch` MULTI_CPU starts one process without MPI, and the "
    "--multi_gpu launcher hangs on a CPU-only box; issue 6's 2-process gloo test is still open"
)
def test_accelerate_launch_two_cpu_processes(tiny_model_dir, tmp_path):
    data = tmp_path / "mix.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in sft_rows(32)), encoding="utf-8")
    cfg = tmp_path / "c.yaml"
    cfg.write_text(tiny_cfg(tiny_model_dir, tmp_path / "out", datasets=[str(data)], max_steps=3,
                            evals_per_epoch=1, save_strategy="no").to_yaml())
    accelerate = Path(sys.executable).with_name("accelerate")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run(
        [str(accelerate), "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1",
         "-m", "luth_train.sft", str(cfg)],
        capture_output=True, text=True, timeout=180, env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    starts = [json.loads(x) for x in proc.stdout.splitlines() if x.startswith('{"event": "start"')]
    assert starts and all(s["world_size"] == 2 for s in starts)
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert metrics["global_step"] == 3
    assert (tmp_path / "out" / "final" / "model.safetensors").is_file()
