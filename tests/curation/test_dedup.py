"""Planted exact and near duplicates in the demo sources are removed; the survivor follows the
rule (scholar > gathered > translated, then the smallest sample_id)."""

from __future__ import annotations

import dagster as dg
import polars as pl
import pytest

from luth_assets.build import build_definitions
from luth_assets.materialize import materialize_all
from luth_assets.run_config import Settings
from luth_assets.stages.curation.dedup import find_duplicates
from luth_assets.stages.curation.normalise import normalise_text
from luth_assets.stages.curation.settings import DedupConfig, NearDedupConfig
from luth_train.sample_ids import make_sample_id

from .conftest import REPO
from .helpers import chat_frame, exchange

EXACT_PAIRS = [("chat-0131", "chat-0148"), ("chat-0014", "chat-0060"), ("chat-0104", "chat-0083")]
NEAR_PAIRS = [("chat-0044", "chat-0005"), ("chat-0064", "chat-0086"), ("chat-0053", "chat-0113")]


@pytest.fixture(scope="module")
def french_slices(tmp_path_factory) -> pl.DataFrame:
    """The demo sources through the real sources stage on a temporary lake."""
    lake = tmp_path_factory.mktemp("lake")
    settings = Settings(config_path=REPO / "data_lake/landing/luth.yaml", lake_root=str(lake))
    defs = build_definitions(settings)
    keys = [dg.AssetKey(["bronze", "raw_multilingual"]), dg.AssetKey(["silver", "french_slices"]),
            dg.AssetKey(["silver", "french_slices_rejects"])]
    report = materialize_all(defs, dg.DagsterInstance.ephemeral(), selection=keys,
                             log=lambda _: None)
    assert not report.failures, report.failures
    return pl.read_parquet(lake / "silver" / "french_slices.parquet")


def test_normalisation_folds_case_whitespace_punctuation_and_nfkc() -> None:
    assert normalise_text("  Qu'est-ce qu'un TROU noir? ") == "qu est ce qu un trou noir"
    assert normalise_text("ﬁn\u00a0de   l’été !") == normalise_text("fin de l'été")


def test_planted_duplicates_in_demo_sources_are_removed(french_slices) -> None:
    chat = french_slices.filter(pl.col("source") == "chat_fr")
    ids = dict(zip(chat["source_row_id"], chat["sample_id"], strict=True))
    for a, b in EXACT_PAIRS + NEAR_PAIRS:
        assert a in ids and b in ids, f"planted pair {a}/{b} should pass the sources stage"
    rows = french_slices.select("sample_id", pl.lit("gathered").alias("subset"), "source",
                                "messages")
    duplicates, report = find_duplicates(rows.lazy(), DedupConfig())
    by_id = {r["sample_id"]: r for r in duplicates.to_dicts()}
    print(f"dedup on {report.rows} demo rows: {report}")
    for pairs, reason in ((EXACT_PAIRS, "exact_duplicate"), (NEAR_PAIRS, "near_duplicate")):
        for a, b in pairs:
            keep, drop = sorted([ids[a], ids[b]])  # same subset: the smallest sample_id stays
            assert keep not in by_id, f"{a}/{b}: the survivor {keep} was dropped"
            assert by_id[drop]["reason"] == reason
            assert by_id[drop]["duplicate_of"] == keep
    # nothing else in the demo is a duplicate
    assert len(duplicates) == len(EXACT_PAIRS) + len(NEAR_PAIRS)
    assert report.threshold == 0.5 and report.bands * report.rows_per_band <= 128


def test_survivor_prefers_scholar_then_human_written_then_translated(french_slices) -> None:
    source = french_slices.filter(pl.col("source_row_id") == "chat-0005").row(0, named=True)
    near = french_slices.filter(pl.col("source_row_id") == "chat-0044").row(0, named=True)
    rows = [
        # translated copy with the smallest possible id still loses to the gathered row
        {"sample_id": "0" * 16, "subset": "translated", "source": "t",
         "messages": source["messages"]},
        {"sample_id": source["sample_id"], "subset": "gathered", "source": "chat_fr",
         "messages": source["messages"]},
        {"sample_id": near["sample_id"], "subset": "gathered", "source": "chat_fr",
         "messages": near["messages"]},
        {"sample_id": make_sample_id("other", "1"), "subset": "gathered", "source": "other",
         "messages": exchange("Quelle heure est-il à Tokyo quand il est midi à Paris ?",
                              "Il est sept ou huit heures du soir, selon la saison.")},
    ]
    duplicates, _ = find_duplicates(chat_frame(rows).lazy(), DedupConfig())
    got = dict(zip(duplicates["sample_id"], duplicates["duplicate_of"], strict=True))
    # chat-0005 and chat-0044 are both gathered: the smaller sample_id survives; the translated
    # copy of chat-0005 loses to gathered rows despite its smaller id, and points at the survivor
    keep, drop = sorted([source["sample_id"], near["sample_id"]])
    assert got == {drop: keep, "0" * 16: keep}
    reasons = dict(zip(duplicates["sample_id"], duplicates["reason"], strict=True))
    assert reasons["0" * 16] == ("exact_duplicate" if keep == source["sample_id"]
                                 else "near_duplicate")

    # a Scholar row (near-duplicate of both) beats every other subset, whatever its id
    scholar = {"sample_id": "f" * 16, "subset": "scholar", "source": "scholar",
               "messages": near["messages"]}
    duplicates, _ = find_duplicates(chat_frame(rows + [scholar]).lazy(), DedupConfig())
    got = dict(zip(duplicates["sample_id"], duplicates["duplicate_of"], strict=True))
    assert set(got.values()) == {"f" * 16}
    assert set(got) == {"0" * 16, source["sample_id"], near["sample_id"]}


def test_near_dedup_threshold_and_switch_are_honoured(french_slices) -> None:
    rows = french_slices.select("sample_id", pl.lit("gathered").alias("subset"), "messages")
    strict = DedupConfig(near=NearDedupConfig(threshold=0.95))
    duplicates, report = find_duplicates(rows.lazy(), strict, batch_size=50)
    assert set(duplicates["reason"]) == {"exact_duplicate"} and report.near_duplicates == 0
    off = DedupConfig(near=NearDedupConfig(enabled=False))
    duplicates, _ = find_duplicates(rows.lazy(), off)
    assert duplicates.height == len(EXACT_PAIRS)
