"""Malformed and cut answers from both remote providers, through their real clients (`openai`,
`google-genai`) pointed at fake servers on 127.0.0.1: every row ends as one result with a kind,
the batch never raises."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_gemini import FakeGemini
from fake_openai import FakeOpenAI
from llm_helpers import FAKE_KEY, fast_settings, make_request

from luth_assets.lib.llm import REASONS, LLMCache, LLMClient
from luth_assets.lib.llm.providers.gemini import GeminiProvider
from luth_assets.lib.llm.providers.openai_compatible import OpenAICompatibleProvider

PROVIDERS = {
    # name -> (fake server, how the server cuts an answer, its finish reason, the other shape)
    "openai_compatible": (FakeOpenAI, "length", "length", "no_message"),
    "gemini": (FakeGemini, "max_tokens", "MAX_TOKENS", "bad_parts"),
}


def client_for(name: str, server, lake: Path | None = None, **settings) -> LLMClient:
    if name == "gemini":
        provider = GeminiProvider("gemini-2.5-flash", FAKE_KEY, base_url=server.base_url,
                                  timeout_s=5.0)
    else:
        provider = OpenAICompatibleProvider("Qwen/Qwen3-32B", base_url=server.base_url,
                                            api_key=FAKE_KEY, timeout_s=5.0)
    cache = LLMCache.in_lake(lake, flush_rows=2) if lake is not None else None
    return LLMClient(provider, settings=fast_settings(provider=name, **settings), cache=cache,
                     seed=1)


@pytest.mark.parametrize("name", list(PROVIDERS))
def test_bad_bodies_and_cut_answers_are_rows_with_a_kind(name: str, lake: Path) -> None:
    server_class, cut, finish, other_shape = PROVIDERS[name]
    plan = {"not_json": ["not_json"], "html": ["html"], "html_502": ["html_502"],
            "wrong_shape": ["wrong_shape"], other_shape: [other_shape],
            "flaky": ["not_json", "html", "ok"], "cut": [cut], "cut_json": [cut]}
    requests = [make_request("fine"), make_request("cut_json", structured=True),
                *(make_request(tag) for tag in plan if tag != "cut_json")]
    with server_class(plan) as server:
        out = client_for(name, server, lake).run(requests)   # never raises
        by_id = out.by_id()
        assert [r.sample_id for r in out.results] == [r.sample_id for r in requests]
        assert {r.reason for r in out.results} <= {None, *REASONS}

        assert by_id["fine"].status == by_id["flaky"].status == "ok"
        assert by_id["flaky"].retries == 2           # a bad body is asked again
        for tag in ("not_json", "html", "wrong_shape", other_shape):
            row = by_id[tag]
            assert (row.status, row.reason, row.requests) == ("rejected", "bad_response", 4), row
        assert "<html>" in by_id["html"].error       # the error shows what came back
        assert by_id["html_502"].reason == "server_error"
        for tag in ("cut", "cut_json"):               # kept nowhere: rejected, partial text kept
            row = by_id[tag]
            assert (row.status, row.reason, row.finish_reason, row.requests) == (
                "rejected", "truncated", finish, 1)
            assert row.raw_text == "Voici le début d'une tradu"
        assert FAKE_KEY not in str([r.model_dump() for r in out.results])
        s = out.summary
        assert s.failures_by_reason == {"bad_response": 4, "server_error": 1, "truncated": 2}
        assert s.errors_by_kind["bad_response"] == 4 * 4 + 2 and s.errors_by_kind["truncated"] == 2

        # the cut answers were paid for: cached, a re-run does not ask again; bad bodies are
        # never cached
        asked = server.total
        again = client_for(name, server, lake).run(requests).by_id()
        assert again["cut"].reason == "truncated" and again["cut"].requests == 0
        assert {e["tag"] if isinstance(e, dict) else e[0] for e in server.log[asked:]} == {
            "not_json", "html", "html_502", "wrong_shape", other_shape}


@pytest.mark.parametrize("name", list(PROVIDERS))
def test_a_cut_answer_is_asked_again_with_the_larger_limit(name: str) -> None:
    server_class, cut, _, _ = PROVIDERS[name]
    # the server cuts answers when max tokens < 1000; the step allows one call with 2000
    plan = {"long": [f"{cut}_below:1000"], "always": [cut]}
    requests = [r.model_copy(update={"params": r.params.model_copy(
        update={"max_output_tokens": 64})}) for r in (make_request("long"),
                                                      make_request("always"))]
    with server_class(plan) as server:
        out = client_for(name, server, truncation_retry_max_output_tokens=2000).run(requests)
    by_id = out.by_id()
    assert (by_id["long"].status, by_id["long"].requests) == ("ok", 2)
    assert "Voici le début" not in by_id["long"].text
    always = by_id["always"]
    assert (always.reason, always.requests) == ("truncated", 2)
    assert "also with max_output_tokens 2000" in always.error
    assert out.summary.repairs == 0     # a larger-limit call is not a repair


class ExplodingClient:
    """A provider whose client library fails in a way no rule maps (a KeyError deep inside it)."""

    name, model, cacheable = "exploding", "m", False

    async def generate(self, request):
        if "boom" in request.sample_id:
            raise KeyError("choices")
        from luth_assets.lib.llm import ProviderResponse

        return ProviderResponse(text="fine", finish_reason="stop")

    async def aclose(self) -> None:
        return None


def test_an_unexpected_client_exception_is_that_rows_failure() -> None:
    requests = [make_request("ok1"), make_request("boom"), make_request("ok2")]
    out = LLMClient(ExplodingClient(), settings=fast_settings()).run(requests)
    by_id = out.by_id()
    assert [by_id[t].status for t in ("ok1", "boom", "ok2")] == ["ok", "rejected", "ok"]
    boom = by_id["boom"]
    assert (boom.reason, boom.requests) == ("unexpected_error", 1)     # not retried
    assert boom.error == "exploding call raised KeyError: 'choices'"
