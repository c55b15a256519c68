"""Resources shared by every stage, built once per profile in `build_resources`."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from luth_assets.lib.config import Settings
from luth_assets.lib.lake import LakeParquetIOManager, local_path, staging_file
from luth_assets.lib.warehouse import database_path


class LakeResource(dg.ConfigurableResource):
    """The lake root, for assets that write files themselves (staged tables, checkpoints)."""

    root: str

    @property
    def path(self) -> Path:
        return local_path(self.root)

    def staging_file(self, name: str) -> Path:
        return staging_file(self.root, name)

    def folder(self, *parts: str) -> Path:
        folder = self.path.joinpath(*parts)
        folder.mkdir(parents=True, exist_ok=True)
        return folder


def build_resources(settings: Settings) -> dict[str, object]:
    root = str(Path(settings.lake_root).absolute()) if "://" not in settings.lake_root \
        else settings.lake_root
    return {
        "io_manager": LakeParquetIOManager(base_dir=root),
        "lake": LakeResource(root=root),
        # dagster-duckdb: stats assets/checks query the lake views through this resource
        "duckdb": DuckDBResource(database=str(database_path(root))),
    }
