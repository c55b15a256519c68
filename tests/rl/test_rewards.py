"""Verifiable rewards: the same verdicts as the benchmarks they aim at (MATH equivalence, IFEval
checkers) and the sandbox for code, in the per-item form and the TRL batch form."""

from __future__ import annotations

import json

import pytest

from luth_train import rewards
from luth_train.rewards import code_reward, extract_program, ifeval_reward, math_reward, reward_for

SPRING = (
    "Le printemps est ma saison préférée car les arbres fleurissent et les journées "
    "deviennent plus longues et plus douces pour toute la famille."
)


@pytest.mark.parametrize(
    ("response", "gold", "reward"),
    [
        ("Donc la réponse est $\\boxed{\\frac{1}{2}}$.", "\\frac{1}{2}", 1.0),
        ("Donc la réponse est $\\boxed{0.5}$.", "\\frac{1}{2}", 1.0),  # equal, written differently
        ("Donc la réponse est $\\boxed{\\frac{1}{3}}$.", "\\frac{1}{2}", 0.0),
        ("La réponse finale est 18.", "18", 1.0),
        ("Je ne sais pas.", "18", 0.0),
        ("", "18", 0.0),
        ("... $\\boxed{3}$", "We add: $1 + 2 = \\boxed{3}$.", 1.0),  # a full MATH solution as gold
    ],
)
def test_math_reward_uses_the_math_answer_equivalence(response, gold, reward):
    assert math_reward(response, gold, "fr") == reward


def test_math_reward_on_real_math500_solutions(shared_data):
    rows = [json.loads(line) for line in (shared_data / "benchmarks" / "math500_en_sample.jsonl").open()][:20]
    right = [math_reward(f"The answer is $\\boxed{{{r['answer']}}}$.", r["solution"], "en") for r in rows]
    assert sum(right) >= 19  # the dataset's own answer matches its solution's boxed answer
    wrong = [math_reward("The answer is $\\boxed{123456789}$.", r["solution"], "en") for r in rows]
    assert sum(wrong) == 0


def test_ifeval_reward_is_the_share_of_instructions_followed():
    ids = ["fr:punctuation:no_comma", "fr:change_case:french_lowercase"]
    kwargs = [{}, {}]
    assert ifeval_reward("Écrivez.", ids, kwargs, SPRING.lower()) == 1.0
    assert ifeval_reward("Écrivez.", ids, kwargs, SPRING) == 0.5  # no comma, but not lowercase
    assert ifeval_reward("Écrivez.", ids, kwargs, SPRING, all_or_nothing=True) == 0.0
    assert ifeval_reward("Écrivez.", ids, kwargs, "Oui, " + SPRING) == 0.0


def test_ifeval_reward_is_none_when_no_instruction_can_be_checked():
    assert ifeval_reward("Écrivez.", ["fr:special_character:accents"], [{}], SPRING) is None


def test_ifeval_reward_on_real_french_prompts(shared_data):
    path = shared_data / "benchmarks" / "ifeval_fr_m-ifeval.jsonl"
    rows = [json.loads(line) for line in path.open()]
    row = next(r for r in rows if r["instruction_id_list"] == ["fr:punctuation:no_comma"])
    assert ifeval_reward(row["prompt"], row["instruction_id_list"], row["kwargs"], SPRING) == 1.0
    assert ifeval_reward(row["prompt"], row["instruction_id_list"], row["kwargs"], "Oui, bien sûr.") == 0.0


MBPP_TESTS = (
    "assert similar_elements((3, 4, 5, 6), (5, 7, 4, 10)) == (4, 5)\n"
    "assert similar_elements((1, 2), (3,)) == ()\n"
)
GOOD = (
    "Voici une solution :\n\n```python\ndef similar_elements(a, b):\n"
    "    return tuple(sorted(set(a) & set(b)))\n```\n\n"
    "Exemple :\n```python\nprint(similar_elements((1,), (1,)))\n```\n"
)


def test_code_reward_runs_the_program_against_the_unit_tests():
    assert code_reward(GOOD, MBPP_TESTS) == 1.0
    assert code_reward(GOOD.replace("&", "|"), MBPP_TESTS) == 0.0
    assert code_reward("```python\nimport time\ntime.sleep(100)\n```", MBPP_TESTS) == 0.0
    stealing = "```python\nimport urllib.request\nurllib.request.urlopen('http://127.0.0.1:9')\n```"
    assert code_reward(stealing, MBPP_TESTS) == 0.0


def test_the_program_is_the_defining_block_not_the_usage_example():
    assert extract_program(GOOD).startswith("def similar_elements")
    assert extract_program("def f():\n    return 1") == "def f():\n    return 1"


def test_batch_rewards_take_trl_arguments():
    conversation = [
        [{"role": "assistant", "content": "$\\boxed{4}$"}],
        [{"role": "assistant", "content": "5"}],
    ]
    assert reward_for("math")(prompts=["2+2 ?", "2+2 ?"], completions=conversation, answer=["4", "4"]) == [
        1.0,
        0.0,
    ]
    follows = reward_for("instruction_following")(
        prompts=[[{"role": "user", "content": "Sans virgule."}]],
        completions=[SPRING],
        instruction_id_list=[["fr:punctuation:no_comma"]],
        kwargs=[[{}]],
    )
    assert follows == [1.0]
    assert reward_for("code")(prompts=["p"], completions=[GOOD], tests=[MBPP_TESTS]) == [1.0]
    with pytest.raises(ValueError, match="no verifiable reward for domain 'poetry'"):
        reward_for("poetry")
    with pytest.raises(TypeError):
        rewards.completion_text(42)
