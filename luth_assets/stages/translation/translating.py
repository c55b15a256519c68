"""Translate seed prompts and regenerate answers: plain functions over Polars frames.

Each function builds one request per input row (keyed by the row's ``sample_id``), hands them to
``run`` (in the assets: :func:`~luth_assets.stages.translation.running.run_llm`), and splits the
answers into kept rows and rejected rows with a reason. Every input row ends in exactly one of
the two frames.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import polars as pl

from luth_assets.lib.llm import GenerationParams, LLMRequest, LLMResult, RunOutput
from luth_assets.stages.translation.prompt_sets import OURS, PromptSet
from luth_assets.stages.translation.seeds import MESSAGES
from luth_train.sample_ids import make_sample_id

TRANSLATE_STAGE = "translated_prompts"
REGENERATE_STAGE = "regenerated_responses"

Runner = Callable[[Sequence[LLMRequest], str], RunOutput]

TRANSLATED_SCHEMA = {
    "sample_id": pl.String, "seed_sample_id": pl.String, "source": pl.String,
    "source_row_id": pl.String, "seed_prompt": pl.String, "prompt": pl.String,
    "language": pl.String, "provider": pl.String, "model": pl.String,
    "input_tokens": pl.Int64, "output_tokens": pl.Int64, "cache_hit": pl.Boolean,
}
TRANSLATED_REJECTS_SCHEMA = {
    "sample_id": pl.String, "seed_sample_id": pl.String, "source": pl.String,
    "source_row_id": pl.String, "seed_prompt": pl.String, "reason": pl.String,
    "error": pl.String, "raw_text": pl.String, "provider": pl.String, "model": pl.String,
}
REGENERATED_SCHEMA = {
    "sample_id": pl.String, "seed_sample_id": pl.String, "source": pl.String,
    "source_row_id": pl.String, "messages": MESSAGES, "language": pl.String,
    "provider": pl.String, "model": pl.String, "input_tokens": pl.Int64,
    "output_tokens": pl.Int64, "cache_hit": pl.Boolean,
}
REGENERATED_REJECTS_SCHEMA = {
    "sample_id": pl.String, "seed_sample_id": pl.String, "source": pl.String,
    "source_row_id": pl.String, "prompt": pl.String, "reason": pl.String, "error": pl.String,
    "provider": pl.String, "model": pl.String,
}


@dataclass
class StageOutput:
    kept: pl.DataFrame
    rejected: pl.DataFrame
    runs: list[RunOutput]


def translated_sample_id(seed_sample_id: str, target: str) -> str:
    """Id of the translation of an English seed row (stable: derived from the seed's id)."""
    return make_sample_id(f"translated-{target}", seed_sample_id)


def _failure(result: LLMResult) -> tuple[str | None, str | None]:
    """(reason, error) of a rejected call, or of an ok call whose text is empty."""
    if result.status == "rejected":
        return result.reason, result.error
    if not (result.text or "").strip():
        return "empty_output", "the answer is empty"
    return None, None


def translate_seeds(seeds: pl.DataFrame, run: Runner, *, target: str, source_language: str = "en",
                    params: GenerationParams | None = None,
                    max_prompt_chars: int = 12000, prompts: PromptSet = OURS) -> StageOutput:
    """Seed rows (sample_id, source, source_row_id, prompt, problem) -> translated prompts."""
    params = params or GenerationParams()
    seeds = seeds.with_columns(
        pl.col("sample_id").map_elements(lambda s: translated_sample_id(s, target),
                                         return_dtype=pl.String).alias("new_id"))
    rejected: list[dict] = []
    requests: list[LLMRequest] = []
    rows = seeds.select("new_id", "sample_id", "source", "source_row_id", "prompt",
                        "problem").to_dicts()
    callable_rows = []
    for row in rows:
        base = {"sample_id": row["new_id"], "seed_sample_id": row["sample_id"],
                "source": row["source"], "source_row_id": row["source_row_id"],
                "seed_prompt": row["prompt"]}
        if row["problem"] is not None:
            rejected.append({**base, "reason": row["problem"],
                             "error": "the seed row has no usable prompt"})
        elif len(row["prompt"]) > max_prompt_chars:
            rejected.append({**base, "reason": "prompt_too_long",
                             "error": f"{len(row['prompt'])} characters > {max_prompt_chars}"})
        else:
            callable_rows.append(base)
            requests.append(LLMRequest(
                sample_id=row["new_id"], stage=TRANSLATE_STAGE, params=params,
                messages=prompts.translate(row["prompt"], target=target,
                                           source=source_language)))
    out = run(requests, TRANSLATE_STAGE)
    by_id = out.by_id()
    kept: list[dict] = []
    for base in callable_rows:
        result = by_id[base["sample_id"]]
        call = {"provider": result.provider, "model": result.model}
        reason, error = _failure(result)
        if reason is not None:
            rejected.append({**base, **call, "reason": reason, "error": error,
                             "raw_text": result.raw_text})
            continue
        kept.append({**base, **call, "prompt": result.text.strip(), "language": target,
                     "input_tokens": result.input_tokens, "output_tokens": result.output_tokens,
                     "cache_hit": result.cache_hit})
    return StageOutput(
        kept=pl.DataFrame(kept, schema=TRANSLATED_SCHEMA),
        rejected=pl.DataFrame(rejected, schema=TRANSLATED_REJECTS_SCHEMA),
        runs=[out])


def regenerate_answers(translated: pl.DataFrame, run: Runner, *, target: str,
                       params: GenerationParams | None = None,
                       prompts: PromptSet = OURS) -> StageOutput:
    """Translated prompts -> chat rows whose assistant turn is a fresh answer in `target`."""
    params = params or GenerationParams()
    rows = translated.select("sample_id", "seed_sample_id", "source", "source_row_id",
                             "prompt").to_dicts()
    requests = [LLMRequest(sample_id=r["sample_id"], stage=REGENERATE_STAGE, params=params,
                           messages=prompts.regenerate(r["prompt"], target=target))
                for r in rows]
    out = run(requests, REGENERATE_STAGE)
    by_id = out.by_id()
    kept: list[dict] = []
    rejected: list[dict] = []
    for row in rows:
        result = by_id[row["sample_id"]]
        call = {"provider": result.provider, "model": result.model}
        reason, error = _failure(result)
        if reason is not None:
            rejected.append({**row, **call, "reason": reason, "error": error})
            continue
        messages = [{"role": "user", "content": row["prompt"]},
                    {"role": "assistant", "content": result.text.strip()}]
        kept.append({k: v for k, v in row.items() if k != "prompt"} | call | {
            "messages": messages, "language": target, "input_tokens": result.input_tokens,
            "output_tokens": result.output_tokens, "cache_hit": result.cache_hit})
    return StageOutput(
        kept=pl.DataFrame(kept, schema=REGENERATED_SCHEMA),
        rejected=pl.DataFrame(rejected, schema=REGENERATED_REJECTS_SCHEMA),
        runs=[out])
