"""`gold/benchmark_items` is checked per benchmark: as many items as the registry's hub size (or
the local file's rows), capped by `evaluation.limit`, each item once."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import polars as pl
import yaml

from luth_assets.materialize import materialize_all
from luth_assets.run_config import Settings
from luth_assets.stages import keys
from luth_assets.stages.evaluation.item_checks import expected_item_count, item_problems
from luth_train.evaluation.registry import REGISTRY

from .conftest import DEMO_BENCHMARKS
from .test_assets import build_definitions

HUB_SIZES = {"ifeval_en": 541, "gpqa_diamond_en": 198, "mmlu_en": 14_042, "math500_en": 500,
             "arc_challenge_en": 1_172, "hellaswag_en": 10_042}


def test_the_registry_knows_the_hub_sizes_and_the_limit_caps_them():
    assert {n: s.expected_items for n, s in REGISTRY.items() if s.expected_items} == HUB_SIZES
    assert expected_item_count(REGISTRY["mmlu_en"], None) == (14_042, "hub size of cais/mmlu [test]")
    assert expected_item_count(REGISTRY["gpqa_diamond_en"], 1000)[0] == 198  # limit above the size
    count, basis = expected_item_count(REGISTRY["hellaswag_en"], 3)
    assert count == 3 and "evaluation.limit 3" in basis and "10042" in basis
    assert expected_item_count(REGISTRY["mmlu_fr"], 3)[0] is None  # size not known
    # another hub split than the registry's: its size is no longer known
    assert REGISTRY["mmlu_en"].with_source(split="validation").expected_items is None


def test_a_local_file_counts_its_rows(tmp_path: Path):
    path = tmp_path / "arc.jsonl"
    lines = (DEMO_BENCHMARKS / "arc_challenge_en.jsonl").read_text().splitlines()
    path.write_text("".join(json.dumps(json.loads(line)) + "\n" for line in lines[:2]), encoding="utf-8")
    spec = REGISTRY["arc_challenge_en"].with_source(path=str(path))
    assert expected_item_count(spec, 3) == (2, f"rows of {path}")  # fewer rows than the limit
    assert expected_item_count(spec, 1)[0] == 1


def test_item_problems_name_the_count_and_the_duplicates():
    items = pl.DataFrame({"item_id": ["a", "b", "b"]})
    assert item_problems(items, 3, 3) == ["1 item ids appear twice"]
    assert item_problems(items.head(2), 3, 3) == ["2 items, expected 3"]
    assert item_problems(items.head(0), None, 3) == ["0 items, expected between 1 and 3"]
    assert item_problems(items.head(0), 0, 3) == []  # a held-out loss partition


def test_the_check_runs_with_each_partition(tmp_path: Path, lake_root: Path):
    names = ["mmlu_fr", "arc_challenge_en"]
    config = {"evaluation": {"limit": 2, "language_loss": {"enabled": True},
                             "benchmarks": {n: {"path": str(DEMO_BENCHMARKS / f"{n}.jsonl")} for n in names}}}
    (tmp_path / "luth.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    defs = build_definitions(Settings(config_path=tmp_path / "luth.yaml", lake_root=str(lake_root)))
    instance = dg.DagsterInstance.ephemeral()
    report = materialize_all(defs, instance, selection=[keys.BENCHMARK_ITEMS], log=lambda _: None)
    assert not report.failures, [f.error for f in report.failures]
    records = instance.get_event_records(
        dg.EventRecordsFilter(event_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION))
    evaluations = [r.event_log_entry.dagster_event.event_specific_data for r in records]
    assert len(evaluations) == 4  # two benchmarks, two held-out loss views
    assert all(e.passed and e.check_name == "benchmark_items_counts" for e in evaluations)
    expected = sorted(e.metadata["expected_items"].value for e in evaluations)
    assert expected == [0, 0, 2, 2]
