"""Acceptance: the demo config materialises every scholar asset offline (replay answers) on a
temporary lake, the bad demo PDFs sit in quarantine with reasons, and the automation condition
asks for scholar_items_clean once new items land."""

from __future__ import annotations

import sys
from pathlib import Path

import dagster as dg
import polars as pl
from conftest import DEMO_EXAMS, REPO

from luth_assets.materialize import materialize_all
from luth_assets.resources import build_resources
from luth_assets.run_config import Settings
from luth_assets.stages.scholar import assets as scholar
from luth_assets.stages.scholar.definitions import stage_definitions
from luth_assets.stages.scholar.partitions import PARTITIONS, register_partitions
from luth_assets.stages.scholar.settings import ScholarConfig

CONTRACT = ["sample_id", "exam_id", "subject", "year", "level", "pages", "question", "context",
            "answer", "messages"]


def test_demo_exams_are_reproducible(tmp_path: Path):
    sys.path.insert(0, str(DEMO_EXAMS))
    import make_demo_exams  # the committed script

    make_demo_exams.write_pdfs(tmp_path)
    for pdf in sorted(DEMO_EXAMS.glob("*.pdf")):
        assert (tmp_path / pdf.name).read_bytes() == pdf.read_bytes(), pdf.name
    lines = make_demo_exams.replay_lines(DEMO_EXAMS, ScholarConfig())
    committed = (REPO / "data_lake" / "landing" / "replay" / "scholar.jsonl").read_text()
    assert len(committed.splitlines()) == len(lines)


def test_demo_materialises_offline_with_quarantine(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    lake = tmp_path / "lake"
    settings = Settings(config_path=REPO / "data_lake" / "landing" / "luth.yaml",
                        lake_root=str(lake))
    config = settings.load()
    assert config.llm.provider == "replay"
    defs = dg.Definitions.merge(stage_definitions(config),
                                dg.Definitions(resources=build_resources(settings, config)))
    with dg.instance_for_test() as instance:
        register_partitions(instance, config.scholar, settings.lake_root)
        keys = instance.get_dynamic_partitions(PARTITIONS.name)
        assert len(keys) == 5  # 3 exams, the scan, the damaged file

        baseline = dg.evaluate_automation_conditions(defs=defs, instance=instance)
        assert baseline.total_requested == 0  # nothing upstream yet
        per_exam = materialize_all(defs, instance, selection=scholar.PER_EXAM, log=lambda _: None)
        assert not per_exam.failures, per_exam.failures
        # new items landed: the automation condition requests the clean table (and listing)
        evaluation = dg.evaluate_automation_conditions(defs=defs, instance=instance,
                                                       cursor=baseline.cursor)
        requested = {r.key for r in evaluation.results if r.true_subset.size}
        assert requested == {scholar.CLEAN, scholar.CLEAN_REJECTS, scholar.UNPAIRED}

        rest = materialize_all(defs, instance, selection=[scholar.CLEAN, scholar.CLEAN_REJECTS,
                                                          scholar.UNPAIRED], log=lambda _: None)
        assert not rest.failures, rest.failures
        runs = {name: instance.event_log_storage.get_asset_check_execution_history(
                    dg.AssetCheckKey(key, name), limit=20)
                for key, name in ((scholar.EXAM_TEXTS, "exam_documents_accounted"),
                                  (scholar.ITEMS, "scholar_items_accounted"),
                                  (scholar.CLEAN, "scholar_clean_reconcile"))}
        for name, history in runs.items():  # per exam partition, and once for the clean table
            assert len(history) == (1 if name == "scholar_clean_reconcile" else 5), name
            assert {r.status.value for r in history} == {"SUCCEEDED"}, name
            assert all(r.event.asset_check_evaluation.passed for r in history), name

    quarantine = pl.read_parquet(lake / "silver" / "exam_quarantine" / "*.parquet")
    reasons = dict(zip(quarantine["path"], quarantine["reason"], strict=True))
    assert reasons == {"bac-nsi-2020-sujet.pdf": "corrupt",
                       "bac-maths-2021-sujet.pdf": "no_text_layer"}
    assert quarantine["detail"].str.len_chars().min() > 10

    clean = pl.read_parquet(lake / "silver" / "scholar_items_clean.parquet")
    rejects = pl.read_parquet(lake / "silver" / "scholar_items_clean_rejects.parquet")
    items = pl.read_parquet(lake / "silver" / "scholar_items" / "*.parquet")
    assert clean.columns[:len(CONTRACT)] == CONTRACT
    assert clean.height + rejects.height == items.height == 13
    assert sorted(set(clean["subject"])) == ["mathematiques", "physique-chimie", "svt"]
    assert sorted(set(clean["subject_area"])) == ["biology", "mathematics", "physics-chemistry"]
    assert set(rejects["reason"]) == {"anomaly", "answer_bare_number", "unbalanced_dollars"}
    for row in clean.iter_rows(named=True):
        user, assistant = row["messages"]
        assert user["content"].endswith(row["question"]) and row["context"] in user["content"]
        assert assistant == {"role": "assistant", "content": row["answer"]}
    figure = pl.read_parquet(lake / "silver" / "scholar_items_rejects" / "*.parquet")
    assert figure["reason"].to_list() == ["needs_figure"] * 3
    unpaired = pl.read_parquet(lake / "ops" / "exam_unpaired.parquet")
    assert unpaired.select("path", "reason").rows() == [
        ("bac-maths-2019-sujet.pdf", "sujet_without_corrige")]
    calls = pl.read_parquet(lake / "ops" / "llm_calls" / "*.parquet")
    assert set(calls["stage"]) == {"scholar_questions", "scholar_answers", "scholar_clean",
                                   "scholar_vision"}
    # the vision fallback: the corrigé's image-only page read by the (replayed) multimodal model,
    # the scan's English answer rejected by its checks (the scan stays quarantined)
    texts = pl.read_parquet(lake / "silver" / "exam_texts" / "*.parquet")
    vision = texts.filter(pl.col("text_source") == "vision")
    assert vision.select("path", "page").rows() == [("bac-nsi-2020-corrige.pdf", 2)]
    assert "$\\frac{n(n+1)}{2}$" in vision["text"][0]
    assert set(texts["text_source"]) == {"text_layer", "vision"}
    vision_rejects = pl.read_parquet(lake / "silver" / "exam_vision_rejects" / "*.parquet")
    assert vision_rejects.select("path", "page", "reason").rows() == [
        ("bac-maths-2021-sujet.pdf", 1, "not_french")]
    assert "vision: 1 of 1 page(s) rejected" in reasons_detail(quarantine, "bac-maths-2021-sujet.pdf")
    assert (calls["provider"] == "replay").all()
    assert (calls["stage"] == "scholar_vision").sum() == 2   # one batch per partition with a page


def reasons_detail(quarantine: pl.DataFrame, path: str) -> str:
    return quarantine.filter(pl.col("path") == path)["detail"][0]
