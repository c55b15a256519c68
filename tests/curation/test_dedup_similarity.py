"""The near-duplicate `similarity` of a reject is never under the threshold: a chain A~B, B~C
that drops C for A reports C's similarity with its nearest verified cluster member."""

from __future__ import annotations

from luth_assets.stages.curation.dedup import find_duplicates
from luth_assets.stages.curation.settings import DedupConfig, NearDedupConfig

from .helpers import chat_frame, exchange

WORDS = [f"{chr(97 + i // 26)}{chr(97 + i % 26)}ule" for i in range(200)]  # distinct words


def text(start: int) -> str:
    return " ".join(WORDS[start:start + 100])


def test_chained_cluster_reports_similarity_above_the_threshold() -> None:
    rows = chat_frame([
        {"sample_id": "a", "subset": "scholar", "source": "s", "messages": exchange(text(0), "ok")},
        {"sample_id": "b", "subset": "translated", "source": "t", "messages": exchange(text(25), "ok")},
        {"sample_id": "c", "subset": "translated", "source": "t", "messages": exchange(text(50), "ok")},
    ])
    cfg = DedupConfig(near=NearDedupConfig(threshold=0.5))
    dups, _ = find_duplicates(rows.lazy(), cfg)
    by_id = {r["sample_id"]: r for r in dups.to_dicts()}
    assert set(by_id) == {"b", "c"}
    assert by_id["b"]["duplicate_of"] == by_id["c"]["duplicate_of"] == "a"  # c came in via b
    assert by_id["b"]["similarity"] >= 0.5
    assert by_id["c"]["similarity"] >= 0.5  # its Jaccard with a alone is about 0.3
