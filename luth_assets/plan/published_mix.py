"""`luth plan`, the published-dataset side: a run that trains on `training.sft_dataset` (the
authors' Luth-SFT) generates nothing, so its data side is one line: the dataset's rows and tokens.

An `hf://` dataset is never opened: `expected_rows` (and `expected_tokens`, else the plan's assumed
tokens per row) stand in. A local copy in the hub layout is read and counted, its tokens measured
on the first `plan.sample_rows` rows.
"""

from __future__ import annotations

from luth_assets.plan.counting import TokenCounter, mean
from luth_assets.plan.llm_steps import StepPlan
from luth_assets.run_config import RunConfig
from luth_train.sft_dataset import is_hub, read_sft_dataset


def plan_published_mix(config: RunConfig, count: TokenCounter) -> tuple[StepPlan, int, float]:
    """(the plan's line, rows, tokens) of the published dataset training reads."""
    data = config.training.sft_dataset
    assert data is not None
    if is_hub(data.uri):
        rows = int(data.expected_rows or 0)
        if data.expected_tokens:
            tokens, how = float(data.expected_tokens), "expected_rows, expected_tokens (hub)"
        else:
            per_row = config.plan.assumed_prompt_tokens + config.plan.assumed_answer_tokens
            tokens, how = float(rows * per_row), "expected_rows (hub); assumed tokens per row"
        note = "" if rows else "set training.sft_dataset.expected_rows to count it"
    else:
        frame = read_sft_dataset(data.uri, name=data.name, messages=data.messages,
                                 validation_share=data.validation_share)
        rows = frame.height
        sample = [m or [] for m in frame["messages"].head(config.plan.sample_rows).to_list()]
        per_row = mean([sum(count(t["content"] or "") for t in turns) for turns in sample])
        tokens, how, note = rows * per_row, f"counted; tokens ({count.method}) on {len(sample)} rows", ""
    line = StepPlan("training", "published_sft_mix", rows, rows, how,
                    note=(note + "; " if note else "") + f"{data.uri}: no generation, no curation")
    return line, rows, tokens
