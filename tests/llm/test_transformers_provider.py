"""The transformers provider on a tiny Qwen3 checkpoint built from a config (no download)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from llm_helpers import make_request

from luth_assets.lib.llm import (
    REASONS,
    ConfigurationError,
    GenerationParams,
    LLMCache,
    LLMClient,
    LLMRequest,
    LLMSettings,
    Message,
    build_provider,
)
from luth_assets.lib.llm.providers.local_model import chat_messages

TEXTS = ["Bonjour, comment allez-vous ? Je vais bien, merci.", "Traduis ceci en français.",
         "Le chat dort sur le tapis rouge.", "Une question, une réponse."] * 10


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory) -> Path:
    """A tiny Qwen3 checkpoint whose weights are scrambled (seeded) so that greedy decoding
    depends on the prompt (a fresh random init answers every prompt with the same token)."""
    import torch
    from transformers import AutoModelForCausalLM

    from luth_train.tiny_model import build_tiny_model

    out = build_tiny_model(tmp_path_factory.mktemp("ckpt") / "tiny", TEXTS, seed=0)
    model = AutoModelForCausalLM.from_pretrained(out)
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() > 1:
                p.copy_(torch.randn(p.shape, generator=gen) * 0.3)
    model.save_pretrained(out)
    return out


def settings_for(checkpoint: Path, **transformers) -> LLMSettings:
    options = {"batch_size": 4, "max_new_tokens": 8, "batch_wait_s": 0.05} | transformers
    return LLMSettings(provider="transformers", model=str(checkpoint), concurrency=8,
                       transformers=options)


def plain(tag: str, words: int) -> LLMRequest:
    return LLMRequest(sample_id=tag, stage="test", messages=[
        Message(role="user", content=" ".join(["Bonjour"] * words) + f" [id={tag}]")],
        params=GenerationParams(temperature=0.0))


def test_local_checkpoint_batched_greedy_then_cached(checkpoint: Path, tmp_path: Path):
    settings = settings_for(checkpoint)
    provider = build_provider(settings, env={})
    requests = [plain(f"p{i}", 1 + 3 * i) for i in range(9)]       # lengths differ: padding
    requests += [make_request("j1", structured=True), make_request("j2", structured=True)]
    cache = LLMCache.in_lake(tmp_path, flush_rows=4)

    ticks: list[float] = []

    async def go():
        async def heartbeat():
            while True:
                ticks.append(time.monotonic())
                await asyncio.sleep(0.01)

        beat = asyncio.create_task(heartbeat())
        try:
            return await LLMClient(provider, settings=settings, cache=cache).arun(requests)
        finally:
            beat.cancel()

    out = asyncio.run(go())
    by_id = out.by_id()
    for r in out.results:
        assert r.status in ("ok", "rejected") and (r.status == "ok" or r.reason in REASONS)
    # a random model never ends its turn: every answer reaches max_new_tokens (8) and is
    # rejected `truncated`, the partial text kept in raw_text
    assert {(r.status, r.reason, r.finish_reason) for r in out.results} == {
        ("rejected", "truncated", "length")}
    assert out.summary.failures_by_reason == {"truncated": len(requests)}
    texts = {r.sample_id: r.raw_text for r in out.results if r.sample_id.startswith("p")}
    assert all(texts.values()), texts                      # every plain prompt got an answer
    assert len(set(texts.values())) > 1                    # and the answer depends on the prompt
    assert all(by_id[t].input_tokens > 0 and by_id[t].output_tokens == 8 for t in texts)
    assert out.summary.input_tokens == sum(r.input_tokens for r in out.results)
    assert out.summary.price_known and out.summary.estimated_cost_usd == 0
    # a cut structured answer is not repaired (a repair would be cut too): one call each
    for tag in ("j1", "j2"):
        j = by_id[tag]
        assert (j.status, j.reason, j.requests) == ("rejected", "truncated", 1)
        assert j.raw_text
    assert provider.batches < provider.calls == 9 + 2      # batched
    # the event loop kept running while the worker thread generated: heartbeat ticks fall
    # inside the batches' generation spans (a blocked loop would tick only between batches)
    inside = [t for t in ticks if any(a < t < b for a, b in provider.batch_spans)]
    assert len(inside) >= 2, (len(ticks), provider.batch_spans)

    # left padding is right: one prompt at a time gives the same greedy answers
    single = build_provider(settings_for(checkpoint, batch_size=1), env={})
    alone = LLMClient(single, settings=settings).run(requests[:9]).by_id()
    assert {t: alone[t].raw_text for t in texts} == texts
    assert single.batches == single.calls == 9

    # a second run over the same lake cache generates nothing
    calls = provider.calls
    again = LLMClient(provider, settings=settings, cache=LLMCache.in_lake(tmp_path)).run(requests)
    assert provider.calls == calls and again.summary.requests == 0
    assert again.summary.cache_hits >= len(requests)
    assert [r.raw_text for r in again.results] == [r.raw_text for r in out.results]
    assert {r.reason for r in again.results} == {"truncated"}


def test_a_cut_answer_is_asked_again_with_the_step_token_limit(checkpoint: Path):
    """`truncation_retry_max_output_tokens`: a cut answer gets one more call with that limit."""
    settings = settings_for(checkpoint).model_copy(
        update={"truncation_retry_max_output_tokens": 12})
    request = plain("p1", 4).model_copy(update={"params": GenerationParams(
        temperature=0.0, max_output_tokens=6)})
    provider = build_provider(settings, env={})
    [result] = LLMClient(provider, settings=settings).run([request]).results
    # the random model is cut again at 12: two calls, the second's text kept
    assert (result.reason, result.requests, result.output_tokens) == ("truncated", 2, 6 + 12)
    assert "also with max_output_tokens 12" in result.error


def test_sampling_follows_the_seed(checkpoint: Path):
    settings = settings_for(checkpoint, max_new_tokens=12)
    provider = build_provider(settings, env={})
    client = LLMClient(provider, settings=settings)

    def sample(seed: int) -> str:
        request = LLMRequest(sample_id="s", stage="test",
                             messages=[Message(role="user", content="Raconte une histoire.")],
                             params=GenerationParams(temperature=1.0, top_p=0.95, seed=seed))
        return client.run([request]).results[0].raw_text   # cut at 12 tokens

    first, again, other = sample(7), sample(7), sample(8)
    assert first == again and first != other


def test_structured_prompt_carries_the_schema():
    messages = chat_messages(make_request("x", structured=True))
    assert messages[0]["role"] == "system"
    assert messages[-1]["content"].startswith("Traduis ceci [id=x]")
    assert '"verdict"' in messages[-1]["content"] and "JSON schema" in messages[-1]["content"]


def test_missing_checkpoints_fail_fast_and_clearly(tmp_path: Path):
    t0 = time.monotonic()
    with pytest.raises(ConfigurationError, match="llm.model is not set"):
        build_provider(LLMSettings(provider="transformers"), env={})
    with pytest.raises(ConfigurationError, match="not found"):
        build_provider(LLMSettings(provider="transformers", model=str(tmp_path / "nope")), env={})
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigurationError, match="without config.json"):
        build_provider(LLMSettings(provider="transformers", model=str(tmp_path / "empty")),
                       env={})
    hub = LLMSettings(provider="transformers", model="luth-tests/not-a-cached-model")
    with pytest.raises(ConfigurationError, match="offline .HF_HUB_OFFLINE=1"):
        build_provider(hub, env={"HF_HUB_OFFLINE": "1"})
    with pytest.raises(ConfigurationError, match="allow_download"):
        build_provider(hub, env={})
    assert time.monotonic() - t0 < 10
