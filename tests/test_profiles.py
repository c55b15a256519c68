"""The deployment profiles in profiles/ (local, machine, cluster) and the Dockerfile, checked the way
Dagster itself reads them: each dagster.yaml through Dagster's instance-config loader (and the
classes it names through their own config schemas), each run_config.yaml against the asset job
built with the matching `LUTH_EXECUTOR`, the cluster's run-configuration fragment through our own
loader; the Dockerfile installs the pinned set of pyproject.toml (there is no Docker daemon to
build it on the CI machines: `docker build` is the manual check, see docs/scale_out.md)."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster._config import validate_config
from dagster._core.instance.config import dagster_instance_config

from luth_assets.build import build_definitions
from luth_assets.executors import LLM_POOL, executor_for
from luth_assets.run_config import Settings, parse_config

REPO = Path(__file__).resolve().parents[1]
PROFILES = REPO / "profiles"
DEMO_CONFIG = REPO / "data_lake" / "landing" / "luth.yaml"
EXECUTOR_OF = {"local": "in_process", "machine": "multiprocess", "cluster": "k8s"}


def _class_config_errors(section: dict) -> list[str]:
    """Validate a `module/class/config` block against the named class's own config schema."""
    import importlib

    cls = getattr(importlib.import_module(section["module"]), section["class"])
    result = validate_config(cls.config_type(), section.get("config", {}))
    return [e.message for e in result.errors or []]


def test_cluster_dagster_yaml_loads_with_dagsters_own_config_loading():
    config, _ = dagster_instance_config(str(PROFILES / "cluster"))  # raises on a bad key
    launcher = config["run_launcher"]
    assert (launcher["module"], launcher["class"]) == ("dagster_k8s", "K8sRunLauncher")
    assert _class_config_errors(launcher) == []
    from dagster_postgres import DagsterPostgresStorage

    result = validate_config(DagsterPostgresStorage.config_type(), config["storage"]["postgres"])
    assert result.success, result.errors
    assert config["concurrency"]["pools"]["default_limit"] == 1
    assert config["concurrency"]["runs"]["max_concurrent_runs"] == 8


def test_a_typo_in_the_cluster_profile_is_caught(tmp_path):
    text = (PROFILES / "cluster" / "dagster.yaml").read_text()
    (tmp_path / "dagster.yaml").write_text(text.replace("job_namespace:", "job_namespce:"))
    config, _ = dagster_instance_config(str(tmp_path))
    assert any("job_namespce" in e for e in _class_config_errors(config["run_launcher"]))
    (tmp_path / "dagster.yaml").write_text(text.replace("concurrency:", "concurency:"))
    with pytest.raises(dg.DagsterInvalidConfigError):
        dagster_instance_config(str(tmp_path))


@pytest.mark.parametrize("profile", ["local", "machine"])
def test_local_and_machine_profiles_make_a_working_instance(profile, tmp_path):
    shutil.copy(PROFILES / profile / "dagster.yaml", tmp_path / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        pools = instance.get_concurrency_config().pool_config
        if profile == "machine":  # one LLM step at a time across processes
            assert pools.default_pool_limit == 1
            assert pools.pool_granularity.value == "op"
            instance.event_log_storage.initialize_concurrency_limit_to_default(LLM_POOL)
            assert instance.event_log_storage.get_concurrency_info(LLM_POOL).slot_count == 1


@pytest.mark.parametrize("profile", ["local", "machine", "cluster"])
def test_run_config_fits_the_profiles_executor(profile, tmp_path):
    settings = Settings(config_path=DEMO_CONFIG, lake_root=str(tmp_path),
                        executor=EXECUTOR_OF[profile])
    job = build_definitions(settings).resolve_implicit_global_asset_job_def()
    assert job.executor_def.name == {"local": "in_process", "machine": "multiprocess",
                                     "cluster": "k8s"}[profile]
    run_config = yaml.safe_load((PROFILES / profile / "run_config.yaml").read_text())
    dg.validate_run_config(job, run_config)  # raises DagsterInvalidConfigError on a bad key
    with pytest.raises(dg.DagsterInvalidConfigError):
        dg.validate_run_config(job, {"execution": {"config": {"no_such_key": 1}}})


def test_llm_steps_are_in_the_llm_pool(tmp_path):
    graph = build_definitions(Settings(config_path=DEMO_CONFIG, lake_root=str(tmp_path))
                              ).resolve_asset_graph()
    pooled = {a.node_def.name for a in graph.assets_defs if LLM_POOL in a.node_def.pools}
    assert pooled == {"translated_prompts", "regenerated_responses", "judged_samples",
                      "exam_texts",  # the vision fallback sends pages to a multimodal model
                      "scholar_items", "scholar_items_clean"}


def test_unknown_executor_is_a_clear_error():
    with pytest.raises(ValueError, match="LUTH_EXECUTOR='threads'"):
        executor_for("threads")


def test_cluster_run_configuration_fragment_is_valid():
    demo = yaml.safe_load(DEMO_CONFIG.read_text())
    fragment = yaml.safe_load((PROFILES / "cluster" / "luth.yaml").read_text())
    demo["training"].update(fragment["training"])
    config = parse_config(demo, "profiles/cluster/luth.yaml")
    assert config.training.launcher == "k8s" and config.training.k8s.image


def _pins() -> dict[str, str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pins = {}
    for req in project["dependencies"] + [r for extra in ("k8s", "s3")
                                           for r in project["optional-dependencies"][extra]]:
        name, _, version = req.partition("==")
        pins[name.split("[")[0].lower()] = version
    return pins


def test_dockerfile_installs_the_pinned_set_of_pyproject():
    text = (REPO / "Dockerfile").read_text()
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    python = re.search(r"^FROM python:(\d+\.\d+)", text, re.M)
    assert python and python.group(1) == project["requires-python"].removeprefix(">=")
    installs = [line for line in text.splitlines() if "pip install" in line]
    explicit = dict(re.findall(r"([A-Za-z0-9_.-]+)==([0-9][^\s'\"]*)", " ".join(installs)))
    pins = _pins()
    assert explicit, "the Dockerfile pins torch first (CPU wheel index)"
    for name, version in explicit.items():  # anything installed by name has pyproject's pin
        assert pins.get(name.lower()) == version, f"{name}=={version} vs pyproject {pins.get(name)}"
    # ... and the rest comes from pyproject.toml itself, with the extras the cluster needs
    assert any(re.search(r"pip install -e '\.\[k8s,s3\]'", line) for line in installs)
    assert all(pins[p] for p in ("dagster-k8s", "dagster-postgres", "s3fs"))
    for needed in ("luth_assets", "luth_train", "sql", "pyproject.toml"):
        assert re.search(rf"^COPY .*{re.escape(needed)}", text, re.M), needed
