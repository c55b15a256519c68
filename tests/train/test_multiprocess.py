from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from .test_sft import sft_rows, tiny_cfg

ACCEL = Path(__file__).resolve().parents[2] / "configs" / "train" / "accelerate"


def test_accelerate_configs_parse():
    for p in ACCEL.glob("*.yaml"):
        assert yaml.safe_load(p.read_text())["distributed_type"]


def _events(stdout: str) -> list[dict]:
    # two ranks print to one pipe: records may share a line
    text = stdout.replace("}{", "}\n{")
    return [json.loads(x) for x in text.splitlines() if x.startswith('{"event"')]


def test_accelerate_launch_two_cpu_processes(tiny_model_dir, tmp_path):
    """`accelerate launch --multi_gpu --num_processes 2` on a CPU-only machine: torchrun starts two
    ranks, `Accelerator(cpu=True)` joins them with gloo (MULTI_CPU). Each rank trains on its own
    micro-batches; identical weights on both ranks at the end prove the gradients were averaged."""
    data = tmp_path / "mix.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in sft_rows(32)), encoding="utf-8")
    cfg = tmp_path / "c.yaml"
    cfg.write_text(tiny_cfg(tiny_model_dir, tmp_path / "out", datasets=[str(data)], max_steps=3,
                            evals_per_epoch=1, save_strategy="no").to_yaml())
    accelerate = Path(sys.executable).with_name("accelerate")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1", "CUDA_VISIBLE_DEVICES": ""}
    proc = subprocess.run(
        [str(accelerate), "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1",
         "--mixed_precision", "no", "--dynamo_backend", "no", "-m", "luth_train.sft", str(cfg),
         "--json"],
        capture_output=True, text=True, timeout=300, env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    events = _events(proc.stdout)
    starts = [e for e in events if e["event"] == "start"]
    assert sorted(s["rank"] for s in starts) == [0, 1] and all(s["world_size"] == 2 for s in starts)
    first = [e for e in events if e["event"] == "train" and e["step"] == 1]
    assert len(first) == 2 and first[0]["loss"] != first[1]["loss"]  # each rank saw its own rows
    ends = {e["rank"]: e for e in events if e["event"] == "end"}
    assert set(ends) == {0, 1} and ends[0]["global_step"] == ends[1]["global_step"] == 3
    assert ends[0]["weights_sha256"] == ends[1]["weights_sha256"]  # gradients were synchronised
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert metrics["global_step"] == 3
    assert (tmp_path / "out" / "final" / "model.safetensors").is_file()
