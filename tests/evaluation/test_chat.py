"""What the model reads: chat template on every task, the authors' system prompt, thinking off."""

from __future__ import annotations

import pytest

from luth_train.evaluation.chat import ChatTemplateError, chat_messages, final_answer, model_input
from luth_train.evaluation.items import load_items
from luth_train.evaluation.registry import get_spec
from luth_train.evaluation.runner import EvalOptions, evaluate_benchmark

from .conftest import DEMO_BENCHMARKS

SYSTEM = "You are a helpful assistant."


def test_thinking_off_closes_an_empty_think_block_before_the_answer(qwen3_style_tokenizer):
    text = model_input(qwen3_style_tokenizer, "Quelle est la capitale ?", system_prompt=SYSTEM)
    assert text == (
        "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
        "<|im_start|>user\nQuelle est la capitale ?<|im_end|>\n"
        "<|im_start|>assistant\n<think>\n\n</think>\n\n"
    )
    thinking = model_input(
        qwen3_style_tokenizer, "Quelle est la capitale ?", system_prompt=SYSTEM, enable_thinking=True
    )
    assert thinking.endswith("<|im_start|>assistant\n") and "<think>" not in thinking


def test_lighteval_moves_the_instruction_into_the_system_turn():
    intro = "The following are multiple choice questions (with answers) about maths.\n\n"
    query = intro + "What is 2+2?\nA. 3\nB. 4\nAnswer:"
    assert chat_messages(query, intro, SYSTEM) == [
        {"role": "system", "content": SYSTEM + intro},
        {"role": "user", "content": "What is 2+2?\nA. 3\nB. 4\nAnswer:"},
    ]
    assert chat_messages(query, intro, None) == [{"role": "user", "content": query}]


def test_the_scored_answer_of_a_thinking_run_follows_the_last_think_end():
    assert final_answer("<think>hmm</think>\n\nRéponse : B", True) == "Réponse : B"
    assert final_answer("<think>a</think> x <think>b</think> C", True) == "C"
    assert final_answer("<think>still thinking", True) is None  # unterminated: no answer
    assert final_answer("Réponse : B", False) == "Réponse : B"


def test_a_model_without_chat_template_fails_clearly(tiny_lm):
    tok = tiny_lm.tokenizer
    saved = tok.chat_template
    tok.chat_template = None
    try:
        with pytest.raises(ChatTemplateError, match="has no chat template.*use_chat_template"):
            model_input(tok, "Q", model_name="tiny")
        spec = get_spec("arc_challenge_fr").with_source(path=str(DEMO_BENCHMARKS / "arc_challenge_fr.jsonl"))
        with pytest.raises(ChatTemplateError):
            evaluate_benchmark(tiny_lm, spec, EvalOptions(limit=1, num_runs=1))
        # without the chat template the protocol's query is read as it is
        assert model_input(tok, "Q", use_chat_template=False, system_prompt=None) == "Q"
    finally:
        tok.chat_template = saved


def test_log_likelihood_continuations_follow_the_generation_prompt(tiny_lm, qwen3_style_tokenizer):
    spec = get_spec("mmlu_fr").with_source(path=str(DEMO_BENCHMARKS / "mmlu_fr.jsonl"))
    items = load_items(spec, limit=1)
    saved = tiny_lm.tokenizer.chat_template
    tiny_lm.tokenizer.chat_template = qwen3_style_tokenizer.chat_template
    try:
        result = evaluate_benchmark(tiny_lm, spec, EvalOptions(num_runs=1), items=items)
    finally:
        tiny_lm.tokenizer.chat_template = saved
    row = result.rows[0]
    assert row["prompt"].startswith("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n")
    assert row["prompt"].endswith("Réponse:<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n")
    assert len(row["choice_logliks"]) == 4 and all(v < 0 for v in row["choice_logliks"])


def test_hellaswag_fr_generates_one_letter_scored_by_exact_match(tiny_lm):
    spec = get_spec("hellaswag_fr").with_source(path=str(DEMO_BENCHMARKS / "hellaswag_fr.jsonl"))
    items = load_items(spec)
    result = evaluate_benchmark(tiny_lm, spec, EvalOptions(num_runs=1), items=items)
    assert result.summary["metric"] == "exact_match" and result.summary["n"] == len(items)
    for item, row in zip(items, result.rows, strict=True):
        assert row["choice_logliks"] is None and isinstance(row["response"], str)
        assert row["correct"] == (row["response"].strip() == "ABCD"[item["gold_index"]])


def test_a_thinking_run_scores_only_a_terminated_answer(tiny_lm, qwen3_style_tokenizer):
    spec = get_spec("gpqa_diamond_fr").with_source(path=str(DEMO_BENCHMARKS / "gpqa_diamond_fr.jsonl"))
    saved = tiny_lm.tokenizer.chat_template
    tiny_lm.tokenizer.chat_template = qwen3_style_tokenizer.chat_template
    try:
        options = EvalOptions(num_runs=1, enable_thinking=True, max_new_tokens=4)
        result = evaluate_benchmark(tiny_lm, spec, options)
    finally:
        tiny_lm.tokenizer.chat_template = saved
    for row in result.rows:
        assert row["prompt"].endswith("<|im_start|>assistant\n")  # free to open a think block
        # the tiny model never closes a think block in four tokens: no answer, scored wrong
        assert "</think>" not in row["response"]
        assert row["extracted"] is None and row["correct"] is False
        assert '"unterminated_thinking": true' in row["details"]
