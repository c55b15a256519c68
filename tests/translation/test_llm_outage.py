"""An LLM outage is not a success: above `llm.max_error_rate` failed calls, the asset writes what
it has (kept, rejects with the reason, the calls in ops/llm_calls) and then fails, its message
counting the failures by kind."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import polars as pl
import pytest
from fake_gemini import FakeGemini
from llm_helpers import FAKE_KEY
from translation_helpers import stage_definitions, write_config, write_jsonl

from luth_assets.lib.llm.settings import LLMSettings
from luth_assets.materialize import materialize_all

N_SEEDS = 26


def outage_config(tmp_path: Path, **llm) -> Path:
    write_jsonl(tmp_path / "seeds.jsonl", [{"id": f"t{i:03d}", "messages": [
        {"role": "user", "content": f"EN question {i} [id=t{i:03d}]: how many apples?"},
        {"role": "assistant", "content": "Some."}]} for i in range(N_SEEDS)])
    return write_config(tmp_path / "luth.yaml", {
        "llm": {"provider": "gemini", "model": "gemini-2.5-flash", "timeout_s": 2.0,
                "retry": {"max_retries": 0}, "cache": {"flush_rows": 4, "flush_seconds": 0.2},
                **llm},
        "translation": {"sources": {"seeds": {"uri": "seeds.jsonl", "format": "jsonl",
                                              "mapping": {"id": "id", "messages": "messages"}}}},
    })


def translate(config: Path, lake: Path, plan) -> tuple[list, FakeGemini]:
    keys = [dg.AssetKey(["bronze", "english_seed_prompts"]),
            dg.AssetKey(["silver", "translated_prompts"])]
    with FakeGemini(plan) as server, pytest.MonkeyPatch.context() as mp:
        mp.setenv("GEMINI_API_KEY", FAKE_KEY)
        mp.setenv("LUTH_GEMINI_BASE_URL", server.base_url)
        defs = stage_definitions(config, lake)  # the key is read when the resources are built
        report = materialize_all(defs, dg.DagsterInstance.ephemeral(), selection=keys,
                                 log=lambda _: None)
    return report.outcomes, server


def test_every_call_failing_fails_the_asset_after_writing_its_rejects(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    config = outage_config(tmp_path)
    # half the tags get HTTP 500, the other half HTTP 400
    outcomes, _ = translate(config, lake, lambda tag: ["500"] if int(tag[1:]) % 2 else ["echo_key"])
    [translated] = [o for o in outcomes if "silver/translated_prompts" in o.keys]
    assert not translated.success
    assert "26 of 26 rows failed their call" in translated.error
    assert "llm.max_error_rate 50%" in translated.error
    assert "server_error 13" in translated.error and "provider_error 13" in translated.error
    assert FAKE_KEY not in translated.error
    rejects = pl.read_parquet(lake / "silver" / "translated_prompts_rejects.parquet")
    assert rejects.height == N_SEEDS
    assert dict(rejects.group_by("reason").len().rows()) == {"server_error": 13, "provider_error": 13}
    calls = pl.read_parquet(lake / "ops" / "llm_calls" / "*.parquet")
    assert calls["rows"].sum() == N_SEEDS


def test_errors_under_the_rate_keep_the_asset_green(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    config = outage_config(tmp_path, max_error_rate=0.5)
    outcomes, _ = translate(config, lake, lambda tag: ["500"] if int(tag[1:]) < 5 else ["ok"])
    assert all(o.success for o in outcomes), [o.error for o in outcomes if not o.success]
    assert pl.read_parquet(lake / "silver" / "translated_prompts.parquet").height == N_SEEDS - 5


def test_max_error_rate_is_a_config_key() -> None:
    assert LLMSettings().max_error_rate == 0.5
    with pytest.raises(ValueError):
        LLMSettings(max_error_rate=1.5)
