"""The two judges over candidate rows in the target language (plain functions over Polars).

Candidates come from two subsets: ``gathered`` (the target-language slice of the multilingual
sources) and ``translated`` (regenerated answers to translated prompts). The quality judge runs on
every candidate; the cleaning judge on the rows the quality judge kept (a row the first judge
drops costs no second call). A row is kept when both judges say ``keep``; otherwise it is
rejected with the judge that dropped it, the issue it named (the reject ``reason``) and the
judge's explanation. A judge call that fails (blocked, invalid output after repair, retries
exhausted, ...) rejects the row with the call's reason, and an answer the prompt set cannot read
(the authors' True/False judges answering neither) rejects it `unparsed_verdict`: nothing is lost
silently. The prompt set (`translation.prompts`: ours | authors) builds the requests and reads
the verdicts (prompt_sets.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from luth_assets.lib.llm import GenerationParams, LLMRequest
from luth_assets.stages.translation.prompt_sets import OURS, PromptSet
from luth_assets.stages.translation.seeds import MESSAGES
from luth_assets.stages.translation.settings import JudgeScope
from luth_assets.stages.translation.translating import Runner, StageOutput

QUALITY_STAGE = "quality_judge"
CLEANING_STAGE = "cleaning_judge"
JUDGE_STAGES = {"quality": QUALITY_STAGE, "cleaning": CLEANING_STAGE}

CANDIDATE_COLUMNS = ["sample_id", "subset", "source", "seed_sample_id", "messages"]
CANDIDATE_SCHEMA = {"sample_id": pl.String, "subset": pl.String, "source": pl.String,
                    "seed_sample_id": pl.String, "messages": MESSAGES}
JUDGED_SCHEMA = {**CANDIDATE_SCHEMA, "quality_reason": pl.String, "cleaning_reason": pl.String,
                 "provider": pl.String, "model": pl.String}
JUDGED_REJECTS_SCHEMA = {**CANDIDATE_SCHEMA, "reason": pl.String, "judge": pl.String,
                         "judge_reason": pl.String, "error": pl.String, "provider": pl.String,
                         "model": pl.String}


def candidates(gathered: pl.DataFrame | pl.LazyFrame | None,
               translated: pl.DataFrame | pl.LazyFrame | None) -> pl.DataFrame:
    """One frame of candidate rows with their subset (`gathered` | `translated`)."""
    parts = []
    if gathered is not None:
        parts.append(gathered.lazy().select(
            "sample_id", pl.lit("gathered").alias("subset"), "source",
            pl.lit(None, pl.String).alias("seed_sample_id"), "messages"))
    if translated is not None:
        parts.append(translated.lazy().select(
            "sample_id", pl.lit("translated").alias("subset"), "source", "seed_sample_id",
            "messages"))
    if not parts:
        return pl.DataFrame(schema=CANDIDATE_SCHEMA)
    return pl.concat([p.cast(CANDIDATE_SCHEMA) for p in parts]).collect()


def _judge(judge: str, rows: Sequence[dict], run: Runner, target: str,
           params: GenerationParams, prompts: PromptSet):
    stage, build = JUDGE_STAGES[judge], prompts.judges[judge]
    requests = [LLMRequest(sample_id=r["sample_id"], stage=stage,
                           response_schema=prompts.schemas[judge], params=params,
                           messages=build(r["messages"], target=target))
                for r in rows]
    return run(requests, stage)


def judge_candidates(cands: pl.DataFrame, run: Runner, *, target: str,
                     params: GenerationParams | None = None,
                     scopes: dict[str, JudgeScope] | None = None,
                     prompts: PromptSet = OURS) -> StageOutput:
    """Both judges over the candidates; `scopes` says which sources each judge reviews (a row
    outside a judge's scope passes it unreviewed, its `<judge>_reason` null)."""
    params = params or GenerationParams(temperature=0.0)
    scopes = scopes or {}
    rows = cands.select(CANDIDATE_COLUMNS).to_dicts()
    rejected: list[dict] = []
    runs = []
    reasons: dict[str, dict[str, str]] = {"quality": {}, "cleaning": {}}
    calls: dict[str, dict] = {r["sample_id"]: {"provider": None, "model": None} for r in rows}
    for judge in ("quality", "cleaning"):
        scope = scopes.get(judge) or JudgeScope()
        judged = [r for r in rows if scope.applies(r["source"])]
        passing = [r for r in rows if not scope.applies(r["source"])]
        if not judged:
            continue
        out = _judge(judge, judged, run, target, params, prompts)
        runs.append(out)
        by_id = out.by_id()
        survivors = list(passing)
        for row in judged:
            result = by_id[row["sample_id"]]
            call = {"provider": result.provider, "model": result.model}
            calls[row["sample_id"]] = call
            if result.status == "rejected":
                rejected.append({**row, **call, "reason": result.reason, "judge": judge,
                                 "judge_reason": result.raw_text, "error": result.error})
                continue
            verdict = prompts.verdict(judge, result)
            if verdict.decision != "keep":
                error = None if verdict.decision == "reject" else \
                    f"expected 'True' or 'False', got {result.text!r}"
                rejected.append({**row, **call, "reason": verdict.issue, "judge": judge,
                                 "judge_reason": verdict.reason, "error": error})
                continue
            reasons[judge][row["sample_id"]] = verdict.reason
            survivors.append(row)
        keep = {r["sample_id"] for r in survivors}
        rows = [r for r in rows if r["sample_id"] in keep]
    kept = [{**row, **calls[row["sample_id"]],
             "quality_reason": reasons["quality"].get(row["sample_id"]),
             "cleaning_reason": reasons["cleaning"].get(row["sample_id"])} for row in rows]
    return StageOutput(kept=pl.DataFrame(kept, schema=JUDGED_SCHEMA),
                       rejected=pl.DataFrame(rejected, schema=JUDGED_REJECTS_SCHEMA), runs=runs)
