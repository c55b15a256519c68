"""Small pieces of the translation stage: prompt templates, new ids, the config section, the
`ops/llm_calls` writer."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from translation_helpers import write_config, write_jsonl

from luth_assets.lib.llm import CallSummary
from luth_assets.lib.llm.accounting import (
    llm_calls_dir,
    read_llm_calls,
    record_llm_calls,
)
from luth_assets.lib.warehouse import run_query
from luth_assets.run_config import ConfigError, load_config
from luth_assets.stages.translation.prompts import (
    CleaningVerdict,
    QualityVerdict,
    cleaning_judge_messages,
    quality_judge_messages,
    regenerate_messages,
    translate_messages,
)
from luth_assets.stages.translation.seeds import write_seed_table
from luth_assets.stages.translation.translating import translated_sample_id

EXCHANGE = [{"role": "user", "content": "Combien font 2 + 2 ?"},
            {"role": "assistant", "content": "2 + 2 = 4."}]


def test_templates_take_the_target_language_as_a_parameter():
    for code, name in (("fr", "French"), ("de", "German")):
        system, user = translate_messages("How are you?", target=code)
        assert f"into {name}" in system.content and user.content == "How are you?"
        assert f"answer in {name}" in regenerate_messages("Wie geht's?", target=code)[0].content
        for build in (quality_judge_messages, cleaning_judge_messages):
            judge = build(EXCHANGE, target=code)[1].content
            assert name in judge and "[USER]\nCombien font 2 + 2 ?" in judge
            assert "[ASSISTANT]\n2 + 2 = 4." in judge
    assert "code" in quality_judge_messages(EXCHANGE, target="fr")[1].content
    assert "not_an_instruction" in cleaning_judge_messages(EXCHANGE, target="fr")[1].content


def test_verdict_schemas_accept_verdicts_and_refuse_unknown_issues():
    ok = QualityVerdict.model_validate_json(
        '{"reason": "Du code.", "issue": "code", "verdict": "reject"}')
    assert ok.issue == "code"
    with pytest.raises(ValueError):
        CleaningVerdict.model_validate_json(
            '{"reason": "x", "issue": "code", "verdict": "reject"}')   # not a cleaning issue
    with pytest.raises(ValueError):
        QualityVerdict.model_validate_json('{"verdict": "keep", "reason": "ok"}')  # no issue


def test_translated_ids_derive_from_the_seed_id():
    a = translated_sample_id("0123456789abcdef", "fr")
    assert a == translated_sample_id("0123456789abcdef", "fr") and len(a) == 16
    assert a != translated_sample_id("0123456789abcdef", "de")
    assert a != translated_sample_id("fedcba9876543210", "fr")
    assert a != "0123456789abcdef"


def test_translation_sources_are_validated_and_resolved(tmp_path: Path):
    write_jsonl(tmp_path / "seeds.jsonl", [
        {"id": "a", "messages": [{"role": "user", "content": "Hello there, how are you?"}]},
        {"id": "b", "messages": [{"role": "assistant", "content": "No user turn here."}]},
        {"id": "c", "messages": [{"role": "narrator", "content": "Once upon a time."}]}])
    good = write_config(tmp_path / "good.yaml", {"translation": {"limit": 10, "sources": {
        "en": {"uri": "seeds.jsonl", "format": "jsonl",
               "mapping": {"id": "id", "messages": "messages"}}}}})
    config = load_config(good)
    source = config.translation.sources["en"]
    assert source.uri == str((tmp_path / "seeds.jsonl").resolve())
    out = tmp_path / "seeds.parquet"
    stats = write_seed_table("en", source, out, limit=config.translation.limit)
    seeds = pl.read_parquet(out)
    assert stats.rows == 3 and stats.problems == 2
    assert seeds["prompt"].to_list() == ["Hello there, how are you?", None, None]
    assert seeds["problem"].to_list() == [None, "no_user_turn", "unknown_role:narrator"]

    bad = write_config(tmp_path / "bad.yaml", {"translation": {"sources": {
        "en": {"uri": "seeds.jsonl", "format": "jsonl", "mapping": {"prompt": "q"},
               "licence": "x"}}}})
    with pytest.raises(ConfigError) as caught:
        load_config(bad)
    text = str(caught.value)
    assert "translation.sources" in text and "en.mapping" in text and "en.licence: unknown key" \
        in text


def test_llm_calls_rows_append_and_read_through_duckdb(lake_root: Path):
    for requests in (12, 0):
        summary = CallSummary(stage="quality_judge", provider="gemini", model="gemini-2.5-flash",
                              rows=10, ok=9, rejected=1, requests=requests, cache_hits=10 - 9,
                              failures_by_reason={"blocked": 1}, input_tokens=500,
                              output_tokens=40, estimated_cost_usd=0.0003)
        record_llm_calls(lake_root, summary, asset="silver/judged_samples", run_id="run/1 x")
    calls = read_llm_calls(lake_root)
    assert calls["requests"].to_list() == [12, 0]
    assert calls["asset"].unique().to_list() == ["silver/judged_samples"]
    assert json.loads(calls["failures_by_reason"][0]) == {"blocked": 1}
    assert len(list(llm_calls_dir(lake_root).glob("*.parquet"))) == 2
    assert not list(llm_calls_dir(lake_root).glob(".*"))       # no temporary file left
    _, rows = run_query(lake_root, "select count(*), sum(requests) from ops.llm_calls")
    assert rows == [(2, 12)]
