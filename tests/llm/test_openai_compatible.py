"""The openai_compatible provider (real `openai` client) against a loopback vLLM-like server."""

from __future__ import annotations

from pathlib import Path

from fake_openai import FakeOpenAI
from llm_helpers import FAKE_KEY, fast_settings, make_request

from luth_assets.lib.llm import LLMCache, LLMClient, build_provider


def test_chat_completions_with_usage_429_and_500(lake: Path):
    plan = {"rate": ["429", "ok"], "flaky": ["500", "ok"], "down": ["500"]}
    settings = fast_settings(provider="openai_compatible", model="Qwen/Qwen3-32B",
                             api_key_env="VLLM_KEY")
    requests = [make_request("plain"), make_request("judge", structured=True),
                make_request("rate"), make_request("flaky"), make_request("down")]
    with FakeOpenAI(plan, retry_after="1") as server:
        env = {"LUTH_OPENAI_BASE_URL": server.base_url, "VLLM_KEY": FAKE_KEY}
        provider = build_provider(settings, env=env)
        out = LLMClient(provider, settings=settings,
                        cache=LLMCache.in_lake(lake, flush_rows=2)).run(requests)
        by_id = out.by_id()

        assert by_id["plain"].text == "Réponse de vLLM pour plain."
        assert by_id["judge"].parsed == {"verdict": "keep", "reason": "ok judge"}
        assert (by_id["rate"].status, by_id["rate"].retries) == ("ok", 1)
        assert (by_id["flaky"].status, by_id["flaky"].retries) == ("ok", 1)
        down = by_id["down"]
        assert (down.status, down.reason, down.requests) == ("rejected", "server_error", 4)
        assert all(r.input_tokens > 0 and r.output_tokens > 0
                   for r in out.results if r.status == "ok")
        s = out.summary
        assert s.requests == server.total == 10 and s.errors_by_kind == {
            "rate_limited": 1, "server_error": 5}

        # the 429's Retry-After (1 s) was honoured, though the backoff alone is 10-50 ms
        times = [e["at"] for e in server.log if e["tag"] == "rate"]
        assert times[1] - times[0] >= 0.95
        # what went over the wire: the model, the schema as response_format, the key as bearer
        judge = next(e["body"] for e in server.log if e["tag"] == "judge")
        assert judge["model"] == "Qwen/Qwen3-32B"
        assert judge["response_format"]["json_schema"]["schema"]["required"] == ["verdict",
                                                                                   "reason"]
        assert {e["authorization"] for e in server.log} == {f"Bearer {FAKE_KEY}"}
        assert FAKE_KEY not in str([r.model_dump() for r in out.results])

        # a re-run answers the successes from the cache and asks again only for the failure
        again = LLMClient(build_provider(settings, env=env), settings=settings,
                          cache=LLMCache.in_lake(lake)).run(requests)
        assert again.summary.cache_hits == 4 and server.total == 10 + 4
        assert {e["tag"] for e in server.log[10:]} == {"down"}
