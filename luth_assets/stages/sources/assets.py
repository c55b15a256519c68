"""Sources stage assets: `bronze/raw_multilingual` (partition per source) and the target-language
slice (`silver/french_slices` for fr) with its rejects.

Both are factories: the partitions are the configured sources and the slice's key is named after
the target language.
"""

import dagster as dg
import polars as pl

from luth_assets.lib.filter_node import Filtered, filter_node
from luth_assets.lib.lake import StagedTable, input_file_hashes
from luth_assets.lib.metadata import markdown_counts
from luth_assets.lib.reconcile import ids
from luth_assets.lib.shards import parse_shard_key, plan_shard, shard_keys
from luth_assets.resources import LakeResource
from luth_assets.run_config import RunConfig
from luth_assets.stages import keys
from luth_assets.stages.keys import slice_rejects_key, slice_table_name, slices_key
from luth_assets.stages.sources.raw_table import RawTableStats, write_raw_table
from luth_assets.stages.sources.slicing import classify, kept_rows, rejected_rows

GROUP = "sources"


def raw_multilingual_asset(partition_keys: list[str]) -> dg.AssetsDefinition:
    """One partition per source, or per shard of a source with `shards: N` (lib/shards.py)."""

    @dg.asset(
        key=keys.RAW_MULTILINGUAL,
        group_name=GROUP,
        partitions_def=dg.StaticPartitionsDefinition(partition_keys),
        code_version="2",
        description="Rows of one multilingual chat source, normalised to `messages`, with the "
        "language each turn is given and its probability: fastText lid.176 first, langdetect "
        "(seeded) for rows doubtful for the target language (`language_id.backend`).",
        metadata={"partition_expr": "source"},
    )
    def raw_multilingual(context: dg.AssetExecutionContext, lake: LakeResource,
                         run_config: dg.ResourceParam[RunConfig]) -> StagedTable:
        name = context.partition_key
        shard = parse_shard_key(name, run_config.sources)
        source = run_config.sources[shard.source]
        plan = plan_shard(source, shard)
        files = plan.files
        context.log.info(f"reading source {name}: {len(files)} file(s), format {source.format}, "
                         f"split {plan.split}")

        def progress(stats: RawTableStats) -> None:
            context.log.info(f"{name}: {stats.rows} rows, {stats.rows_per_second:.0f} rows/s")

        staged = lake.staging_file(f"raw_multilingual-{name}")
        stats = write_raw_table(shard, source, run_config.language_id, staged, progress=progress,
                                target_language=run_config.target_language, plan=plan)
        context.add_output_metadata({
            "source_uri": source.uri,
            "shard": dg.MetadataValue.json({"source": shard.source, "index": shard.index + 1,
                                            "count": shard.count, "split": plan.split}),
            "input_files_sha256": dg.MetadataValue.json(input_file_hashes(files)),
            "turns": stats.turns,
            "seconds": round(stats.seconds, 2),
            "rows_per_second": round(stats.rows_per_second, 1),
            "languages": dg.MetadataValue.md(markdown_counts(stats.languages, "language")),
            "problems": dg.MetadataValue.json(dict(stats.problems)),
            "language_backend": run_config.language_id.backend,
            "rows_decided_by": dg.MetadataValue.json(dict(stats.decided_by)),
        })
        return StagedTable(staged, stats.rows)

    return raw_multilingual


def target_slices_asset(target: str, min_probability: float) -> dg.AssetsDefinition:
    slice_name = slice_table_name(target)

    @filter_node(
        name=slice_name, group=GROUP, kept=slices_key(target), rejected=slice_rejects_key(target),
        check="slices_reconcile",
        check_description="input rows = kept + rejected, and every sample_id lands exactly once",
        kept_description=f"Rows whose every turn is in '{target}' with probability "
        f">= {min_probability}.",
        rejected_description="Every other input row, with the reason it was rejected.",
        # a source whose partition failed is left out (and named in the log) instead of
        # blocking every other source
        ins={"raw": dg.AssetIn(key=keys.RAW_MULTILINGUAL,
                               metadata={"allow_missing_partitions": True})},
    )
    def target_slices(context: dg.AssetExecutionContext, lake: LakeResource,
                      run_config: dg.ResourceParam[RunConfig],
                      raw: dict[str, pl.LazyFrame]) -> Filtered:
        lid = run_config.language_id
        missing = sorted(set(shard_keys(run_config.sources)) - set(raw))
        if missing:
            context.log.warning(f"sources (shards) not materialised, left out: {', '.join(missing)}")
        staged = lake.staging_file(f"{slice_name}-classified")
        inputs = pl.concat(list(raw.values()), how="diagonal_relaxed")
        classify(inputs, target, lid.min_probability, lid.min_chars,
                 lid.confirm_function_words).sink_parquet(staged)
        classified = pl.scan_parquet(staged)
        decided_by = (dict(classified.group_by("language_decided_by").len().collect().rows())
                      if "language_decided_by" in classified.collect_schema().names() else {})
        return Filtered(
            kept=kept_rows(classified), rejected=rejected_rows(classified),
            input_ids=pl.concat([ids(frame) for frame in raw.values()]),
            kept_metadata={"sources_read": dg.MetadataValue.json(sorted(raw)),
                           "sources_missing": dg.MetadataValue.json(missing),
                           "language_backend": lid.backend,
                           "rows_fasttext_decided": decided_by.get("fasttext", 0),
                           "rows_sent_to_langdetect": decided_by.get("langdetect", 0)},
            cleanup=lambda: staged.unlink(missing_ok=True))

    return target_slices
