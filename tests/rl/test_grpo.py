"""A GRPO specialist trained with TRL on CPU: on a tiny model and a toy maths set whose answer is
always 7, the math reward rises over the steps (seeded), the specialist is saved and loads; rows
missing what the reward reads are refused naming the row and the column."""

from __future__ import annotations

import pytest

from luth_train.rl import GrpoSettings, check_rows, train_specialist

TEXTS = ["Combien font 3 + 4 ? La réponse est 7.", "Combien font 2 + 5 ? 7", "1 2 3 4 5 6 7 8 9"] * 8


def toy_math_rows() -> list[dict]:
    return [{"prompt": [{"role": "user", "content": f"Combien font {i} + {7 - i} ?"}], "answer": "7",
             "language": "fr"} for i in range(1, 7)] * 4


def test_the_math_reward_rises_over_grpo_steps(tmp_path):
    pytest.importorskip("trl", reason="TRL is the rl extra (pip install -e .[rl])")
    import torch
    from transformers import AutoModelForCausalLM

    from luth_train.tiny_model import build_tiny_model

    torch.set_num_threads(1)
    base = build_tiny_model(tmp_path / "base", TEXTS, vocab_size=300)
    settings = GrpoSettings(steps=12, prompts_per_step=1, generations_per_prompt=8, max_completion_tokens=4,
                            learning_rate=2e-2, seed=0)
    run = train_specialist(base, "math", toy_math_rows(), tmp_path / "math", settings)
    assert len(run.rewards) == 12 and all(0.0 <= r <= 1.0 for r in run.rewards)
    first, last = sum(run.rewards[:4]) / 4, sum(run.rewards[-4:]) / 4
    print(f"mean reward, first 4 steps {first:.3f}, last 4 steps {last:.3f}: {run.rewards}")
    assert last > first + 0.25
    assert AutoModelForCausalLM.from_pretrained(run.model_dir) is not None


def test_rows_missing_what_the_reward_reads_are_refused():
    with pytest.raises(ValueError, match=r"math prompt row 1: missing column 'answer'"):
        check_rows("math", [{"prompt": "2+2?", "answer": "4"}, {"prompt": "3+3?"}])
    with pytest.raises(ValueError, match=r"instruction_following prompt row 0: missing column 'kwargs'"):
        check_rows("instruction_following", [{"prompt": "Sans virgule.", "instruction_id_list": ["x"]}])
    with pytest.raises(ValueError, match="no verifiable reward for domain 'poetry'"):
        check_rows("poetry", [{"prompt": "?"}])
    with pytest.raises(ValueError, match="generations_per_prompt must be >= 2"):
        GrpoSettings(generations_per_prompt=1)
