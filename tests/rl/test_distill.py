"""On-policy distillation of specialists into a student, one teacher per domain (TRL's
DistillationTrainer, our routing): on tiny models the student's divergence to the math specialist
falls and the student learns its answers; rows are routed by their domain (a domain without a
teacher is an error naming the row)."""

from __future__ import annotations

import pytest

from luth_train.distill import DistillSettings, distill_specialists, route
from luth_train.rewards import math_reward
from luth_train.rl import GrpoSettings, train_specialist

TEXTS = ["Combien font 3 + 4 ? La réponse est 7.", "Combien font 2 + 5 ? 7", "1 2 3 4 5 6 7 8 9"] * 8
MATH = [{"prompt": [{"role": "user", "content": f"Combien font {i} + {7 - i} ?"}], "answer": "7"}
        for i in range(1, 7)] * 4


def _math_score(model_dir) -> float:
    """Mean math reward of the model's greedy answers to the toy prompts."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir)
    scores = []
    for row in MATH[:6]:
        text = tok.apply_chat_template(row["prompt"], tokenize=False, add_generation_prompt=True)
        ids = tok(text, return_tensors="pt", add_special_tokens=False)
        out = model.generate(**ids, max_new_tokens=4, do_sample=False, pad_token_id=tok.pad_token_id)
        answer = tok.decode(out[0, ids["input_ids"].shape[1]:], skip_special_tokens=True)
        scores.append(math_reward(answer, "7"))
    return sum(scores) / len(scores)


def test_the_student_learns_the_math_specialists_answers(tmp_path):
    pytest.importorskip("trl", reason="TRL is the rl extra (pip install -e .[rl])")
    import torch

    from luth_train.tiny_model import build_tiny_model

    torch.set_num_threads(1)
    base = build_tiny_model(tmp_path / "base", TEXTS, vocab_size=300)
    math = train_specialist(base, "math", MATH, tmp_path / "math",
                            GrpoSettings(steps=12, generations_per_prompt=8, max_completion_tokens=4,
                                         learning_rate=2e-2, seed=0))
    teachers = {"math": math.model_dir}
    rows = [{"domain": "math", "prompt": r["prompt"]} for r in MATH]
    settings = DistillSettings(rounds=1, steps_per_domain=10, prompts_per_step=8, max_completion_tokens=4,
                               learning_rate=2e-2, seed=0)
    run = distill_specialists(base, teachers, rows, tmp_path / "distilled", settings)
    assert set(run.losses) == {"math"}
    math_loss = run.losses["math"]
    print(f"math distillation loss {math_loss[0]:.3f} -> {math_loss[-1]:.3f}")
    assert math_loss[-1] < math_loss[0] / 2
    before, teacher, after = _math_score(base), _math_score(math.model_dir), _math_score(run.model_dir)
    print(f"greedy math reward: base {before:.2f}, teacher {teacher:.2f}, distilled student {after:.2f}")
    assert after > before
    assert not (tmp_path / ".distilled-passes").exists()


def test_rows_are_routed_by_domain():
    routed = route([{"domain": "math", "prompt": "1+1?"}, {"domain": "code", "prompt": "def f"}],
                   {"math": "m", "code": "c"})
    assert routed == {"math": [{"prompt": "1+1?"}], "code": [{"prompt": "def f"}]}
    with pytest.raises(ValueError, match=r"prompt row 1: domain 'poetry' has no teacher"):
        route([{"domain": "math", "prompt": "1+1?"}, {"domain": "poetry", "prompt": "?"}], {"math": "m"})
    with pytest.raises(ValueError, match="no prompt row for the teachers of code"):
        route([{"domain": "math", "prompt": "1+1?"}], {"math": "m", "code": "c"})
