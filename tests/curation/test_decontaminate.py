"""Benchmark items planted (lightly reformatted, French and English) inside a real French source
are all rejected as contaminated, naming the right benchmark; the real rows survive."""

from __future__ import annotations

import json

import polars as pl
import pytest

from luth_assets.stages.curation.decontaminate import build_benchmark_index, find_contaminated
from luth_assets.stages.curation.normalise import normalise_text
from luth_assets.stages.curation.settings import DecontaminationConfig
from luth_train.sample_ids import make_sample_id

from .helpers import chat_frame, exchange, load_shared_benchmarks

PICKS = (0, 7, 19, 42)


def _reformat(item: dict, variant: int) -> list[dict]:
    """The item as someone would paste it into a chat, a little changed."""
    q = item["question"]
    if variant == 0:
        choices = "\n".join(f"({chr(97 + i)}) {c}" for i, c in enumerate(item["choices"]))
        return exchange(f"Question :\n{q}\n\n{choices}\nRéponds en expliquant.",
                        f"La bonne réponse est : {item['answer'] or 'voir ci-dessus'}.")
    if variant == 1:
        messy = q.lower().replace("'", "’").replace(", ", " ,  ").replace("?", " ?!")
        return exchange(f"Peux-tu m'aider ?   {messy}", "Bien sûr, reprenons l'énoncé étape par étape.")
    return exchange("Donne-moi un exercice d'entraînement, s'il te plaît.",
                    f"Voici un exercice :\n\n« {q.upper()} »\n\nBon courage !")


@pytest.fixture
def benchmarks(shared_data) -> dict[str, pl.DataFrame]:
    return load_shared_benchmarks(shared_data)


def test_planted_benchmark_items_are_rejected_and_real_rows_survive(shared_data, benchmarks
                                                                     ) -> None:
    cfg = DecontaminationConfig()
    items = pl.concat(list(benchmarks.values()))
    index = build_benchmark_index(items, cfg)
    assert set(index.items_by_benchmark) == set(benchmarks)

    real = [json.loads(line) for line in
            (shared_data / "instruct" / "oasst_fr_top1_vigogne.jsonl").read_text().splitlines()]
    rows = [{"sample_id": make_sample_id("oasst", r["id"]), "subset": "gathered",
             "source": "oasst", "messages": r["messages"]} for r in real]
    planted: dict[str, dict] = {}
    for name, frame in sorted(benchmarks.items()):
        long_enough = frame.filter(
            pl.col("question").map_elements(lambda q: len(normalise_text(q).split()),
                                            return_dtype=pl.Int64) >= cfg.min_words)
        for n, pick in enumerate(PICKS):
            item = long_enough.row(pick % long_enough.height, named=True)
            sample_id = make_sample_id("planted", f"{name}-{pick}")
            planted[sample_id] = item
            rows.append({"sample_id": sample_id, "subset": "gathered", "source": "oasst",
                         "messages": _reformat(item, n % 3)})
    assert {item["language"] for item in planted.values()} == {"fr", "en"}

    hits = find_contaminated(chat_frame(rows).lazy(), index, batch_size=100)
    found = {r["sample_id"]: r for r in hits.to_dicts()}
    missed = [f"{i['benchmark']}/{i['item_id']}" for s, i in planted.items() if s not in found]
    assert not missed, f"planted benchmark items not caught: {missed}"
    questions = {(r["benchmark"], r["item_id"]): normalise_text(r["question"])
                 for r in items.select("benchmark", "item_id", "question").to_dicts()}
    for sample_id, item in planted.items():
        hit = found[sample_id]
        assert hit["benchmark"] == item["benchmark"], (item["item_id"], hit)
        # the named row is the planted item (or one with the very same question)
        assert questions[(hit["benchmark"], hit["benchmark_item_id"])] == \
            normalise_text(item["question"])
        assert hit["matched_ngrams"] >= 1

    false_positives = [s for s in found if s not in planted]
    rate = len(false_positives) / len(real)
    print(f"\nplanted {len(planted)} items from {len(benchmarks)} benchmarks: all caught; "
          f"false positives on {len(real)} real oasst rows: {len(false_positives)} "
          f"({rate:.2%}); index of {index.grams.height} n-grams")
    assert rate <= 0.01, [found[s] for s in false_positives]


def test_ngram_size_and_short_text_rule_are_configurable() -> None:
    items = pl.DataFrame({
        "benchmark": ["b", "b"], "item_id": ["short", "tiny"],
        "question": ["Quelle est la capitale de la Mongolie intérieure chinoise", "Deux plus deux"],
        "answer": ["Hohhot", "4"], "choices": [[], []]})
    rows = chat_frame([
        {"sample_id": "a" * 16, "subset": "gathered", "source": "s",
         "messages": exchange("Dis-moi : quelle est la capitale de la Mongolie intérieure "
                              "chinoise ?", "C'est Hohhot.")},
        {"sample_id": "b" * 16, "subset": "gathered", "source": "s",
         "messages": exchange("Deux plus deux ?", "Quatre.")},
    ]).lazy()
    hits = find_contaminated(rows, build_benchmark_index(items, DecontaminationConfig()))
    assert hits["sample_id"].to_list() == ["a" * 16]  # 9 words: matched whole; 3 words: ignored
    assert hits["benchmark_item_id"].to_list() == ["short"]
    strict = DecontaminationConfig(min_words=10)
    assert find_contaminated(rows, build_benchmark_index(items, strict)).is_empty()
    loose = DecontaminationConfig(ngram=3, min_words=3)
    hits = find_contaminated(rows, build_benchmark_index(items, loose))
    assert sorted(hits["benchmark_item_id"]) == ["short", "tiny"]
