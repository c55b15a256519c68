"""Replay provider, provider factory, rate limiter, backoff."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest
from llm_helpers import FAKE_KEY, Verdict, make_request

from luth_assets.lib.llm import ConfigurationError, LLMClient, LLMSettings, build_provider
from luth_assets.lib.llm.client import backoff_delay
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
    with pytest.raises(NotImplementedError, match="transformers"):
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
