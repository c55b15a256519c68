"""`luth eval --dump-prompts`: what each benchmark asks, without a model.

One JSON row per item: benchmark, item_id, query (the user turn before the chat template),
instruction (the part lighteval 0.10 moves into the system turn when a system prompt is set),
choices (the protocol's targets), gold_index, generation_size (new tokens generated: the task's
size or `max_new_tokens` over it; null for log-likelihood tasks), metric (what scores the reply,
`variants.ProtocolChoices.metric`), and with a tokenizer `model_input`, the exact string the model
reads (chat template, system prompt, `enable_thinking`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from luth_train.evaluation.chat import model_input
from luth_train.evaluation.items import load_items
from luth_train.evaluation.registry import BenchmarkSpec
from luth_train.evaluation.variants import ProtocolChoices


def load_tokenizer(path: str):
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(path)
    except Exception as err:
        raise ValueError(f"cannot load tokenizer {path!r}: {type(err).__name__}: {str(err)[:300]}") from None


def dump_prompts(
    specs: Sequence[BenchmarkSpec],
    out: str | Path,
    *,
    limit: int | None = None,
    tokenizer=None,
    use_chat_template: bool = True,
    system_prompt: str | None = None,
    enable_thinking: bool = False,
    tokenizer_name: str = "the tokenizer",
    choices: ProtocolChoices | None = None,
) -> int:
    """Write the rows to `out` (JSONL); return how many. `choices` (default: the authors', with
    `enable_thinking`) set the GPQA order, the generation sizes and the metrics."""
    choices = choices or ProtocolChoices(enable_thinking=enable_thinking)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with out.open("w", encoding="utf-8") as fh:
        for spec in specs:
            for item in load_items(spec, limit, gpqa_order=choices.gpqa_order):
                row = {
                    "benchmark": spec.name,
                    "item_id": item["item_id"],
                    "query": item["query"],
                    "instruction": item["instruction"],
                    "choices": list(item["targets"]),
                    "gold_index": item["gold_index"],
                    "generation_size": choices.generation_size(spec.name),
                    "metric": choices.metric(spec.name),
                }
                if tokenizer is not None:
                    row["model_input"] = model_input(
                        tokenizer,
                        item["query"],
                        item["instruction"],
                        use_chat_template=use_chat_template,
                        system_prompt=system_prompt,
                        enable_thinking=enable_thinking,
                        model_name=tokenizer_name,
                    )
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += 1
    return n
