"""Translation stage assets: English seed prompts (partition per seed source), their translation,
regenerated answers, and the two judges over gathered and translated rows.

Every asset is a factory: `english_seed_prompts`' partitions are the configured seed sources;
`translation.shards: N` splits translated_prompts, regenerated_responses and judged_samples into N
partitions (`<i>of<N>`, rows by the shard of their input's id: `luth_assets/lib/shards.py`), and
`judged_samples` reads the subsets the configuration has (the sources stage's target-language
slice and/or the regenerated answers).
"""

from collections import Counter

import dagster as dg
import polars as pl

from luth_assets.executors import LLM_POOL
from luth_assets.lib.expected_rows import compare_expected
from luth_assets.lib.filter_node import Filtered, filter_node
from luth_assets.lib.lake import StagedTable, input_file_hashes
from luth_assets.lib.llm.runtime import AssetLLMRunner
from luth_assets.lib.reconcile import ids
from luth_assets.lib.shards import row_shard_keys, rows_of_shard
from luth_assets.lib.source_reading import resolve_files
from luth_assets.resources import LakeResource, LLMResource
from luth_assets.run_config import RunConfig
from luth_assets.stages import keys
from luth_assets.stages.translation.judging import candidates, judge_candidates
from luth_assets.stages.translation.prompt_sets import prompt_set
from luth_assets.stages.translation.seeds import SeedStats, write_seed_table
from luth_assets.stages.translation.translating import StageOutput, regenerate_answers, translate_seeds

GROUP = "translation"
SEEDS_KEY = keys.ENGLISH_SEED_PROMPTS
TRANSLATED_KEY = keys.TRANSLATED_PROMPTS
TRANSLATED_REJECTS_KEY = dg.AssetKey(["silver", "translated_prompts_rejects"])
REGENERATED_KEY = keys.REGENERATED_RESPONSES
REGENERATED_REJECTS_KEY = dg.AssetKey(["silver", "regenerated_responses_rejects"])
JUDGED_KEY = keys.JUDGED_SAMPLES
JUDGED_REJECTS_KEY = dg.AssetKey(["silver", "judged_samples_rejects"])


def _filtered(result: StageOutput, input_ids: pl.LazyFrame, run: AssetLLMRunner,
              extra: dict | None = None) -> Filtered:
    # over llm.max_error_rate the tables are written, then the asset fails (run.failure)
    return Filtered(kept=result.kept, rejected=result.rejected, input_ids=input_ids,
                    kept_metadata={**run.metadata, **(extra or {})}, failure=run.failure)


def shard_partitions(shards: int) -> dg.StaticPartitionsDefinition | None:
    """The LLM stages' partitions: one per shard, none when the stage is not sharded."""
    return dg.StaticPartitionsDefinition(row_shard_keys(shards)) if shards > 1 else None


def shard_key(context: dg.AssetExecutionContext) -> str | None:
    return context.partition_key if context.has_partition_key else None


def english_seed_prompts_asset(seed_sources: list[str]) -> dg.AssetsDefinition:
    @dg.asset(
        key=SEEDS_KEY, group_name=GROUP,
        partitions_def=dg.StaticPartitionsDefinition(sorted(seed_sources)), code_version="1",
        description="English seed prompts of one source (field mappings as in the sources "
        "stage); `prompt` is the first user turn, `problem` flags an unusable row.",
        metadata={"partition_expr": "source"},
    )
    def english_seed_prompts(context: dg.AssetExecutionContext, lake: LakeResource,
                             run_config: dg.ResourceParam[RunConfig]) -> StagedTable:
        tcfg = run_config.translation
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
            "input_files_sha256": dg.MetadataValue.json(input_file_hashes(files)),
        })
        return StagedTable(staged, stats.rows)

    return english_seed_prompts


def translated_prompts_asset(shards: int) -> dg.AssetsDefinition:
    """Every seed row once: each shard translates the seeds of its shard (by seed sample_id)."""

    @filter_node(
        name="translated_prompts", group=GROUP, kept=TRANSLATED_KEY, rejected=TRANSLATED_REJECTS_KEY,
        check="translated_reconcile", id_column="seed_sample_id", pool=LLM_POOL,
        partitions_def=shard_partitions(shards),
        check_description="seed rows = translated + rejected; every seed row exactly once",
        kept_description="Seed prompts translated into the target language; `sample_id` derives "
        "from the seed's, kept as `seed_sample_id`; provider, model and tokens per row.",
        rejected_description="Seed rows not translated, with the reason.",
        ins={"seeds": dg.AssetIn(key=SEEDS_KEY, metadata={"allow_missing_partitions": True},
                                 partition_mapping=dg.AllPartitionMapping() if shards > 1 else None)},
    )
    def translated_prompts(context: dg.AssetExecutionContext, lake: LakeResource, llm: LLMResource,
                           run_config: dg.ResourceParam[RunConfig],
                           seeds: dict[str, pl.LazyFrame]) -> Filtered:
        tcfg = run_config.translation
        missing = sorted(set(tcfg.sources) - set(seeds))
        if missing:
            context.log.warning(f"seed sources not materialised, left out: {missing}")
        if not seeds:
            raise RuntimeError("no partition of bronze/english_seed_prompts is materialised "
                               f"(sources: {sorted(tcfg.sources)}); materialise it first")
        frame = pl.concat([f.collect() for f in seeds.values()], how="diagonal_relaxed")
        frame = rows_of_shard(frame, "sample_id", shard_key(context), tcfg.shards)
        run = llm.runner(context, run_config.llm, lake.root, TRANSLATED_KEY, defer_failure=True)
        result = translate_seeds(frame, run, target=run_config.target_language,
                                 source_language=tcfg.source_language, params=tcfg.translate,
                                 max_prompt_chars=tcfg.max_prompt_chars,
                                 prompts=prompt_set(tcfg.prompts, run_config.target_language))
        return _filtered(result, ids(frame), run,
                         {"seed_sources_missing": dg.MetadataValue.json(missing)})

    return translated_prompts


def regenerated_responses_asset(shards: int) -> dg.AssetsDefinition:
    """A fresh answer to each translated prompt; shard i answers translated shard i."""

    @filter_node(
        name="regenerated_responses", group=GROUP, kept=REGENERATED_KEY,
        rejected=REGENERATED_REJECTS_KEY, check="regenerated_reconcile", pool=LLM_POOL,
        partitions_def=shard_partitions(shards),
        check_description="translated prompts = answered + rejected; every prompt exactly once",
        kept_description="A fresh answer in the target language to each translated prompt (the "
        "answers are regenerated, not translated): `messages` = user + assistant.",
        rejected_description="Prompts left unanswered, with the reason.",
        ins={"translated": dg.AssetIn(key=TRANSLATED_KEY)},
    )
    def regenerated_responses(context: dg.AssetExecutionContext, lake: LakeResource,
                              llm: LLMResource, run_config: dg.ResourceParam[RunConfig],
                              translated: pl.DataFrame) -> Filtered:
        run = llm.runner(context, run_config.llm, lake.root, REGENERATED_KEY, defer_failure=True)
        tcfg = run_config.translation
        result = regenerate_answers(translated, run, target=run_config.target_language,
                                    params=tcfg.regenerate,
                                    prompts=prompt_set(tcfg.prompts, run_config.target_language))
        return _filtered(result, ids(translated), run)

    return regenerated_responses


def judged_samples_asset(subsets: dict[str, dg.AssetKey], shards: int = 1) -> dg.AssetsDefinition:
    """The judges over the configured subsets: `gathered` (the target-language slice) and/or
    `translated` (regenerated answers); each is a declared dependency read with `lake.read`.
    Sharded, shard i judges the gathered rows of its shard (by sample_id) and regenerated shard i
    (by seed_sample_id, the key translated_prompts split on)."""

    @filter_node(
        name="judged_samples", group=GROUP, kept=JUDGED_KEY, rejected=JUDGED_REJECTS_KEY,
        check="judged_reconcile", deps=list(subsets.values()), pool=LLM_POOL,
        partitions_def=shard_partitions(shards),
        check_description="candidates (gathered + translated) = kept + rejected; each exactly once",
        kept_description=f"Candidate rows ({', '.join(subsets)}) kept by both judges: quality (no "
        "code, tool calling, logical or grammar error) and cleaning (all in the target language, "
        "complete, coherent, an instruction); their reasons per row.",
        rejected_description="Candidates a judge rejected: `judge`, `reason` (the issue or the "
        "failed call's reason) and `judge_reason` (the judge's explanation).",
    )
    def judged_samples(context: dg.AssetExecutionContext, lake: LakeResource, llm: LLMResource,
                       run_config: dg.ResourceParam[RunConfig]) -> Filtered:
        shard_column = {"gathered": "sample_id", "translated": "seed_sample_id"}
        inputs = {name: rows_of_shard(lake.read(key), shard_column[name], shard_key(context),
                                      shards) for name, key in subsets.items()}
        cands = candidates(inputs.get("gathered"), inputs.get("translated"))
        by_subset = dict(Counter(cands["subset"].to_list()))
        context.log.info(f"judging {cands.height} candidates: {by_subset}")
        run = llm.runner(context, run_config.llm, lake.root, JUDGED_KEY, defer_failure=True)
        judges = run_config.translation.judges
        result = judge_candidates(cands, run, target=run_config.target_language,
                                  params=run_config.translation.judge,
                                  scopes={"quality": judges.quality, "cleaning": judges.cleaning},
                                  prompts=prompt_set(run_config.translation.prompts,
                                                     run_config.target_language))
        by_judge = dict(Counter(result.rejected["judge"].to_list()))
        expected = {name: src.expected_rows for name, src in
                    {**run_config.sources, **run_config.translation.sources}.items()}
        if shards > 1:  # a shard holds about 1/N of each source: compared on the whole table
            expected = {}
        report, warnings = compare_expected(dict(Counter(result.kept["source"].to_list())),
                                            expected)
        for line in warnings:
            context.log.warning(f"judged_samples: {line}")
        return _filtered(result, ids(cands), run, {
            "candidates_by_subset": dg.MetadataValue.json(by_subset),
            "rejected_by_judge": dg.MetadataValue.json(by_judge),
            "expected_rows": dg.MetadataValue.json(report),
            "expected_rows_warnings": dg.MetadataValue.json(warnings)})

    return judged_samples
