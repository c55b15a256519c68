"""Which Dagster executor the code location's jobs use: `LUTH_EXECUTOR`.

- unset: Dagster's default (multiprocess under `dagster dev`, in-process under `luth materialize`);
- ``in_process``: every step in the run's own process (profiles/local);
- ``multiprocess``: one process per step on one machine (profiles/machine), with the LLM steps
  in the concurrency pool ``llm`` so the provider's rate limit holds across processes;
- ``k8s``: dagster-k8s' `k8s_job_executor`, one Kubernetes Job per step (profiles/cluster; needs
  the ``k8s`` extra).

The executor's own settings (``max_concurrent``, the k8s job config) come from the run config,
e.g. ``profiles/machine/run_config.yaml``.
"""

from __future__ import annotations

import dagster as dg

EXECUTOR_ENV = "LUTH_EXECUTOR"
EXECUTORS = ("in_process", "multiprocess", "k8s")
# LLM steps share this concurrency pool: its limit (profiles' dagster.yaml `concurrency.pools`,
# or `dagster instance concurrency set llm N`) caps the LLM steps running at once across processes
LLM_POOL = "llm"


def executor_for(name: str | None) -> dg.ExecutorDefinition | None:
    """The executor named by `LUTH_EXECUTOR` (None: Dagster's default)."""
    if not name:
        return None
    if name == "in_process":
        return dg.in_process_executor
    if name == "multiprocess":
        return dg.multiprocess_executor
    if name == "k8s":
        try:
            from dagster_k8s import k8s_job_executor
        except ImportError:
            raise ValueError(f"{EXECUTOR_ENV}=k8s needs dagster-k8s: pip install "
                             "'luth-lakehouse[k8s]'") from None
        return k8s_job_executor
    raise ValueError(f"{EXECUTOR_ENV}={name!r}: expected one of {', '.join(EXECUTORS)} or unset")
