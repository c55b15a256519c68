"""The LLM stages as shards (`translation.shards: N`), through Dagster against the loopback Gemini
server: three shards give the rows of one (kept and rejected, as sets), every row sits in the
shard of its input's id, the reconcile checks pass per shard and the counts add up in total, and
re-running one shard rewrites only that shard's files with zero requests (the LLM cache)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import polars as pl
import pytest
from fake_gemini import FakeGemini
from llm_helpers import FAKE_KEY
from translation_helpers import check_evaluations, stage_definitions, write_config, write_jsonl

from luth_assets.lib.lake import read_table
from luth_assets.lib.llm.accounting import read_llm_calls
from luth_assets.lib.shards import row_shard
from luth_assets.materialize import materialize_all

N_SEEDS = 36
SHARDED = ["translated_prompts", "regenerated_responses", "judged_samples"]
CODE_TAGS = {f"t{i:03d}" for i in range(N_SEEDS) if i % 5 == 2} | {"g1"}


def text_answer(tag: str, prompt: str) -> str:
    if prompt.startswith("EN "):   # translation of the English seed prompt
        return f"Question numéro {tag[1:]} : combien de pommes reste-t-il dans le panier ? [id={tag}]"
    return f"Voici une réponse complète et claire, écrite en français correct. [id={tag}]"


def json_answer(tag: str, prompt: str) -> dict:
    if "Quality review" in prompt and tag in CODE_TAGS:
        return {"reason": "The answer contains code.", "issue": "code", "verdict": "reject"}
    return {"reason": f"Fine ({tag}).", "issue": "none", "verdict": "keep"}


def shard_config(folder: Path, shards: int) -> Path:
    folder.mkdir(exist_ok=True)
    write_jsonl(folder / "seeds.jsonl", [{"id": f"t{i:03d}", "messages": [
        {"role": "user", "content": f"EN question {i} [id=t{i:03d}]: how many apples are left?"},
        {"role": "assistant", "content": "Some apples."}]} for i in range(N_SEEDS)])
    write_jsonl(folder / "chat.jsonl", [{"id": f"g{i}", "messages": [
        {"role": "user", "content": f"Pourquoi le ciel est-il bleu pendant la journée ? [id=g{i}]"},
        {"role": "assistant", "content": "Parce que la lumière du soleil est diffusée par l'air."}]}
        for i in range(6)])
    source = {"format": "jsonl", "mapping": {"id": "id", "messages": "messages"}}
    return write_config(folder / "luth.yaml", {
        "target_language": "fr",
        "sources": {"chat": {"uri": "chat.jsonl", **source}},
        "language_id": {"workers": 1, "min_chars": 10},
        "llm": {"provider": "gemini", "model": "gemini-2.5-flash", "concurrency": 8,
                "cache": {"flush_rows": 16, "flush_seconds": 0.2}},
        "translation": {"shards": shards, "sources": {"seeds": {"uri": "seeds.jsonl", **source}}},
    })


def ids(lake: Path, table: str, column: str = "sample_id") -> set[str]:
    return set(read_table(lake, ["silver", table]).collect()[column])


@pytest.fixture
def gemini(monkeypatch):
    with FakeGemini(text_answer=text_answer, json_answer=json_answer) as server:
        monkeypatch.setenv("GEMINI_API_KEY", FAKE_KEY)
        monkeypatch.setenv("LUTH_GEMINI_BASE_URL", server.base_url)
        yield server


def test_three_shards_give_the_rows_of_one_and_rerun_for_free(tmp_path, gemini):
    lakes, defs = {}, {}
    for shards in (1, 3):
        lakes[shards] = tmp_path / f"lake{shards}"
        defs[shards] = stage_definitions(shard_config(tmp_path / f"run{shards}", shards),
                                         lakes[shards])
        with dg.instance_for_test() as instance:
            report = materialize_all(defs[shards], instance, log=lambda _: None)
            assert not report.failures, [f.error for f in report.failures]
            checks = check_evaluations(instance)
        if shards == 3:  # the blocking reconcile check of each filter node ran and passed per shard
            reconciles = [c for c in checks if c.check_name.endswith("_reconcile")
                          and c.asset_key.path[-1] in ("translated_prompts", "regenerated_responses",
                                                       "judged_samples")]
            assert len(reconciles) == 3 * 3 and all(c.passed for c in reconciles)
    one, three = lakes[1], lakes[3]

    # partitions 1of3..3of3 for each LLM table; the same rows as one shard, kept and rejected
    for name in SHARDED:
        for table in (name, f"{name}_rejects"):
            files = sorted(p.name for p in (three / "silver" / table).glob("*.parquet"))
            assert files == ["1of3.parquet", "2of3.parquet", "3of3.parquet"], table
            assert ids(one, table) == ids(three, table), table
    assert ids(three, "judged_samples_rejects")            # the judge rejected some: both sides

    # every row is in the shard of its input's id; per shard and in total input = kept + rejected
    seeds = read_table(three, ["bronze", "english_seed_prompts"]).collect()
    for i, key in enumerate(["1of3", "2of3", "3of3"]):
        tr = pl.read_parquet(three / "silver" / "translated_prompts" / f"{key}.parquet")
        tr_rej = pl.read_parquet(three / "silver" / "translated_prompts_rejects" / f"{key}.parquet")
        rg = pl.read_parquet(three / "silver" / "regenerated_responses" / f"{key}.parquet")
        assert tr.height and (tr.select(row_shard("seed_sample_id", 3))["seed_sample_id"] == i).all()
        assert set(rg["seed_sample_id"]) <= set(tr["seed_sample_id"])
        in_shard = seeds.filter(row_shard("sample_id", 3) == i).height
        assert in_shard == tr.height + tr_rej.height
    total = sum(pl.read_parquet(p).height for t in ("translated_prompts", "translated_prompts_rejects")
                for p in (three / "silver" / t).glob("*.parquet"))
    assert total == seeds.height == N_SEEDS

    # re-running one shard: zero requests, only that shard's files rewritten
    before = {p: p.stat().st_mtime_ns for p in (three / "silver").rglob("*.parquet")}
    requests = gemini.total
    job = defs[3].resolve_implicit_global_asset_job_def()
    with dg.instance_for_test() as instance:
        keys = [k for k in defs[3].resolve_asset_graph().materializable_asset_keys
                if k.path[-1].removesuffix("_rejects") in SHARDED]
        result = job.execute_in_process(asset_selection=keys, partition_key="2of3",
                                        instance=instance)
    assert result.success
    assert gemini.total == requests
    changed = {p.relative_to(three / "silver").as_posix() for p in before
               if p.stat().st_mtime_ns != before[p]}
    assert changed == {f"{t}/2of3.parquet" for name in SHARDED for t in (name, f"{name}_rejects")}
    calls = read_llm_calls(three).filter(pl.col("partition") == "2of3")
    rerun = calls.filter(pl.col("run_id") == result.run_id)
    assert {a.split("/")[-1] for a in rerun["asset"]} == set(SHARDED)   # one row per LLM step
    assert rerun["requests"].sum() == 0 and rerun["cache_hits"].sum() > 0
