"""A partition whose latest materialisation failed is never read downstream: its stale file is
left out and named in the downstream asset's metadata."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import polars as pl

from luth_assets.build import build_definitions
from luth_assets.materialize import materialize_all
from luth_assets.resources import LakeResource
from luth_assets.run_config import Settings
from luth_assets.stages.keys import RAW_MULTILINGUAL

from .helpers import SOURCES_STAGE, sources_config

SLICES = dg.AssetKey(["silver", "french_slices"])


def test_a_failed_source_partition_is_left_out_of_the_slice(tmp_path: Path) -> None:
    config = sources_config(tmp_path / "cfg")
    lake = tmp_path / "lake"
    defs = build_definitions(Settings(config_path=config, lake_root=str(lake)))
    instance = dg.DagsterInstance.ephemeral()
    selection = [dg.AssetKey.from_user_string(k) for k in SOURCES_STAGE]
    first = materialize_all(defs, instance, selection=selection, log=lambda _: None)
    assert all(o.success for o in first.outcomes)
    assert pl.read_parquet(lake / "silver" / "french_slices.parquet").height == 4  # 3 good + 1 other

    other = tmp_path / "cfg" / "other.jsonl"
    other.write_text(other.read_text("utf-8") + "{not json\n", "utf-8")
    second = materialize_all(defs, instance, selection=selection, log=lambda _: None)
    assert [o.partition for o in second.outcomes if not o.success] == ["other"]
    assert (lake / "bronze" / "raw_multilingual" / "other.parquet").is_file()  # the stale file

    kept = pl.read_parquet(lake / "silver" / "french_slices.parquet")
    assert set(kept["source"]) == {"good"} and kept.height == 3
    event = instance.get_latest_materialization_event(SLICES)
    metadata = event.asset_materialization.metadata
    assert metadata["sources_missing"].value == ["other"]
    assert metadata["sources_read"].value == ["good"]


def test_lake_read_leaves_out_a_failed_partition_too(tmp_path: Path) -> None:
    """Assets reading a dependency with `lake.read` (not through an input) get the same rule."""
    config = sources_config(tmp_path / "cfg")
    lake = tmp_path / "lake"
    defs = build_definitions(Settings(config_path=config, lake_root=str(lake)))
    instance = dg.DagsterInstance.ephemeral()
    raw = [RAW_MULTILINGUAL]
    assert all(o.success for o in materialize_all(defs, instance, selection=raw,
                                                  log=lambda _: None).outcomes)
    other = tmp_path / "cfg" / "other.jsonl"
    other.write_text("{not json\n", "utf-8")
    materialize_all(defs, instance, selection=raw, log=lambda _: None)

    seen = {}

    @dg.asset(deps=[RAW_MULTILINGUAL])
    def reader(lake: LakeResource) -> None:
        seen["sources"] = sorted(set(lake.read(RAW_MULTILINGUAL).collect()["source"]))

    result = dg.materialize([reader], resources={"lake": LakeResource(root=str(lake))},
                            instance=instance)
    assert result.success and seen["sources"] == ["good"]
