"""On-policy distillation of the specialists back into the SFT model, one teacher per domain.

Each prompt row names its `domain`; its teacher is that domain's specialist. TRL's
`DistillationTrainer` (one teacher per trainer) trains the student on its own samples to match
the teacher's next-token distribution; the routing is ours: the student goes through the domains
in rounds, each round a few steps on every domain's prompts with that domain's teacher, each pass
starting from the student the previous pass wrote. A plain function, so the future
`models/distilled` asset is wiring around it. TRL is the `rl` extra (`pip install -e .[rl]`).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from luth_train.rl import _trl


@dataclass(frozen=True)
class DistillSettings:
    rounds: int = 1
    steps_per_domain: int = 10  # optimizer steps of one domain's pass in a round
    prompts_per_step: int = 8
    max_completion_tokens: int = 256
    learning_rate: float = 1e-6
    divergence_beta: float = 1.0  # TRL's generalized JSD: 0 forward KL, 1 reverse KL, 0.5 JSD
    temperature: float = 1.0
    seed: int = 0
    use_cpu: bool = True

    def __post_init__(self) -> None:
        if self.rounds < 1 or self.steps_per_domain < 1 or self.prompts_per_step < 1:
            raise ValueError("rounds, steps_per_domain and prompts_per_step must be >= 1")


@dataclass
class DistillRun:
    model_dir: Path
    losses: dict[str, list[float]] = field(default_factory=dict)  # domain -> loss per step, in order


def route(rows: Sequence[dict], teachers: Mapping[str, str | Path]) -> dict[str, list[dict]]:
    """domain -> its prompt rows; a row without a prompt, or whose domain has no teacher, is an
    error naming the row."""
    routed: dict[str, list[dict]] = {domain: [] for domain in teachers}
    for i, row in enumerate(rows):
        domain = row.get("domain")
        if domain not in teachers:
            raise ValueError(f"prompt row {i}: domain {domain!r} has no teacher "
                             f"(teachers: {', '.join(teachers) or 'none'})")
        if row.get("prompt") is None:
            raise ValueError(f"prompt row {i}: missing column 'prompt'")
        routed[domain].append({"prompt": row["prompt"]})
    empty = [d for d, r in routed.items() if not r]
    if empty:
        raise ValueError(f"no prompt row for the teachers of {', '.join(empty)}")
    return routed


def distill_specialists(
    student: str | Path,
    teachers: Mapping[str, str | Path],
    rows: Sequence[dict],
    out_dir: str | Path,
    settings: DistillSettings | None = None,
    log: Callable[[str], None] | None = None,
) -> DistillRun:
    """Distill every domain's teacher into `student` on-policy; the result is saved to `out_dir`."""
    settings = settings or DistillSettings()
    routed = route(rows, teachers)
    trl = _trl()
    from datasets import Dataset

    out = Path(out_dir)
    work = out.parent / f".{out.name}-passes"
    current, run = str(student), DistillRun(out)
    for round_index in range(settings.rounds):
        for domain, domain_rows in routed.items():
            target = work / f"round{round_index}-{domain}"
            config = trl.DistillationConfig(
                output_dir=str(target / "trainer"),
                per_device_train_batch_size=settings.prompts_per_step,
                max_completion_length=settings.max_completion_tokens,
                max_steps=settings.steps_per_domain,
                learning_rate=settings.learning_rate,
                beta=settings.divergence_beta,
                temperature=settings.temperature,
                seed=settings.seed + round_index,
                use_cpu=settings.use_cpu,
                bf16=not settings.use_cpu,
                logging_steps=1,
                save_strategy="no",
                report_to=[],
                disable_tqdm=True,
            )
            trainer = trl.DistillationTrainer(model=current, teacher_model=str(teachers[domain]), args=config,
                                              train_dataset=Dataset.from_list(domain_rows))
            trainer.train()
            trainer.save_model(str(target))
            losses = [float(h["loss"]) for h in trainer.state.log_history if "loss" in h]
            run.losses.setdefault(domain, []).extend(losses)
            if log:
                log(f"round {round_index} {domain}: loss {losses[0]:.4f} -> {losses[-1]:.4f}")
            current = str(target)
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(current, out, ignore=shutil.ignore_patterns("trainer"))
    shutil.rmtree(work, ignore_errors=True)
    return run
