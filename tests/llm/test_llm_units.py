"""Replay provider, provider factory, rate limiter, backoff."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest
from llm_helpers import FAKE_KEY, Verdict, make_request

from luth_assets.lib.llm import ConfigurationError, LLMClient, LLMSettings, build_provider
from luth_assets.lib.llm.backoff import backoff_delay
from luth_assets.lib.llm.settings import RetrySettings


def test_replay_answers_by_stage_and_sample_id_and_names_a_miss(tmp_path: Path):
    path = tmp_path / "answers.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [
        {"stage": "test", "sample_id": "a", "text": "Bonjour"},
        {"stage": "test", "sample_id": "b", "output": {"verdict": "keep", "reason": "ok"}},
    ]) + "\n", encoding="utf-8")
    provider = build_provider(LLMSettings(provider="replay", replay_path=path), env={})
    out = LLMClient(provider).run(
        [make_request("a"), make_request("b", structured=True), make_request("zz")])
    a, b, miss = out.results
    assert (a.status, a.text) == ("ok", "Bonjour")
    assert b.parsed == Verdict(verdict="keep", reason="ok").model_dump()
    assert (miss.status, miss.reason) == ("rejected", "replay_miss")
    assert "'test'" in miss.error and "'zz'" in miss.error
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"stage": "x"}\n', encoding="utf-8")
    with pytest.raises(ConfigurationError, match="bad.jsonl line 1"):
        build_provider(LLMSettings(provider="replay", replay_path=bad), env={})


def test_factory_errors_are_clear_and_keyless():
    with pytest.raises(ConfigurationError, match="GEMINI_API_KEY is not set"):
        build_provider(LLMSettings(provider="gemini"), env={})
    provider = build_provider(LLMSettings(provider="gemini"),
                              env={"GEMINI_API_KEY": FAKE_KEY,
                                   "LUTH_GEMINI_BASE_URL": "http://127.0.0.1:9/"})
    assert provider.base_url == "http://127.0.0.1:9/" and FAKE_KEY not in repr(provider)
    with pytest.raises(ConfigurationError, match="base URL"):
        build_provider(LLMSettings(provider="openai_compatible"), env={})
    with pytest.raises(ConfigurationError, match="transformers but llm.model is not set"):
        build_provider(LLMSettings(provider="transformers"), env={})


def test_duplicate_sample_ids_are_refused(tmp_path: Path):
    path = tmp_path / "a.jsonl"
    path.write_text('{"stage": "test", "sample_id": "a", "text": "x"}\n', encoding="utf-8")
    client = LLMClient(build_provider(LLMSettings(provider="replay", replay_path=path), env={}))
    with pytest.raises(ValueError, match="duplicate sample_id"):
        client.run([make_request("a"), make_request("a")])


def test_rate_limit_spaces_requests(tmp_path: Path):
    path = tmp_path / "a.jsonl"
    path.write_text("".join(json.dumps({"stage": "test", "sample_id": f"q{i}", "text": "x"}) + "\n"
                            for i in range(30)), encoding="utf-8")
    settings = LLMSettings(provider="replay", replay_path=path, requests_per_minute=1200)
    client = LLMClient(build_provider(settings, env={}), settings=settings)
    t0 = time.monotonic()
    out = client.run([make_request(f"q{i}") for i in range(30)])  # burst 20, then 20/s
    assert 0.4 <= time.monotonic() - t0 < 5
    assert out.summary.ok == 30


def test_backoff_grows_with_jitter_and_honours_retry_after():
    retry = RetrySettings(backoff_initial_s=1.0, backoff_max_s=8.0, jitter=0.5)
    rng = random.Random(0)
    delays = [backoff_delay(a, retry, None, rng) for a in range(6)]
    assert 0.5 <= delays[0] <= 1.0 and 1.0 <= delays[1] <= 2.0 and max(delays) <= 8.0
    assert backoff_delay(0, retry, 30.0, rng) == 30.0
    assert backoff_delay(0, retry.model_copy(update={"max_retry_after_s": 5.0}), 30.0, rng) == 5.0


def test_progress_logs_at_intervals_and_draws_a_bar(lake: Path, capsys):
    from fake_gemini import FakeGemini
    from llm_helpers import fast_settings

    from luth_assets.lib.llm import log_progress
    from luth_assets.lib.llm.providers.gemini import GeminiProvider

    lines: list[str] = []
    reporter = log_progress(lines.append, stage="translated_prompts", every_s=0.3, bar=True)
    with FakeGemini(latency_s=0.05) as server:
        provider = GeminiProvider("gemini-2.5-flash", FAKE_KEY, base_url=server.base_url)
        client = LLMClient(provider, settings=fast_settings(concurrency=2), progress=reporter)
        client.run([make_request(f"g{i}") for i in range(30)])
    assert len(lines) >= 2 and lines == reporter.lines
    assert lines[0].startswith("translated_prompts: ") and " rows (" in lines[0]
    assert lines[-1].startswith("translated_prompts: 30/30 rows (100%), 30 requests, 0 cached")
    drawn = capsys.readouterr().err
    assert "translated_prompts" in drawn and "30/30" in drawn         # the tqdm bar


def test_cache_on_an_fsspec_lake_makes_the_rerun_free():
    import uuid

    from fake_gemini import FakeGemini
    from llm_helpers import fast_settings
    from upath import UPath

    from luth_assets.lib.llm import LLMCache
    from luth_assets.lib.llm.providers.gemini import GeminiProvider

    lake = f"memory://luth-{uuid.uuid4().hex[:8]}/lake"     # fsspec's in-memory filesystem
    requests = [make_request(f"m{i}", structured=i % 2 == 0) for i in range(20)]
    with FakeGemini() as server:
        def run():
            provider = GeminiProvider("gemini-2.5-flash", FAKE_KEY, base_url=server.base_url)
            return LLMClient(provider, settings=fast_settings(),
                             cache=LLMCache.in_lake(lake, flush_rows=8)).run(requests)

        first = run()
        shards = sorted(p.name for p in (UPath(lake) / "ops/llm_cache").glob("*.parquet"))
        assert len(shards) >= 2 and server.total == 20                # written in batches
        server.reset_counts()
        again = run()
        assert server.total == 0 and again.summary.cache_hits == 20
        assert [r.text for r in again.results] == [r.text for r in first.results]
        merged = LLMCache.in_lake(lake).compact()
        assert merged is not None and len(LLMCache.in_lake(lake)) == 20
        assert [p.name for p in (UPath(lake) / "ops/llm_cache").glob("*.parquet")] == [merged.name]


def test_settings_resolve_relative_paths_against_the_config_folder(tmp_path: Path):
    (tmp_path / "models" / "sft").mkdir(parents=True)
    s = LLMSettings(provider="transformers", model="models/sft", replay_path="replay")
    resolved = s.with_base(tmp_path)
    assert resolved.model == str((tmp_path / "models" / "sft").resolve())
    assert resolved.replay_path == (tmp_path / "replay").resolve()
    hub = LLMSettings(provider="transformers", model="Qwen/Qwen3-0.6B").with_base(tmp_path)
    assert hub.model == "Qwen/Qwen3-0.6B"                     # a hub id stays a hub id
