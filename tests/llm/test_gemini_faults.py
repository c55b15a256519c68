"""The real google-genai client against a fake Gemini REST server with scripted faults."""

from __future__ import annotations

import asyncio
import json
import random
import time
from pathlib import Path

import polars as pl
import pytest
from fake_gemini import FakeGemini
from llm_helpers import FAKE_KEY, all_bytes, fast_settings, make_request

from luth_assets.lib.llm import REASONS, LLMCache, LLMClient, ProviderUnavailable
from luth_assets.lib.llm.cache import cache_dir
from luth_assets.lib.llm.providers.gemini import GeminiProvider

MAX_RETRIES = 3

# fault -> (plan, expected final reason or None for ok, needs a schema call)
FAULTS = {
    "429": (["429", "ok"], None, False),
    "500": (["500", "ok"], None, False),
    "503x2": (["503", "503", "ok"], None, False),
    "slow": (["slow", "ok"], None, False),
    "empty": (["empty", "ok"], None, False),
    "malformed_fixed": (["malformed", "ok"], None, True),
    "malformed": (["malformed", "malformed"], "invalid_output", True),
    "safety": (["safety"], "blocked", False),
    "prompt_block": (["prompt_block"], "blocked", False),
    "echo_key": (["echo_key"], "provider_error", False),
}


def scenario(n: int, fault_rate: float, seed: int = 7):
    rng = random.Random(seed)
    plan, expect, structured = {}, {}, {}
    kinds = list(FAULTS)
    for i in range(n):
        tag = f"s{i:05d}"
        if rng.random() < fault_rate:
            kind = kinds[i % len(kinds)]
            plan[tag], expect[tag], structured[tag] = FAULTS[kind]
            if kind not in ("malformed", "malformed_fixed"):
                structured[tag] = rng.random() < 0.5
        else:
            plan[tag], expect[tag], structured[tag] = ["ok"], None, rng.random() < 0.5
    return plan, expect, structured


def make_client(server: FakeGemini, lake: Path, **overrides) -> LLMClient:
    settings = fast_settings(**overrides)
    provider = GeminiProvider("gemini-2.5-flash", FAKE_KEY, base_url=server.base_url,
                              timeout_s=5.0)
    cache = LLMCache.in_lake(lake, flush_rows=settings.cache.flush_rows,
                             flush_seconds=settings.cache.flush_seconds)
    return LLMClient(provider, settings=settings, cache=cache, seed=1)


def test_thousand_prompts_with_faults_then_cached_rerun(lake: Path):
    plan, expect, structured = scenario(1000, 0.20)
    requests = [make_request(tag, structured=structured[tag]) for tag in plan]
    with FakeGemini(plan, slow_s=3.0, retry_after="1") as server:
        client = make_client(server, lake)
        out = client.run(requests, stage="translated_prompts")

        # the real client spoke the path google-genai uses, with the key in a header
        assert all(p.endswith("/models/gemini-2.5-flash:generateContent") for p in server.paths)
        assert server.keys_seen == {FAKE_KEY}

        ids = [r.sample_id for r in out.results]
        assert ids == [r.sample_id for r in requests]          # input order, keyed by id
        assert len(set(ids)) == 1000
        for result in out.results:
            assert result.status in ("ok", "rejected")
            want = expect[result.sample_id]
            if want is None:
                assert result.status == "ok", result
                if structured[result.sample_id]:
                    assert result.parsed == {"verdict": "keep",
                                             "reason": f"ok {result.sample_id}"}
                else:
                    assert result.text == f"Réponse en français pour {result.sample_id}."
            else:
                assert (result.status, result.reason) == ("rejected", want), result
                assert result.reason in REASONS and result.error
        invalid = [r for r in out.results if r.reason == "invalid_output"]
        assert invalid and all(r.raw_text and r.raw_text.startswith('{"verdict"')
                               for r in invalid)
        # no request body sent more than 1 + max_retries times (the server counts)
        assert max(server.by_body.values()) <= 1 + MAX_RETRIES
        assert sum(server.by_body.values()) == out.summary.requests

        s = out.summary
        assert s.rows == 1000 and s.ok + s.rejected == 1000
        assert s.failures_by_reason == dict(sorted(
            __import__("collections").Counter(r.reason for r in out.results
                                              if r.reason).items()))
        assert s.retries > 100 and s.errors_by_kind["rate_limited"] > 0
        assert s.errors_by_kind["timeout"] > 0 and s.input_tokens > 0 and s.output_tokens > 0
        assert s.estimated_cost_usd > 0 and s.price_known

        # the key never appears: results, summary, cache files, error texts
        dumped = json.dumps([r.model_dump() for r in out.results]) + json.dumps(s.to_row())
        assert FAKE_KEY not in dumped
        assert any("***" in (r.error or "") for r in out.results)  # echo_key was scrubbed
        shards = list(cache_dir(lake).glob("*.parquet"))
        assert len(shards) > 1                                      # written in batches
        assert FAKE_KEY.encode() not in all_bytes(lake)
        assert not list(cache_dir(lake).glob(".*"))                 # no temp file left
        assert FAKE_KEY not in repr(client) and FAKE_KEY not in repr(client.provider)

        # second run: a fresh client over the same lake makes zero requests
        server.reset_counts()
        t0 = time.monotonic()
        again = make_client(server, lake).run(requests, stage="translated_prompts")
        assert server.total == 0 and again.summary.requests == 0
        assert again.summary.cache_hits >= 1000
        assert [(r.status, r.reason, r.text) for r in again.results] == \
            [(r.status, r.reason, r.text) for r in out.results]
        assert again.summary.input_tokens == 0 and again.summary.cached_input_tokens > 0
        assert time.monotonic() - t0 < 10


def test_interrupted_run_resumes_without_paying_twice(lake: Path):
    tags = [f"r{i:04d}" for i in range(600)]
    requests = [make_request(t, structured=i % 2 == 0) for i, t in enumerate(tags)]
    concurrency = 16
    with FakeGemini({}, latency_s=0.02) as server:
        async def interrupted():
            client = make_client(server, lake, concurrency=concurrency,
                                 cache={"flush_rows": 16, "flush_seconds": 0.2})
            task = asyncio.create_task(client.arun(requests))
            while server.total < 300:
                await asyncio.sleep(0.005)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

        asyncio.run(interrupted())
        first_ok = set(server.ok_tags)
        assert 250 <= len(first_ok) < 600

        cached = pl.read_parquet(cache_dir(lake) / "*.parquet")["request"].to_list()
        cached_tags = {json.loads(r)["messages"][1][1].split("[id=")[1].rstrip("]")
                       for r in cached}
        assert len(cached_tags) >= len(first_ok) - concurrency   # only in-flight calls lost

        server.reset_counts()
        out = make_client(server, lake, concurrency=concurrency).run(requests)
        assert all(r.status == "ok" for r in out.results) and len(out.results) == 600
        asked_again = set(server.by_tag)
        assert not asked_again & cached_tags                    # nothing answered is re-asked
        assert len(asked_again & first_ok) <= concurrency       # at most the calls in flight
        assert asked_again | cached_tags == set(tags)


def test_exhausted_retries_are_rejected_and_retried_on_rerun(lake: Path):
    plan = {"bad": ["503"] * (1 + MAX_RETRIES) + ["ok"], "fine": ["ok"]}
    with FakeGemini(plan) as server:
        out = make_client(server, lake).run([make_request("bad"), make_request("fine")])
        bad = out.by_id()["bad"]
        assert (bad.status, bad.reason, bad.requests, bad.retries) == \
            ("rejected", "server_error", 1 + MAX_RETRIES, MAX_RETRIES)
        assert "after 4 attempts" in bad.error
        server.reset_counts()
        rerun = make_client(server, lake).run([make_request("bad"), make_request("fine")])
        assert dict(server.by_tag) == {"bad": 1}               # a transient failure is not cached
        assert all(r.status == "ok" for r in rerun.results)


def test_unreachable_provider_stops_fast_without_the_key(lake: Path):
    server = FakeGemini()
    server.start()
    url = server.base_url
    server.stop()                                              # nothing listens there now
    provider = GeminiProvider("gemini-2.5-flash", FAKE_KEY, base_url=url, timeout_s=2)
    client = LLMClient(provider, settings=fast_settings(concurrency=2,
                                                        max_consecutive_connection_errors=4))
    t0 = time.monotonic()
    with pytest.raises(ProviderUnavailable) as caught:
        client.run([make_request(f"u{i}") for i in range(50)])
    assert time.monotonic() - t0 < 20
    assert "unreachable" in str(caught.value) and FAKE_KEY not in str(caught.value)


def test_request_body_is_what_generate_content_would_send():
    """The provider sends through the SDK's HTTP layer with a memoised conversion: the body
    must equal the SDK's own `generate_content` conversion (guards an SDK upgrade)."""
    from google.genai import _common, models, types

    from luth_assets.lib.llm import GenerationParams

    provider = GeminiProvider("gemini-2.5-flash", FAKE_KEY, base_url="http://127.0.0.1:9/")
    for request in (make_request("a"), make_request("b", structured=True).model_copy(update={
            "params": GenerationParams(temperature=0.3, top_p=0.9, max_output_tokens=50,
                                       seed=3)})):
        path, base = provider._rest_base(request)
        ours = dict(base, contents=provider._rest_contents(request))
        params = types._GenerateContentParameters(
            model="gemini-2.5-flash", config=provider._config(request),
            contents=[types.Content(role="user", parts=[types.Part(text=m.content)])
                      for m in request.messages if m.role != "system"])
        sdk = models._GenerateContentParameters_to_mldev(
            provider._client.aio._api_client, params, None, params)
        sdk_path = "{model}:generateContent".format_map(sdk.pop("_url"))
        sdk.pop("config", None)
        assert (path, ours) == (sdk_path, _common.encode_unserializable_types(
            _common.convert_to_dict(sdk)))
        assert provider._rest_base(request) is provider._rest_base(request)   # memoised
