"""The landing sensor with a real Dagster instance and a landing folder of our own."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import dagster as dg
import pytest
from conftest import DEMO_EXAMS, REPO, copy_pair

from luth_assets.resources import LakeResource, build_resources
from luth_assets.run_config import Settings
from luth_assets.stages.scholar import assets as scholar
from luth_assets.stages.scholar.definitions import stage_definitions
from luth_assets.stages.scholar.pairing import pair_landing
from luth_assets.stages.scholar.partitions import PARTITIONS
from luth_assets.stages.scholar.settings import ScholarConfig

DEMO_CONFIG = REPO / "data_lake" / "landing" / "luth.yaml"


@pytest.fixture
def setup(tmp_path: Path):
    landing, lake = tmp_path / "landing", tmp_path / "lake"
    landing.mkdir()
    lake.mkdir()
    settings = Settings(config_path=DEMO_CONFIG, lake_root=str(lake))  # demo llm: replay
    config = settings.load().model_copy(update={"scholar": ScholarConfig(landing_dir=landing)})
    defs = dg.Definitions.merge(stage_definitions(config),
                                dg.Definitions(resources=build_resources(settings, config)))
    sensor = defs.resolve_sensor_def("scholar_landing_sensor")
    with dg.instance_for_test() as instance:
        yield landing, lake, sensor, instance, defs


class Ticker:
    """Evaluate the sensor like the daemon: keep the cursor, apply partition requests."""

    def __init__(self, sensor, instance, lake: Path):
        self.sensor, self.instance, self.lake, self.cursor = sensor, instance, lake, None

    def tick(self) -> dg.SensorResult:
        with dg.build_sensor_context(instance=self.instance, cursor=self.cursor,
                                     resources={"lake": LakeResource(root=str(self.lake))}) as context:
            result = self.sensor(context)
        self.cursor = result.cursor
        for request in result.dynamic_partitions_requests or []:
            if isinstance(request, dg.AddDynamicPartitionsRequest):
                self.instance.add_dynamic_partitions(request.partitions_def_name,
                                                     list(request.partition_keys))
            else:
                for key in request.partition_keys:
                    self.instance.delete_dynamic_partition(request.partitions_def_name, key)
        return result

    def partitions(self) -> list[str]:
        return self.instance.get_dynamic_partitions(PARTITIONS.name)


def test_new_pair_unchanged_tick_and_modified_file(setup):
    landing, lake, sensor, instance, defs = setup
    ticker = Ticker(sensor, instance, lake)
    assert not ticker.tick().run_requests and ticker.partitions() == []

    copy_pair("bac-maths-2024", landing / "2024")
    [pair] = pair_landing(landing).pairs
    result = ticker.tick()
    assert ticker.partitions() == [pair.exam_id]                 # exactly one new partition
    [request] = result.run_requests                              # and one run, for it
    assert request.partition_key == pair.exam_id
    assert set(request.asset_selection) == set(scholar.PER_EXAM)
    assert json.loads(ticker.cursor)["exams"] == [pair.exam_id]
    # the request runs as the daemon would launch it: the sensor's job, that partition only
    job = defs.resolve_job_def(sensor.job_name)
    run = job.execute_in_process(asset_selection=list(request.asset_selection),
                                 partition_key=request.partition_key, instance=instance)
    assert run.success
    assert (lake / "silver" / "scholar_items" / f"{pair.exam_id}.parquet").is_file()

    again = ticker.tick()                                        # nothing changed: nothing
    assert not again.run_requests and not again.dynamic_partitions_requests
    assert again.skip_reason and ticker.partitions() == [pair.exam_id]

    # the corrigé is replaced by a fixed version: the pair's key (its content hash) changes;
    # the new key is registered and requested, the stale one (and its lake files) dropped
    stale = lake / "silver" / "scholar_items" / f"{pair.exam_id}.parquet"
    corrige = landing / "2024" / "bac-maths-2024-corrige.pdf"
    corrige.write_bytes(corrige.read_bytes() + b"\n% corrected\n")
    [changed] = pair_landing(landing).pairs
    result = ticker.tick()
    assert changed.exam_id != pair.exam_id
    assert [r.partition_key for r in result.run_requests] == [changed.exam_id]
    assert ticker.partitions() == [changed.exam_id]
    assert not stale.exists()
    assert not ticker.tick().run_requests


def test_second_pair_alone_is_requested_and_lone_files_refresh_the_listing(setup):
    landing, lake, sensor, instance, defs = setup
    ticker = Ticker(sensor, instance, lake)
    copy_pair("bac-maths-2024", landing)
    assert len(ticker.tick().run_requests) == 1
    copy_pair("bac-svt-2022", landing)
    result = ticker.tick()
    svt = next(p for p in pair_landing(landing).pairs if p.subject == "svt")
    assert [r.partition_key for r in result.run_requests] == [svt.exam_id]
    assert len(ticker.partitions()) == 2
    shutil.copy2(DEMO_EXAMS / "bac-maths-2019-sujet.pdf", landing)
    [listing] = ticker.tick().run_requests                       # no pair: only the listing
    assert listing.partition_key is None and list(listing.asset_selection) == [scholar.UNPAIRED]
    assert len(ticker.partitions()) == 2
