"""The demo: the committed config and replay answers materialise the stage offline; the replay
covers every demo call, and a missing answer is a clear error naming the stage and sample_id."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import yaml
from translation_helpers import check_evaluations, run_stage, write_config

from luth_assets.run_config import load_config
from luth_assets.stages.translation.judging import CLEANING_STAGE, QUALITY_STAGE
from luth_assets.stages.translation.translating import (
    REGENERATE_STAGE,
    TRANSLATE_STAGE,
    translated_sample_id,
)

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "data_lake" / "landing" / "luth.yaml"
REPLAY = REPO / "data_lake" / "landing" / "replay" / "translation.jsonl"


def replay_keys() -> set[tuple[str, str]]:
    return {(r["stage"], r["sample_id"]) for r in map(json.loads, REPLAY.open(encoding="utf-8"))}


def demo_in_one_process(tmp_path: Path) -> Path:
    """The committed demo config, language detection in this process (no worker pool to start
    on a loaded test machine); paths made absolute so it reads the committed landing files."""
    config = yaml.safe_load(DEMO.read_text("utf-8"))
    landing = DEMO.parent
    for section in (config["sources"], config["translation"]["sources"]):
        for source in section.values():
            source["uri"] = str(landing / source["uri"])
    config["llm"]["replay_path"] = str(landing / config["llm"]["replay_path"])
    config["language_id"]["workers"] = 1
    config["lake"] = {"allowed_roots": [str(landing)]}  # the committed landing folder
    return write_config(tmp_path / "luth.yaml", config)


def test_demo_materialises_offline_and_judges_reject_for_real_reasons(tmp_path, lake_root,
                                                                      instance, monkeypatch):
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    report = run_stage(demo_in_one_process(tmp_path), lake_root, instance)
    assert not report.failed, report.errors
    assert all(e.passed for e in check_evaluations(instance))
    slices = pl.read_parquet(lake_root / "silver/french_slices.parquet")
    translated = pl.read_parquet(lake_root / "silver/regenerated_responses.parquet")
    kept = pl.read_parquet(lake_root / "silver/judged_samples.parquet")
    rejected = pl.read_parquet(lake_root / "silver/judged_samples_rejects.parquet")
    assert kept.height + rejected.height == slices.height + translated.height
    assert slices.height == 247 and translated.height == 25
    reasons = set(zip(rejected["judge"], rejected["reason"], strict=True))
    assert {("quality", "code"), ("quality", "tool_calling"), ("quality", "grammar_error"),
            ("quality", "logical_error"), ("cleaning", "not_an_instruction"),
            ("cleaning", "language_switch"), ("cleaning", "incomplete")} <= reasons
    assert set(rejected["subset"]) == {"gathered", "translated"}
    tr_rej = pl.read_parquet(lake_root / "silver/translated_prompts_rejects.parquet")
    assert tr_rej["reason"].to_list() == ["empty_prompt"]
    # the kept translated rows are French answers to French prompts
    assert kept.filter(pl.col("subset") == "translated")["messages"].list.get(0).struct.field(
        "content").str.contains(r"[éèàç]|\?|\.").all()


def test_replay_covers_every_demo_call():
    """Every call the demo can make has an authored answer: translation and regeneration of every
    usable seed, and both judges for every row of the demo sources (a superset of the slice)."""
    from luth_assets.lib.source_reading import read_source_batches
    from luth_assets.stages.translation.seeds import seed_rows

    config = load_config(DEMO)
    keys = replay_keys()
    wanted: set[tuple[str, str]] = set()
    for name, source in config.translation.sources.items():
        for batch in read_source_batches(name, source):
            for row in seed_rows(batch).iter_rows(named=True):
                if row["problem"] is None:
                    new_id = translated_sample_id(row["sample_id"], config.target_language)
                    wanted |= {(s, new_id) for s in (TRANSLATE_STAGE, REGENERATE_STAGE,
                                                      QUALITY_STAGE, CLEANING_STAGE)}
    for name, source in config.sources.items():
        for batch in read_source_batches(name, source):
            wanted |= {(s, r["sample_id"]) for r in batch for s in (QUALITY_STAGE, CLEANING_STAGE)
                       if r["problem"] is None}
    assert len(wanted) > 700
    assert wanted - keys == set()


def test_replay_miss_is_a_clear_error_naming_stage_and_sample_id(tmp_path, lake_root, instance):
    replay = tmp_path / "replay"
    replay.mkdir()
    lines = REPLAY.read_text("utf-8").splitlines()
    dropped = next(json.loads(x) for x in lines if json.loads(x)["stage"] == REGENERATE_STAGE)
    (replay / "translation.jsonl").write_text(
        "\n".join(x for x in lines if json.loads(x) != dropped) + "\n", "utf-8")
    (tmp_path / "sources").mkdir()
    shutil.copy(REPO / "data_lake/landing/sources/english_demo.jsonl", tmp_path / "sources")
    demo = yaml.safe_load(DEMO.read_text("utf-8"))
    config = write_config(tmp_path / "luth.yaml", {
        "target_language": "fr", "llm": {"provider": "replay", "replay_path": "replay"},
        "translation": demo["translation"]})
    report = run_stage(config, lake_root, instance)
    failed = report.failed
    assert "silver/regenerated_responses" in failed
    assert "silver/translated_prompts" not in failed
    error = " ".join(report.errors)
    assert REGENERATE_STAGE in error and dropped["sample_id"] in error


def test_judged_samples_reports_expected_rows_and_warns_when_off(tmp_path, lake_root, instance,
                                                                 monkeypatch):
    """`expected_rows` per source: the kept count of each source against it in the metadata of
    silver/judged_samples, a warning line for each source more than 5% off."""
    import dagster as dg

    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    path = demo_in_one_process(tmp_path)
    config = yaml.safe_load(path.read_text("utf-8"))
    config["sources"]["chat_fr"]["expected_rows"] = 1000
    config["translation"]["sources"]["english_demo"]["expected_rows"] = 17
    write_config(path, config)
    report = run_stage(path, lake_root, instance)
    assert not report.failed, report.errors
    event = instance.get_latest_materialization_event(dg.AssetKey(["silver", "judged_samples"]))
    metadata = event.asset_materialization.metadata
    expected = metadata["expected_rows"].value
    kept = pl.read_parquet(lake_root / "silver/judged_samples.parquet")
    by_source = dict(kept.group_by("source").len().iter_rows())
    assert set(expected) == {"chat_fr", "english_demo"}
    assert expected["chat_fr"]["rows"] == by_source["chat_fr"]
    warnings = metadata["expected_rows_warnings"].value
    assert len(warnings) == 1 and warnings[0].startswith("chat_fr:")   # english_demo within 5%
    assert "more than 5% off" in warnings[0]
    assert expected["english_demo"] == {"rows": 17, "expected_rows": 17, "off_pct": 0.0}
