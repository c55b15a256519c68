"""How the training process starts: the command and the Dagster Pipes client for each launcher.

* ``subprocess``: ``python -m luth_assets.stages.training.pipes_entry`` under
  `dagster.PipesSubprocessClient` (the default; CPU demo, one GPU);
* ``accelerate``: the same module under ``accelerate launch [--config_file F] --num_processes N``
  (DeepSpeed ZeRO-1 / FSDP configs in configs/train/accelerate/), still a PipesSubprocessClient:
  rank 0 reports to Dagster;
* ``k8s``: a pod running the same module, through dagster-k8s' ``PipesK8sClient`` (optional
  dependency; the lake must be shared storage mounted in the pod, see docs/training.md).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from luth_assets.stages.training.settings import TrainingConfig

ENTRY_MODULE = "luth_assets.stages.training.pipes_entry"
REPO_ROOT = Path(__file__).resolve().parents[3]


def training_command(settings: TrainingConfig, cuda: bool | None = None) -> list[str]:
    """The command line that runs the training entry point for the configured launcher."""
    if settings.launcher in ("subprocess", "k8s"):
        return [sys.executable if settings.launcher == "subprocess" else "python", "-m", ENTRY_MODULE]
    acc = settings.accelerate
    exe = shutil.which("accelerate", path=str(Path(sys.executable).parent)) or "accelerate"
    cmd = [exe, "launch"]
    if acc.config_file is not None:
        cmd += ["--config_file", str(acc.config_file)]
    cmd += ["--num_processes", str(acc.num_processes)]
    if acc.config_file is None and acc.num_processes > 1:
        # torchrun-style launcher; on a machine without CUDA the ranks join over gloo (MULTI_CPU)
        cmd += ["--multi_gpu", "--num_machines", "1", "--dynamo_backend", "no"]
    cmd += list(acc.extra_args)
    return [*cmd, "-m", ENTRY_MODULE]


def training_env(settings: TrainingConfig) -> dict[str, str]:
    env = {"HF_HUB_OFFLINE": os.environ.get("HF_HUB_OFFLINE", "0"), "TOKENIZERS_PARALLELISM": "false"}
    if settings.threads:
        env["OMP_NUM_THREADS"] = str(settings.threads)
    path = os.environ.get("PYTHONPATH")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), path) if p)
    return env


def run_training(context, settings: TrainingConfig, extras: dict[str, Any]):
    """Launch the training process through Pipes; return its MaterializeResult."""
    import dagster as dg

    command = training_command(settings)
    context.log.info(f"launching training ({settings.launcher}): {' '.join(command)}")
    if settings.launcher == "k8s":
        return _run_k8s(context, settings, command, extras)
    client = dg.PipesSubprocessClient(cwd=str(REPO_ROOT))
    return client.run(command=command, context=context, extras=extras,
                      env=training_env(settings)).get_materialize_result()


def _run_k8s(context, settings: TrainingConfig, command: list[str], extras: dict[str, Any]):
    if importlib.util.find_spec("dagster_k8s") is None:
        raise RuntimeError("training.launcher is 'k8s' but dagster-k8s is not installed "
                           "(pip install -e '.[k8s]')")
    if not settings.k8s.image:
        raise ValueError("training.k8s.image is required when training.launcher is 'k8s'")
    from dagster_k8s import PipesK8sClient

    client = PipesK8sClient(load_incluster_config=settings.k8s.load_incluster_config,
                            kubeconfig_file=settings.k8s.kubeconfig_file)
    return client.run(context=context, image=settings.k8s.image, command=command,
                      namespace=settings.k8s.namespace, extras=extras,
                      env={k: v for k, v in training_env(settings).items() if k != "PYTHONPATH"},
                      base_pod_spec=settings.k8s.base_pod_spec or None).get_materialize_result()
