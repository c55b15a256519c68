"""Translation stage assets: english_seed_prompts, translated_prompts, regenerated_responses,
judged_samples (quality + cleaning judges over gathered and translated rows), and llm_calls
(the accounting of every LLM run)."""

from collections import Counter

import dagster as dg
import polars as pl

from luth_assets.lib.lake import StagedTable, file_sha256, is_local
from luth_assets.lib.metadata import markdown_counts
from luth_assets.resources import LakeResource
from luth_assets.stages import keys
from luth_assets.stages.sources.definitions import slices_key
from luth_assets.stages.sources.reading import resolve_files
from luth_assets.stages.translation.accounting import (
    read_llm_calls,
    record_llm_calls,
    summary_metadata,
    totals_by_stage,
)
from luth_assets.stages.translation.checks import ids, reconcile
from luth_assets.stages.translation.judging import candidates, judge_candidates
from luth_assets.stages.translation.running import run_llm
from luth_assets.stages.translation.seeds import SeedStats, write_seed_table
from luth_assets.stages.translation.translating import (
    StageOutput,
    regenerate_answers,
    translate_seeds,
)

GROUP = "translation"
SEEDS_KEY = dg.AssetKey(["bronze", "english_seed_prompts"])
TRANSLATED_KEY = dg.AssetKey(["silver", "translated_prompts"])
TRANSLATED_REJECTS_KEY = dg.AssetKey(["silver", "translated_prompts_rejects"])
REGENERATED_KEY = dg.AssetKey(["silver", "regenerated_responses"])
REGENERATED_REJECTS_KEY = dg.AssetKey(["silver", "regenerated_responses_rejects"])
JUDGED_KEY = keys.JUDGED_SAMPLES
JUDGED_REJECTS_KEY = dg.AssetKey(["silver", "judged_samples_rejects"])
LLM_CALLS_KEY = dg.AssetKey(["ops", "llm_calls"])



def _llm_runner(context: dg.AssetExecutionContext, lake: LakeResource, llm, asset: str):
    """`run(requests, stage)` for the plain functions: calls, logs progress, records accounting."""
    metadata: dict = {}

    def run(requests, stage):
        out = run_llm(llm, lake.root, requests, stage=stage, log=context.log.info)
        record_llm_calls(lake.path, out.summary, asset=asset, run_id=context.run_id)
        metadata.update(summary_metadata(out.summary, prefix=stage))
        return out

    return run, metadata


def _outputs(result: StageOutput, input_rows: int, llm_metadata: dict, extra: dict | None = None):
    reasons = dict(Counter(result.rejected["reason"].to_list()))
    kept = result.kept.height
    yield dg.Output(result.kept, output_name="kept", metadata={
        "input_rows": input_rows, "kept_rows": kept,
        "kept_share": round(kept / max(1, input_rows), 4), **llm_metadata, **(extra or {})})
    yield dg.Output(result.rejected, output_name="rejected", metadata={
        "rejected_rows": result.rejected.height,
        "reasons": dg.MetadataValue.md(markdown_counts(reasons, "reason")),
        "reasons_json": dg.MetadataValue.json(reasons)})


def _check_result(counts: dict) -> dg.AssetCheckResult:
    passed = bool(counts.pop("passed"))
    return dg.AssetCheckResult(passed=passed, metadata=counts)


def build_defs(ctx) -> dg.Definitions:
    config = ctx.config
    tcfg = config.translation
    target = config.target_language
    assets: list = []
    checks: list = []
    llm_assets: list[dg.AssetKey] = []
    has_seeds = bool(tcfg.sources)
    has_gathered = bool(config.sources)
    if not has_seeds and not has_gathered:
        return dg.Definitions()
    seeds_in = {"seeds": dg.AssetIn(key=SEEDS_KEY, metadata={"allow_missing_partitions": True})}

    if has_seeds:
        partitions = dg.StaticPartitionsDefinition(sorted(tcfg.sources))

        @dg.asset(
            key=SEEDS_KEY, group_name=GROUP, partitions_def=partitions, code_version="1",
            description="English seed prompts of one source (field mappings as in the sources "
            "stage); `prompt` is the first user turn, `problem` flags an unusable row.",
            metadata={"partition_expr": "source"},
        )
        def english_seed_prompts(context: dg.AssetExecutionContext,
                                 lake: LakeResource) -> StagedTable:
            name = context.partition_key
            source = tcfg.sources[name]
            files = resolve_files(source.uri)

            def progress(stats: SeedStats) -> None:
                context.log.info(f"{name}: {stats.rows} seed rows")

            staged = lake.staging_file(f"english_seed_prompts-{name}")
            stats = write_seed_table(name, source, staged, limit=tcfg.limit, progress=progress)
            context.add_output_metadata({
                "source_uri": source.uri, "rows": stats.rows, "problem_rows": stats.problems,
                "limit": tcfg.limit if tcfg.limit is not None else "none",
                "input_files_sha256": dg.MetadataValue.json(
                    {f: file_sha256(f) for f in files if is_local(f)}),
            })
            return StagedTable(staged, stats.rows)

        @dg.multi_asset(
            name="translated_prompts", group_name=GROUP,
            outs={
                "kept": dg.AssetOut(key=TRANSLATED_KEY, code_version="1", description=(
                    f"Seed prompts translated into '{target}'; `sample_id` derives from the "
                    "seed's, kept as `seed_sample_id`; provider, model and tokens per row.")),
                "rejected": dg.AssetOut(key=TRANSLATED_REJECTS_KEY, code_version="1",
                                        description="Seed rows not translated, with the reason."),
            },
            ins=seeds_in,
        )
        def translated_prompts(context: dg.AssetExecutionContext, lake: LakeResource,
                               seeds: dict[str, pl.LazyFrame]):
            missing = sorted(set(tcfg.sources) - set(seeds))
            if missing:
                context.log.warning(f"seed sources not materialised, left out: {missing}")
            if not seeds:
                raise RuntimeError("no partition of bronze/english_seed_prompts is materialised "
                                   f"(sources: {sorted(tcfg.sources)}); materialise it first")
            frame = pl.concat([f.collect() for f in seeds.values()], how="diagonal_relaxed")
            run, llm_meta = _llm_runner(context, lake, config.llm, "silver/translated_prompts")
            result = translate_seeds(frame, run, target=target,
                                     source_language=tcfg.source_language,
                                     params=tcfg.translate,
                                     max_prompt_chars=tcfg.max_prompt_chars)
            context.log.info(f"translated_prompts: kept {result.kept.height}, rejected "
                             f"{result.rejected.height} of {frame.height}")
            yield from _outputs(result, frame.height, llm_meta,
                                {"seed_sources_missing": dg.MetadataValue.json(missing)})

        @dg.asset_check(
            asset=TRANSLATED_KEY, blocking=True,
            additional_ins={"rejected": dg.AssetIn(key=TRANSLATED_REJECTS_KEY), **seeds_in},
            description="seed rows = translated + rejected; every seed row exactly once")
        def translated_reconcile(kept: pl.LazyFrame, rejected: pl.LazyFrame,
                                 seeds: dict[str, pl.LazyFrame]) -> dg.AssetCheckResult:
            seed_ids = pl.concat([ids(f) for f in seeds.values()])
            return _check_result(reconcile(seed_ids, ids(kept, "seed_sample_id"),
                                           ids(rejected, "seed_sample_id")))

        @dg.multi_asset(
            name="regenerated_responses", group_name=GROUP,
            outs={
                "kept": dg.AssetOut(key=REGENERATED_KEY, code_version="1", description=(
                    f"A fresh answer in '{target}' to each translated prompt (the answers are "
                    "regenerated, not translated): `messages` = user + assistant.")),
                "rejected": dg.AssetOut(key=REGENERATED_REJECTS_KEY, code_version="1",
                                        description="Prompts left unanswered, with the reason."),
            },
            ins={"translated": dg.AssetIn(key=TRANSLATED_KEY)},
        )
        def regenerated_responses(context: dg.AssetExecutionContext, lake: LakeResource,
                                  translated: pl.DataFrame):
            run, llm_meta = _llm_runner(context, lake, config.llm,
                                        "silver/regenerated_responses")
            result = regenerate_answers(translated, run, target=target, params=tcfg.regenerate)
            context.log.info(f"regenerated_responses: kept {result.kept.height}, rejected "
                             f"{result.rejected.height} of {translated.height}")
            yield from _outputs(result, translated.height, llm_meta)

        @dg.asset_check(
            asset=REGENERATED_KEY, blocking=True,
            additional_ins={"rejected": dg.AssetIn(key=REGENERATED_REJECTS_KEY),
                            "translated": dg.AssetIn(key=TRANSLATED_KEY)},
            description="translated prompts = answered + rejected; every prompt exactly once")
        def regenerated_reconcile(kept: pl.LazyFrame, rejected: pl.LazyFrame,
                                  translated: pl.LazyFrame) -> dg.AssetCheckResult:
            return _check_result(reconcile(ids(translated), ids(kept), ids(rejected)))

        assets += [english_seed_prompts, translated_prompts, regenerated_responses]
        checks += [translated_reconcile, regenerated_reconcile]
        llm_assets += [TRANSLATED_KEY, REGENERATED_KEY]

    judge_ins: dict[str, dg.AssetIn] = {}
    if has_gathered:
        judge_ins["gathered"] = dg.AssetIn(key=slices_key(target))
    if has_seeds:
        judge_ins["translated"] = dg.AssetIn(key=REGENERATED_KEY)
    subsets = [name for name in ("gathered", "translated") if name in judge_ins]

    def judge(context: dg.AssetExecutionContext, lake: LakeResource,
              gathered: pl.LazyFrame | None, translated: pl.LazyFrame | None):
        cands = candidates(gathered, translated)
        by_subset = dict(Counter(cands["subset"].to_list()))
        context.log.info(f"judging {cands.height} candidates: {by_subset}")
        run, llm_meta = _llm_runner(context, lake, config.llm, "silver/judged_samples")
        result = judge_candidates(cands, run, target=target, params=tcfg.judge)
        by_judge = dict(Counter(result.rejected["judge"].to_list()))
        context.log.info(f"judged_samples: kept {result.kept.height}, rejected "
                         f"{result.rejected.height} of {cands.height} ({by_judge})")
        yield from _outputs(result, cands.height, llm_meta, {
            "candidates_by_subset": dg.MetadataValue.json(by_subset),
            "rejected_by_judge": dg.MetadataValue.json(by_judge)})

    def judge_check(kept: pl.LazyFrame, rejected: pl.LazyFrame,
                    *inputs: pl.LazyFrame) -> dg.AssetCheckResult:
        cand_ids = pl.concat([ids(frame) for frame in inputs])
        return _check_result(reconcile(cand_ids, ids(kept), ids(rejected)))

    # Dagster maps inputs to named parameters: one signature per combination of subsets
    if has_gathered and has_seeds:
        def judged_samples(context: dg.AssetExecutionContext, lake: LakeResource,
                           gathered: pl.LazyFrame, translated: pl.LazyFrame):
            yield from judge(context, lake, gathered, translated)

        def judged_reconcile(kept: pl.LazyFrame, rejected: pl.LazyFrame, gathered: pl.LazyFrame,
                             translated: pl.LazyFrame) -> dg.AssetCheckResult:
            return judge_check(kept, rejected, gathered, translated)
    elif has_gathered:
        def judged_samples(context: dg.AssetExecutionContext, lake: LakeResource,
                           gathered: pl.LazyFrame):
            yield from judge(context, lake, gathered, None)

        def judged_reconcile(kept: pl.LazyFrame, rejected: pl.LazyFrame,
                             gathered: pl.LazyFrame) -> dg.AssetCheckResult:
            return judge_check(kept, rejected, gathered)
    else:
        def judged_samples(context: dg.AssetExecutionContext, lake: LakeResource,
                           translated: pl.LazyFrame):
            yield from judge(context, lake, None, translated)

        def judged_reconcile(kept: pl.LazyFrame, rejected: pl.LazyFrame,
                             translated: pl.LazyFrame) -> dg.AssetCheckResult:
            return judge_check(kept, rejected, translated)

    judged_assets = dg.multi_asset(
        name="judged_samples", group_name=GROUP,
        outs={
            "kept": dg.AssetOut(key=JUDGED_KEY, code_version="1", description=(
                f"Candidate rows ({', '.join(subsets)}) kept by both judges: quality (no code, "
                "tool calling, logical or grammar error) and cleaning (all in the target "
                "language, complete, coherent, an instruction); their reasons per row.")),
            "rejected": dg.AssetOut(key=JUDGED_REJECTS_KEY, code_version="1", description=(
                "Candidates a judge rejected: `judge`, `reason` (the issue or the failed "
                "call's reason) and `judge_reason` (the judge's explanation).")),
        },
        ins=judge_ins,
    )(judged_samples)
    judged_check = dg.asset_check(
        asset=JUDGED_KEY, blocking=True, name="judged_reconcile",
        additional_ins={"rejected": dg.AssetIn(key=JUDGED_REJECTS_KEY), **judge_ins},
        description="candidates (gathered + translated) = kept + rejected; each exactly once",
    )(judged_reconcile)

    llm_assets.append(JUDGED_KEY)

    @dg.asset(
        key=LLM_CALLS_KEY, group_name=GROUP, deps=llm_assets,
        description="One row per LLM run of an asset materialisation (stage, asset, run_id, "
        "requests, cache hits, retries, failures by reason, tokens, estimated cost, wall time). "
        "Append-only files under <lake>/ops/llm_calls/ written by each LLM asset; this asset "
        "summarises them. Never holds a key.",
    )
    def llm_calls(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
        calls = read_llm_calls(lake.path)
        totals = totals_by_stage(calls)
        context.log.info(f"ops/llm_calls: {calls.height} recorded runs")
        return dg.MaterializeResult(metadata={
            "dagster/row_count": calls.height,
            "requests": int(calls["requests"].sum() or 0),
            "cache_hits": int(calls["cache_hits"].sum() or 0),
            "estimated_cost_usd": round(float(calls["estimated_cost_usd"].sum() or 0.0), 6),
            "by_stage": dg.MetadataValue.md(_frame_markdown(totals)),
        })

    assets += [judged_assets, llm_calls]
    checks += [judged_check]
    return dg.Definitions(assets=assets, asset_checks=checks)


def _frame_markdown(frame: pl.DataFrame) -> str:
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.rows()]
    return "\n".join(lines)
