"""Sources stage: `bronze/raw_multilingual` (partition per source) and the target-language slice
(`silver/french_slices` for fr) with its rejects."""


import dagster as dg
import polars as pl

from luth_assets.lib.lake import StagedTable, file_sha256, is_local
from luth_assets.lib.metadata import markdown_counts
from luth_assets.resources import LakeResource
from luth_assets.stages import keys
from luth_assets.stages.sources.raw_table import RawTableStats, write_raw_table
from luth_assets.stages.sources.reading import resolve_files
from luth_assets.stages.sources.slicing import (
    classify,
    kept_rows,
    rejected_rows,
    slice_table_name,
)

GROUP = "sources"
RAW_KEY = keys.RAW_MULTILINGUAL


def slices_key(target_language: str) -> dg.AssetKey:
    """Key of the target-language slice (`silver/french_slices` for fr); later stages use it."""
    return dg.AssetKey(["silver", slice_table_name(target_language)])


def rejects_key(target_language: str) -> dg.AssetKey:
    return dg.AssetKey(["silver", f"{slice_table_name(target_language)}_rejects"])



def build_defs(ctx) -> dg.Definitions:
    config = ctx.config
    target = config.target_language
    lid = config.language_id
    if not config.sources:
        return dg.Definitions()
    partitions = dg.StaticPartitionsDefinition(sorted(config.sources))

    @dg.asset(
        key=RAW_KEY,
        group_name=GROUP,
        partitions_def=partitions,
        code_version="2",
        description="Rows of one multilingual chat source, normalised to `messages`, with the "
        "language each turn is given and its probability: fastText lid.176 first, langdetect "
        "(seeded) for rows doubtful for the target language (`language_id.backend`).",
        metadata={"partition_expr": "source"},
    )
    def raw_multilingual(context: dg.AssetExecutionContext, lake: LakeResource) -> StagedTable:
        name = context.partition_key
        source = config.sources[name]
        files = resolve_files(source.uri)
        context.log.info(f"reading source {name}: {len(files)} file(s), format {source.format}")

        def progress(stats: RawTableStats) -> None:
            context.log.info(f"{name}: {stats.rows} rows, {stats.rows_per_second:.0f} rows/s")

        staged = lake.staging_file(f"raw_multilingual-{name}")
        stats = write_raw_table(name, source, lid, staged, progress=progress, target_language=target)
        hashes = {f: file_sha256(f) for f in files if is_local(f)}
        context.add_output_metadata({
            "source_uri": source.uri,
            "input_files_sha256": dg.MetadataValue.json(hashes),
            "turns": stats.turns,
            "seconds": round(stats.seconds, 2),
            "rows_per_second": round(stats.rows_per_second, 1),
            "languages": dg.MetadataValue.md(markdown_counts(stats.languages, "language")),
            "problems": dg.MetadataValue.json(dict(stats.problems)),
            "language_backend": lid.backend,
            "rows_decided_by": dg.MetadataValue.json(dict(stats.decided_by)),
        })
        return StagedTable(staged, stats.rows)

    slice_name = slice_table_name(target)

    @dg.multi_asset(
        group_name=GROUP,
        outs={
            "kept": dg.AssetOut(
                key=slices_key(target),
                description=f"Rows whose every turn is in '{target}' with probability "
                f">= {lid.min_probability}.",
                code_version="1",
            ),
            "rejected": dg.AssetOut(
                key=rejects_key(target),
                description="Every other input row, with the reason it was rejected.",
                code_version="1",
            ),
        },
        # a source whose partition failed is left out (and named in the log) instead of
        # blocking every other source
        ins={"raw": dg.AssetIn(key=RAW_KEY, metadata={"allow_missing_partitions": True})},
        name=slice_name,
    )
    def target_slices(context: dg.AssetExecutionContext, lake: LakeResource,
                      raw: dict[str, pl.LazyFrame]):
        missing = sorted(set(config.sources) - set(raw))
        if missing:
            context.log.warning(f"sources not materialised, left out: {', '.join(missing)}")
        staged = lake.staging_file(f"{slice_name}-classified")
        inputs = pl.concat(list(raw.values()), how="diagonal_relaxed")
        classify(inputs, target, lid.min_probability, lid.min_chars,
                 lid.confirm_function_words).sink_parquet(staged)
        classified = pl.scan_parquet(staged)
        counts = (classified.group_by(pl.col("reason").fill_null("kept")).len()
                  .collect().rows())
        by_reason = dict(counts)
        decided_by = (dict(classified.group_by("language_decided_by").len().collect().rows())
                      if "language_decided_by" in classified.collect_schema().names() else {})
        kept = by_reason.pop("kept", 0)
        rejected = sum(by_reason.values())
        context.log.info(f"{slice_name}: kept {kept}, rejected {rejected} of {kept + rejected}")
        yield dg.Output(kept_rows(classified), output_name="kept", metadata={
            "input_rows": kept + rejected, "kept_rows": kept,
            "kept_share": round(kept / max(1, kept + rejected), 4),
            "sources_read": dg.MetadataValue.json(sorted(raw)),
            "sources_missing": dg.MetadataValue.json(missing),
            "language_backend": lid.backend,
            "rows_fasttext_decided": decided_by.get("fasttext", 0),
            "rows_sent_to_langdetect": decided_by.get("langdetect", 0),
        })
        yield dg.Output(rejected_rows(classified), output_name="rejected", metadata={
            "rejected_rows": rejected,
            "reasons": dg.MetadataValue.md(markdown_counts(by_reason, "reason")),
            "reasons_json": dg.MetadataValue.json(by_reason),
        })
        staged.unlink(missing_ok=True)

    @dg.asset_check(
        asset=slices_key(target),
        additional_ins={"rejected": dg.AssetIn(key=rejects_key(target)),
                        "raw": dg.AssetIn(key=RAW_KEY,
                                          metadata={"allow_missing_partitions": True})},
        description="input rows = kept + rejected, and every sample_id lands exactly once",
        blocking=True,
    )
    def slices_reconcile(kept: pl.LazyFrame, rejected: pl.LazyFrame,
                         raw: dict[str, pl.LazyFrame]) -> dg.AssetCheckResult:
        raw_ids = pl.concat([f.select("sample_id") for f in raw.values()])
        out_ids = pl.concat([kept.select("sample_id"), rejected.select("sample_id")])
        n_in = raw_ids.select(pl.len()).collect().item()
        n_kept = kept.select(pl.len()).collect().item()
        n_rej = rejected.select(pl.len()).collect().item()
        missing = raw_ids.join(out_ids, on="sample_id", how="anti").select(pl.len()).collect().item()
        duplicated = (out_ids.group_by("sample_id").len().filter(pl.col("len") > 1)
                      .select(pl.len()).collect().item())
        return dg.AssetCheckResult(
            passed=n_in == n_kept + n_rej and missing == 0 and duplicated == 0,
            metadata={"input_rows": n_in, "kept_rows": n_kept, "rejected_rows": n_rej,
                      "missing_ids": missing, "duplicated_ids": duplicated},
        )

    return dg.Definitions(
        assets=[raw_multilingual, target_slices],
        asset_checks=[slices_reconcile],
    )
