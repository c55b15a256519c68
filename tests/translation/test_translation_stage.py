"""The translation stage end to end through Dagster, against the loopback Gemini server (the real
google-genai client) with injected faults: every row ends kept or rejected with a reason, no
sample_id twice, no prompt asked more than 1 + max_retries times, a second materialisation makes
zero requests, and the API key appears nowhere (lake, event log, errors)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import dagster as dg
import polars as pl
import pytest
from dagster_shared.serdes import serialize_value
from fake_gemini import FakeGemini
from llm_helpers import FAKE_KEY, all_bytes
from translation_helpers import check_evaluations, run_stage, write_config, write_jsonl

from luth_assets.lib.llm.accounting import read_llm_calls
from luth_assets.lib.warehouse import run_query

MAX_RETRIES = 3
N_SEEDS = 120

# fault -> plan of actions for one tag, played call after call across the stage's four calls
# (translation, regeneration, quality judge, cleaning judge); the last action repeats
FAULTS = {
    "429": ["429", "ok"],
    "500": ["500", "ok"],
    "503x2": ["503", "503", "ok"],
    "slow": ["slow", "ok"],
    "empty": ["empty", "ok"],
    "safety": ["safety"],                                   # translation blocked
    "echo_key": ["echo_key"],                               # 400 that repeats the key
    "regen_block": ["ok", "prompt_block"],                  # regeneration blocked
    "judge_malformed": ["ok", "ok", "malformed", "malformed"],  # invalid after repair
    "judge_repaired": ["ok", "ok", "malformed", "ok"],      # repaired: kept
}
FRENCH = [
    "Pourquoi les feuilles des arbres tombent-elles en automne dans nos forêts ?",
    "Comment préparer une bonne soupe de légumes pour toute la famille ce soir ?",
    "Quelle est la différence entre un lac et une mer pour un enfant de dix ans ?",
    "Peux-tu m'expliquer comment on calcule l'aire d'un rectangle, s'il te plaît ?",
]
ANSWER = ("Voici une réponse complète et claire, écrite en français correct, qui explique "
          "chaque étape du raisonnement.")


def fault_of(i: int) -> str | None:
    return list(FAULTS)[(i // 5) % len(FAULTS)] if i % 5 == 0 else None   # 20% of the rows


CODE_TAGS = {f"t{i:03d}" for i in range(N_SEEDS) if i % 7 == 3 and fault_of(i) is None}
STATEMENT_TAGS = {f"t{i:03d}" for i in range(N_SEEDS) if i % 11 == 4 and fault_of(i) is None}


def text_answer(tag: str, prompt: str) -> str:
    if prompt.startswith("EN "):   # a translation call: the English seed prompt
        return f"FR question numéro {tag[1:]} : combien de pommes reste-t-il ? [id={tag}]"
    return f"{ANSWER} [id={tag}]"  # a regeneration call: the translated prompt


def json_answer(tag: str, prompt: str) -> dict:
    if "Quality review" in prompt and tag in CODE_TAGS:
        return {"reason": "The answer contains code.", "issue": "code", "verdict": "reject"}
    if "Cleaning review" in prompt and tag in STATEMENT_TAGS:
        return {"reason": "A statement, not a request.", "issue": "not_an_instruction",
                "verdict": "reject"}
    return {"reason": f"Fine ({tag}).", "issue": "none", "verdict": "keep"}


def fault_config(tmp_path: Path) -> Path:
    seeds = [{"id": f"t{i:03d}", "messages": [
        {"role": "user", "content": f"EN question {i} [id=t{i:03d}]: how many apples are left?"},
        {"role": "assistant", "content": "Some apples."}]} for i in range(N_SEEDS)]
    write_jsonl(tmp_path / "seeds.jsonl", seeds)
    gathered = [{"id": f"g{i}", "messages": [
        {"role": "user", "content": f"{q} [id=g{i}]"}, {"role": "assistant", "content": ANSWER}]}
        for i, q in enumerate(FRENCH)]
    write_jsonl(tmp_path / "chat.jsonl", gathered)
    return write_config(tmp_path / "luth.yaml", {
        "target_language": "fr",
        "sources": {"chat": {"uri": "chat.jsonl", "format": "jsonl",
                             "mapping": {"id": "id", "messages": "messages"}}},
        "language_id": {"workers": 1, "min_chars": 10},
        "llm": {"provider": "gemini", "model": "gemini-2.5-flash", "concurrency": 32,
                "timeout_s": 2.0,
                "retry": {"max_retries": MAX_RETRIES, "backoff_initial_s": 0.01,
                          "backoff_max_s": 0.05, "max_retry_after_s": 0.1},
                "cache": {"flush_rows": 16, "flush_seconds": 0.2}},
        "translation": {"sources": {"seeds": {
            "uri": "seeds.jsonl", "format": "jsonl",
            "mapping": {"id": "id", "messages": "messages"}}}},
    })


def event_log_text(instance: dg.DagsterInstance) -> str:
    return "\n".join(serialize_value(entry) for run in instance.get_runs()
                     for entry in instance.all_logs(run.run_id))


@pytest.fixture
def gemini_env(monkeypatch):
    def point_at(server: FakeGemini) -> None:
        monkeypatch.setenv("GEMINI_API_KEY", FAKE_KEY)
        monkeypatch.setenv("LUTH_GEMINI_BASE_URL", server.base_url)
    return point_at


def test_stage_with_faults_loses_nothing_and_reruns_for_free(tmp_path, lake_root, instance,
                                                               gemini_env):
    config = fault_config(tmp_path)
    plan = {f"t{i:03d}": FAULTS[fault_of(i)] for i in range(N_SEEDS) if fault_of(i)}
    with FakeGemini(plan, slow_s=3.0, retry_after="0", text_answer=text_answer,
                    json_answer=json_answer) as server:
        gemini_env(server)
        report = run_stage(config, lake_root, instance)
        assert not report.failed, report.errors
        first_requests = server.total
        assert max(server.by_body.values()) <= 1 + MAX_RETRIES
        assert server.keys_seen == {FAKE_KEY}

        seeds = pl.read_parquet(lake_root / "bronze/english_seed_prompts/*.parquet")
        tr = pl.read_parquet(lake_root / "silver/translated_prompts.parquet")
        tr_rej = pl.read_parquet(lake_root / "silver/translated_prompts_rejects.parquet")
        rg = pl.read_parquet(lake_root / "silver/regenerated_responses.parquet")
        rg_rej = pl.read_parquet(lake_root / "silver/regenerated_responses_rejects.parquet")
        slices = pl.read_parquet(lake_root / "silver/french_slices.parquet")
        kept = pl.read_parquet(lake_root / "silver/judged_samples.parquet")
        rej = pl.read_parquet(lake_root / "silver/judged_samples_rejects.parquet")

        # every row of every step ends kept or rejected, exactly once, rejects with a reason
        assert seeds.height == N_SEEDS and slices.height == len(FRENCH)
        assert sorted(tr["seed_sample_id"].to_list() + tr_rej["seed_sample_id"].to_list()) == \
            sorted(seeds["sample_id"].to_list())
        assert sorted(rg["sample_id"].to_list() + rg_rej["sample_id"].to_list()) == \
            sorted(tr["sample_id"].to_list())
        judged_ids = kept["sample_id"].to_list() + rej["sample_id"].to_list()
        assert len(judged_ids) == len(set(judged_ids))
        assert set(judged_ids) == set(rg["sample_id"].to_list()) | set(slices["sample_id"])
        for frame in (tr_rej, rg_rej, rej):
            assert frame["reason"].null_count() == 0
        assert set(kept["subset"]) == {"gathered", "translated"}

        # each fault ends where it should
        tag_of = dict(zip(seeds["sample_id"], seeds["source_row_id"], strict=True))
        def reasons(frame, id_col="seed_sample_id"):
            return {tag_of[s]: r for s, r in zip(frame[id_col], frame["reason"], strict=True)}
        tr_reasons = reasons(tr_rej)
        assert {t for t, r in tr_reasons.items() if r == "blocked"} == \
            {t for t, p in plan.items() if p == FAULTS["safety"]}
        assert {t for t, r in tr_reasons.items() if r == "provider_error"} == \
            {t for t, p in plan.items() if p == FAULTS["echo_key"]}
        assert all("***" in e for e in tr_rej.filter(pl.col("reason") == "provider_error")["error"])
        assert {t: r for t, r in reasons(rg_rej).items()} == \
            {t: "blocked" for t, p in plan.items() if p == FAULTS["regen_block"]}
        judged_rej = {tag_of[s]: (j, r) for s, j, r in
                      zip(rej["seed_sample_id"], rej["judge"], rej["reason"], strict=True)
                      if s is not None}
        expected = {t: ("quality", "invalid_output") for t, p in plan.items()
                    if p == FAULTS["judge_malformed"]}
        expected |= {t: ("quality", "code") for t in CODE_TAGS}
        expected |= {t: ("cleaning", "not_an_instruction") for t in STATEMENT_TAGS - CODE_TAGS}
        assert judged_rej == expected
        invalid = rej.filter(pl.col("reason") == "invalid_output")
        assert invalid["judge_reason"].str.starts_with('{"verdict"').all()  # the raw answer
        assert kept.filter(pl.col("subset") == "translated").height == \
            rg.height - len(expected)

        # the blocking checks ran and passed: input = kept + rejected
        evaluations = check_evaluations(instance)
        assert {e.asset_check_key.name for e in evaluations} >= {
            "translated_reconcile", "regenerated_reconcile", "judged_reconcile"}
        assert all(e.passed for e in evaluations)

        # accounting: one ops/llm_calls row per LLM run, requests match what the server saw
        calls = read_llm_calls(lake_root)
        assert sorted(calls["stage"]) == sorted(["translated_prompts", "regenerated_responses",
                                                 "quality_judge", "cleaning_judge"])
        # the client counts every call it made; the server misses only calls that timed out
        # before reaching it (a loaded machine)
        timeouts = sum(json.loads(e).get("timeout", 0) for e in calls["errors_by_kind"])
        assert first_requests <= calls["requests"].sum() <= first_requests + timeouts
        assert calls["retries"].sum() > 0
        assert json.loads(calls.filter(pl.col("stage") == "translated_prompts")
                          ["failures_by_reason"][0]) == Counter(tr_reasons.values())
        cols, rows = run_query(lake_root, "select sum(requests) from ops.llm_calls")
        assert rows[0][0] == calls["requests"].sum()

        # second materialisation: zero requests, same tables
        server.reset_counts()
        report = run_stage(config, lake_root, instance)
        assert not report.failed, report.errors
        assert server.total == 0
        again = read_llm_calls(lake_root).tail(4)
        assert again["requests"].sum() == 0 and again["cache_hits"].sum() > 0
        assert pl.read_parquet(lake_root / "silver/judged_samples.parquet").sort(
            "sample_id").equals(kept.sort("sample_id"))

    # the key appears nowhere: lake files, Dagster event log (records and its files), errors
    assert FAKE_KEY.encode() not in all_bytes(lake_root)
    assert FAKE_KEY not in event_log_text(instance)
    assert FAKE_KEY.encode() not in all_bytes(Path(instance.root_directory))


def test_unreachable_provider_fails_fast_without_the_key(tmp_path, lake_root, instance,
                                                         monkeypatch):
    server = FakeGemini()
    server.start()
    url = server.base_url
    server.stop()                                         # nothing listens there any more
    config = fault_config(tmp_path)
    data = __import__("yaml").safe_load(config.read_text("utf-8"))
    data["llm"]["max_consecutive_connection_errors"] = 3
    data.pop("sources")
    write_config(config, data)
    monkeypatch.setenv("GEMINI_API_KEY", FAKE_KEY)
    monkeypatch.setenv("LUTH_GEMINI_BASE_URL", url)
    report = run_stage(config, lake_root, instance)
    failed = report.failed
    assert "silver/translated_prompts" in failed
    errors = " ".join(report.errors)
    assert "unreachable" in errors and FAKE_KEY not in errors
    assert FAKE_KEY not in event_log_text(instance)
    assert FAKE_KEY.encode() not in all_bytes(lake_root)
