"""Resources shared by every stage, built once per profile in `build_resources`.

- `io_manager`: Parquet in the lake (dagster-polars, atomic local writes).
- `lake`: the lake root, for assets that write files themselves, and `lake.read(key)`: the one way
  an asset reads a table it declares as a dependency (all partitions, where the IO manager wrote it).
- `llm`: the LLM client's secrets and endpoints, from the environment through `dg.EnvVar`; an
  asset asks it for a runner that also fills `ops/llm_calls`.
- `run_config`: the validated run configuration (`luth_assets.run_config.RunConfig`).
- `duckdb`: dagster-duckdb's resource over `lake.duckdb`, read-only (view maintenance is the only writer).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource
from pydantic import PrivateAttr

from luth_assets.lib import object_store, run_lease
from luth_assets.lib.lake import (
    LakeParquetIOManager,
    is_local,
    local_path,
    partition_of,
    read_table,
    staging_file,
    table_parquet_files,
)
from luth_assets.lib.llm.runtime import AssetLLMRunner
from luth_assets.lib.llm.settings import GEMINI_BASE_URL_ENV, OPENAI_BASE_URL_ENV, LLMSettings
from luth_assets.lib.partition_health import failed_partitions, stale_message
from luth_assets.lib.warehouse import database_path
from luth_assets.run_config import RunConfig, Settings

# Non-secret variables the local transformers provider honours (offline mode, cache folders).
HUB_ENV_PREFIXES = ("HF_", "TRANSFORMERS_")


class LakeResource(dg.ConfigurableResource):
    """The lake root, for assets that write files themselves (staged tables, checkpoints), and the
    reader of tables an asset depends on."""

    root: str
    _instance: dg.DagsterInstance | None = PrivateAttr(default=None)

    _run_id: str | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._instance = context.instance  # to leave out partitions whose latest run failed
        self._run_id = run_lease.join_for_resource(self.root, context)  # the lake's lease

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._run_id is not None:
            run_lease.leave(self.root, self._run_id)

    @property
    def path(self) -> Path:
        """The lake as a local folder (model checkpoints, plots); object storage has none."""
        if not is_local(self.root):
            raise ValueError(f"this asset writes folders into the lake and needs a local or mounted "
                             f"lake root; LUTH_LAKE_ROOT={self.root} holds tables only "
                             "(docs/scale_out.md#the-lake-on-object-storage)")
        return local_path(self.root)

    def staging_file(self, name: str) -> Path:
        return staging_file(self.root, name)

    def folder(self, *parts: str) -> Path:
        folder = self.path.joinpath(*parts)
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def uri(self, *parts: str) -> str:
        """Where `parts` are in the lake: a local path, or an object URI (``s3://...``)."""
        return str(self.path.joinpath(*parts)) if is_local(self.root) \
            else object_store.join(self.root, *parts)

    @contextmanager
    def output_folder(self, *parts: str) -> Iterator[Path]:
        """A local folder whose files end up at `parts` in the lake: the lake's own folder on a
        local lake; on object storage a temporary folder published (staged, then copied) once the
        block succeeds."""
        if is_local(self.root):
            yield self.folder(*parts)
            return
        with tempfile.TemporaryDirectory(dir=object_store.local_cache(self.root)) as tmp:
            yield Path(tmp)
            object_store.publish_folder(tmp, self.uri(*parts))

    def read(self, key: dg.AssetKey) -> pl.LazyFrame:
        """The table of `key` (every partition), read where the IO manager wrote it; a partition
        whose latest materialisation failed is left out (its file is stale), with a warning."""
        if self._instance is None:  # outside a run: nothing to ask about failed partitions
            return read_table(self.root, key.path)
        files = table_parquet_files(self.root, key.path)  # listed once (a LIST call on S3)
        present = {partition_of(self.root, key.path, f) for f in files} - {None}
        failed = failed_partitions(self._instance, key, present) if present else {}
        if failed:
            dg.get_dagster_logger().warning(stale_message(key, failed) + " (left out)")
        return read_table(self.root, key.path, exclude=set(failed), files=files)


class LLMResource(dg.ConfigurableResource):
    """Secrets and endpoints of the LLM providers. Built with `dg.EnvVar`, so the values stay in
    the environment (never in the run config, logs or metadata); which provider and model a stage
    uses is the run configuration's `llm:` section."""

    api_key: str | None = None
    gemini_base_url: str | None = None
    openai_base_url: str | None = None

    def provider_env(self, settings: LLMSettings) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k.startswith(HUB_ENV_PREFIXES)}
        key_env = settings.resolved_key_env()
        for name, value in ((key_env, self.api_key), (GEMINI_BASE_URL_ENV, self.gemini_base_url),
                            (OPENAI_BASE_URL_ENV, self.openai_base_url)):
            if name and value:
                env[name] = value
        return env

    def step_env(self, main_key_env: str | None):
        """Provider environment for a step's settings (`llm.steps`): the resource's key serves the
        `llm:` key variable; a step naming another variable reads it from the process environment
        when the call is made (never stored)."""

        def env_for(settings: LLMSettings) -> dict[str, str]:
            env = self.provider_env(settings)
            key_env = settings.resolved_key_env()
            if key_env and key_env != main_key_env:
                env.pop(key_env, None)
                if os.environ.get(key_env):
                    env[key_env] = os.environ[key_env]
            return env

        return env_for

    def runner(self, context: dg.AssetExecutionContext, settings: LLMSettings, lake_root: str,
               asset: dg.AssetKey, defer_failure: bool = False) -> AssetLLMRunner:
        """``run(requests, stage)`` for this materialisation; its calls land in ops/llm_calls.
        `defer_failure`: over `llm.max_error_rate`, keep the message in ``.failure`` (a filter
        node writes its tables, then fails) instead of raising at once."""
        return AssetLLMRunner(
            settings, lake_root, asset=asset.to_user_string(), run_id=context.run_id,
            partition=context.partition_key if context.has_partition_key else None,
            log=context.log.info, env=self.provider_env(settings), defer_failure=defer_failure,
            env_for=self.step_env(settings.resolved_key_env()) if settings.steps else None)


def _env_var(name: str | None) -> dg.EnvVar | None:
    """`dg.EnvVar(name)` when the variable is set (Dagster resolves it when the resource starts)."""
    return dg.EnvVar(name) if name and os.environ.get(name) else None


def build_resources(settings: Settings, config: RunConfig) -> dict[str, object]:
    root = str(Path(settings.lake_root).absolute()) if "://" not in settings.lake_root \
        else settings.lake_root
    return {
        "io_manager": LakeParquetIOManager(base_dir=root),
        "lake": LakeResource(root=root),
        "llm": LLMResource(api_key=_env_var(config.llm.resolved_key_env()),
                           gemini_base_url=_env_var(GEMINI_BASE_URL_ENV),
                           openai_base_url=_env_var(OPENAI_BASE_URL_ENV)),
        "run_config": config,
        # dagster-duckdb: stats assets/checks query the lake views through this resource
        "duckdb": DuckDBResource(database=str(database_path(root)),
                                 connection_config={"access_mode": "READ_ONLY"}),
    }
