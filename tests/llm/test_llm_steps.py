"""Per-step LLM settings (`llm.steps`) and prices (`llm.pricing`): what a step sends, what it
gets back, what the cache key covers, and the errors a bad section gives."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from fake_openai import FakeOpenAI
from llm_helpers import FAKE_KEY, fast_settings, make_request

from luth_assets.lib.llm.providers.openai_compatible import strip_thinking
from luth_assets.lib.llm.runtime import AssetLLMRunner
from luth_assets.lib.llm.settings import StepLLMSettings
from luth_assets.run_config import ConfigError, parse_config

QWEN = "Qwen/Qwen3-32B"


def _runner(settings, lake: Path, env: dict) -> AssetLLMRunner:
    return AssetLLMRunner(settings, lake, asset="silver/translated_prompts", run_id="test-run",
                          log=lambda _m: None, env=env)


def test_a_step_sends_its_parameters_and_thinking_off_and_gets_the_think_block_stripped(
        lake: Path):
    steps = {"translate": StepLLMSettings(temperature=0.7, top_p=0.8, thinking=False,
                                          max_output_tokens=1024,
                                          extra_body={"repetition_penalty": 1.05})}
    settings = fast_settings(provider="openai_compatible", model=QWEN, api_key_env="VLLM_KEY",
                             steps=steps)
    with FakeOpenAI({"t1": ["think"], "j1": ["think"]}) as server:
        env = {"LUTH_OPENAI_BASE_URL": server.base_url, "VLLM_KEY": FAKE_KEY}
        run = _runner(settings, lake, env)
        out = run([make_request("t1", stage="translated_prompts")], "translated_prompts")
        plain = run([make_request("j1", stage="quality_judge")], "quality_judge")
        sent = {e["tag"]: e["body"] for e in server.log}

    assert out.results[0].text == "Réponse de vLLM pour t1."       # <think> block removed
    body = sent["t1"]
    assert body["chat_template_kwargs"] == {"enable_thinking": False}
    assert (body["temperature"], body["top_p"], body["max_tokens"]) == (0.7, 0.8, 1024)
    assert body["repetition_penalty"] == 1.05
    # a step without an override sends none of it (and is stripped all the same)
    assert "chat_template_kwargs" not in sent["j1"] and "temperature" not in sent["j1"]
    assert plain.results[0].text == "Réponse de vLLM pour j1."
    calls = pl.read_parquet(sorted((lake / "ops" / "llm_calls").rglob("*.parquet")))
    assert set(calls["stage"]) == {"translated_prompts", "quality_judge"}


def test_the_cache_key_covers_the_step_settings(lake: Path):
    def settings(**step):
        return fast_settings(provider="openai_compatible", model=QWEN, api_key_env="VLLM_KEY",
                             steps={"translate": StepLLMSettings(**step)} if step else {})

    request = make_request("c1", stage="translated_prompts")
    with FakeOpenAI() as server:
        env = {"LUTH_OPENAI_BASE_URL": server.base_url, "VLLM_KEY": FAKE_KEY}
        first = _runner(settings(thinking=False), lake, env)([request], "translated_prompts")
        again = _runner(settings(thinking=False), lake, env)([request], "translated_prompts")
        thinking = _runner(settings(thinking=True), lake, env)([request], "translated_prompts")
        warmer = _runner(settings(thinking=False, temperature=0.9), lake, env)(
            [request], "translated_prompts")
        other_model = _runner(settings(thinking=False, model="Qwen/Qwen3-8B"), lake, env)(
            [request], "translated_prompts")
        assert server.total == 4
    assert not first.results[0].cache_hit and again.results[0].cache_hit
    assert not thinking.results[0].cache_hit and not warmer.results[0].cache_hit
    assert other_model.results[0].model == "Qwen/Qwen3-8B" and not other_model.results[0].cache_hit


def test_strip_thinking():
    assert strip_thinking("<think>\n\n</think>\n\nBonjour") == "Bonjour"
    assert strip_thinking("  <think>long\nraisonnement</think>Réponse") == "Réponse"
    assert strip_thinking("<think>coupé par la limite") == ""
    assert strip_thinking("Pas de bloc <think>ici</think>") == "Pas de bloc <think>ici</think>"


def test_a_step_can_use_another_provider_and_model():
    config = parse_config({"llm": {"provider": "openai_compatible", "model": QWEN, "steps": {
        "scholar_clean": {"provider": "gemini", "model": "gemini-2.5-pro"},
        "scholar_answers": {"provider": "gemini"}}}})
    llm = config.llm
    assert llm.for_step("scholar_clean").provider == "gemini"
    assert llm.for_step("scholar_clean").resolved_model() == "gemini-2.5-pro"
    assert llm.for_step("scholar_answers").resolved_model() == "gemini-2.5-flash"  # its default
    assert llm.for_step("scholar_answers").resolved_key_env() == "GEMINI_API_KEY"
    assert llm.for_step("translated_prompts").resolved_model() == QWEN  # by stage name too
    assert llm.used_models() == {QWEN, "gemini-2.5-pro", "gemini-2.5-flash"}


@pytest.mark.parametrize(("section", "message"), [
    ({"provider": "openai_compatible", "model": QWEN,
      "pricing": {"gpt-99": {"input_per_million": 1, "output_per_million": 2}}},
     "pricing.gpt-99: unknown model"),
    ({"provider": "openai_compatible", "model": QWEN,
      "pricing": {QWEN: {"input_per_million": -0.1, "output_per_million": 2}}},
     f"llm.pricing.{QWEN}.input_per_million"),
    ({"steps": {"translation": {"temperature": 0.5}}}, "llm.steps.translation"),
    ({"steps": {"translate": {"thinking": "maybe"}}}, "llm.steps.translate.thinking"),
])
def test_bad_llm_sections_name_the_key(section, message):
    with pytest.raises(ConfigError) as err:
        parse_config({"llm": section})
    assert message in str(err.value)


def test_pricing_is_used_for_the_cost():
    config = parse_config({"llm": {"provider": "openai_compatible", "model": QWEN, "pricing": {
        QWEN: {"input_per_million": 0.1, "output_per_million": 0.3}}}})
    prices = config.llm.effective_prices()
    assert prices[QWEN].output_per_million == 0.3 and "gemini-2.5-flash" in prices


def test_gemini_thinking_off_sets_a_zero_thinking_budget():
    """`thinking: false` on a Gemini step: generationConfig.thinkingConfig.thinkingBudget = 0
    (2.5 Flash); extra_body does not break the memoised body conversion."""
    from luth_assets.lib.llm import GenerationParams
    from luth_assets.lib.llm.providers.gemini import GeminiProvider

    provider = GeminiProvider("gemini-2.5-flash", FAKE_KEY, base_url="http://127.0.0.1:9/")
    off = make_request("g1").model_copy(update={"params": GenerationParams(
        thinking=False, extra_body={"ignored": True})})
    _path, body = provider._rest_base(off)
    # the SDK's own conversion writes the field snake_case (proto JSON accepts both spellings)
    assert body["generationConfig"]["thinkingConfig"] in ({"thinkingBudget": 0},
                                                          {"thinking_budget": 0})
    _path, default = provider._rest_base(make_request("g2"))
    assert "thinkingConfig" not in default.get("generationConfig", {})
