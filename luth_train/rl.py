"""One reinforcement-learning specialist: TRL's GRPO trainer on a domain's prompts with that
domain's verifiable reward (`rewards.py`). A plain function, so the future `models/rl_specialists`
asset is wiring around it.

The rows are the prompt (`prompt`: a string, or a conversation `[{role, content}]`) and the
columns the domain's reward reads: `answer` (and optionally `language`) for math,
`instruction_id_list` and `kwargs` for instruction following, `tests` for code. Generation runs
with transformers on CPU, or vLLM on a GPU (`use_vllm`). TRL is the `rl` extra
(`pip install -e .[rl]`), imported on first use.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from luth_train.rewards import reward_for

REWARD_COLUMNS = {
    "math": ("answer",),
    "instruction_following": ("instruction_id_list", "kwargs"),
    "code": ("tests",),
}


@dataclass(frozen=True)
class GrpoSettings:
    steps: int = 10
    prompts_per_step: int = 1
    generations_per_prompt: int = 8  # GRPO's group: advantages are relative within it
    max_completion_tokens: int = 256
    learning_rate: float = 1e-6
    beta: float = 0.0  # KL coefficient against the starting model (0: no reference model)
    temperature: float = 1.0
    seed: int = 0
    use_vllm: bool = False
    use_cpu: bool = True

    def __post_init__(self) -> None:
        if self.generations_per_prompt < 2:
            raise ValueError("generations_per_prompt must be >= 2 (GRPO compares completions of a prompt)")
        if self.steps < 1 or self.prompts_per_step < 1:
            raise ValueError("steps and prompts_per_step must be >= 1")


@dataclass
class SpecialistRun:
    model_dir: Path
    domain: str
    rewards: list[float] = field(default_factory=list)  # mean reward of each step
    kl: list[float | None] = field(default_factory=list)  # KL to the reference per step (beta > 0)


def check_rows(domain: str, rows: Sequence[dict]) -> None:
    """Every row has a prompt and the columns the domain's reward reads; the error names the row."""
    if domain not in REWARD_COLUMNS:
        raise ValueError(f"no verifiable reward for domain {domain!r}; known: {', '.join(REWARD_COLUMNS)}")
    if not rows:
        raise ValueError(f"{domain}: no prompt rows")
    for i, row in enumerate(rows):
        for column in ("prompt", *REWARD_COLUMNS[domain]):
            if row.get(column) is None:
                raise ValueError(f"{domain} prompt row {i}: missing column {column!r} "
                                 f"(columns present: {sorted(row)})")


def _trl():
    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
    try:
        import trl
    except ImportError:
        raise RuntimeError("the RL specialists need TRL: pip install -e .[rl]") from None
    return trl


def train_specialist(
    model: str | Path,
    domain: str,
    rows: Sequence[dict],
    out_dir: str | Path,
    settings: GrpoSettings | None = None,
    log: Callable[[str], None] | None = None,
) -> SpecialistRun:
    """Train `model` with GRPO on `rows` under the domain's reward; save it to `out_dir`."""
    settings = settings or GrpoSettings()
    check_rows(domain, rows)
    trl = _trl()
    from datasets import Dataset

    out = Path(out_dir)
    config = trl.GRPOConfig(
        output_dir=str(out / "trainer"),
        per_device_train_batch_size=settings.prompts_per_step * settings.generations_per_prompt,
        num_generations=settings.generations_per_prompt,
        max_completion_length=settings.max_completion_tokens,
        max_steps=settings.steps,
        learning_rate=settings.learning_rate,
        beta=settings.beta,
        temperature=settings.temperature,
        seed=settings.seed,
        use_vllm=settings.use_vllm,
        use_cpu=settings.use_cpu,
        bf16=not settings.use_cpu,
        logging_steps=1,
        save_strategy="no",
        report_to=[],
        disable_tqdm=True,
    )
    trainer = trl.GRPOTrainer(
        model=str(model),
        reward_funcs=reward_for(domain),
        args=config,
        train_dataset=Dataset.from_list([dict(r) for r in rows]),
    )
    trainer.train()
    trainer.save_model(str(out))
    history = [h for h in trainer.state.log_history if "reward" in h]
    run = SpecialistRun(out, domain, [float(h["reward"]) for h in history],
                        [float(h["kl"]) if "kl" in h else None for h in history])
    if log:
        log(f"{domain}: {len(history)} steps, reward {run.rewards[0]:.3f} -> {run.rewards[-1]:.3f}")
    return run
