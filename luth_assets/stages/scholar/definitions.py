"""Scholar stage assets: exam PDFs (one dynamic partition per sujet/corrigé pair) to cleaned
question/answer items.

    bronze/exam_pdfs [exam]  ->  silver/exam_texts [exam] + silver/exam_quarantine [exam]
      ->  silver/scholar_items [exam] + _rejects [exam]
      ->  silver/scholar_items_clean + _rejects (all exams, declarative automation)
    ops/exam_unpaired: files of the landing folder that make no pair, with the reason.

`scholar_landing_sensor` watches the landing folder, registers new pairs as partitions, drops
stale ones and requests a run for exactly the new pairs; `prepare` does the same before
`luth materialize`.
"""

import json
from pathlib import Path

import dagster as dg
import polars as pl

from luth_assets.lib.metadata import markdown_counts
from luth_assets.resources import LakeResource
from luth_assets.stages import keys
from luth_assets.stages.scholar import landing as landing_scan
from luth_assets.stages.scholar.chain import ITEM_SCHEMA, REJECT_SCHEMA, run_chain
from luth_assets.stages.scholar.cleaning import clean_items
from luth_assets.stages.scholar.pairing import (
    ExamPair,
    Pairing,
    load_hasher,
    pair_landing,
    save_hasher,
)
from luth_assets.stages.scholar.pdf_text import QualityThresholds, extract_pdf
from luth_assets.stages.scholar.settings import ScholarConfig
from luth_assets.stages.translation.accounting import record_llm_calls
from luth_assets.stages.translation.running import run_llm

GROUP = "scholar"
PARTITIONS = dg.DynamicPartitionsDefinition(name="exam_pairs")
EXAM_PDFS = dg.AssetKey(["bronze", "exam_pdfs"])
UNPAIRED = dg.AssetKey(["ops", "exam_unpaired"])
EXAM_TEXTS = dg.AssetKey(["silver", "exam_texts"])
QUARANTINE = dg.AssetKey(["silver", "exam_quarantine"])
ITEMS = dg.AssetKey(["silver", "scholar_items"])
ITEMS_REJECTS = dg.AssetKey(["silver", "scholar_items_rejects"])
CLEAN = keys.SCHOLAR_ITEMS_CLEAN
CLEAN_REJECTS = dg.AssetKey(["silver", "scholar_items_clean_rejects"])
PER_EXAM = [EXAM_PDFS, EXAM_TEXTS, QUARANTINE, ITEMS, ITEMS_REJECTS]
HASH_CACHE = (".scholar", "file_hashes.json")

EXAM_SCHEMA = {
    "exam_id": pl.String, "sujet_path": pl.String, "corrige_path": pl.String,
    "sujet_sha256": pl.String, "corrige_sha256": pl.String, "exam": pl.String,
    "subject": pl.String, "year": pl.Int64, "level": pl.String, "paired_by": pl.String,
    "landing_dir": pl.String,
}
UNPAIRED_SCHEMA = {"path": pl.String, "sha256": pl.String, "role": pl.String,
                   "reason": pl.String, "detail": pl.String}
TEXT_SCHEMA = {
    "exam_id": pl.String, "role": pl.String, "path": pl.String, "sha256": pl.String,
    "page": pl.Int64, "text": pl.String, "chars": pl.Int64, "page_count": pl.Int64,
    "method": pl.String, "verdict": pl.String, "words_per_line": pl.Float64,
}
QUARANTINE_SCHEMA = {
    "exam_id": pl.String, "role": pl.String, "path": pl.String, "sha256": pl.String,
    "reason": pl.String, "detail": pl.String, "methods_tried": pl.String,
    "page_count": pl.Int64, "exam": pl.String, "subject": pl.String, "year": pl.Int64,
}
# a quarantined or failed exam must not hold back the others: eager, minus "every parent
# partition present"
AFTER_NEW_ITEMS = (
    (dg.AutomationCondition.newly_missing() | dg.AutomationCondition.any_deps_updated())
    .since_last_handled()
    & ~dg.AutomationCondition.any_deps_in_progress()
    & ~dg.AutomationCondition.in_progress()
).with_label("eager, tolerant of missing exam partitions")



def _counts(frame: pl.DataFrame, column: str) -> dict:
    if frame.is_empty():
        return {}
    return {str(k): v for k, v in frame.group_by(column).len().rows()}


def _defaults(cfg: ScholarConfig) -> dict:
    return {"subject": cfg.default_subject, "level": cfg.default_level}


def _thresholds(cfg: ScholarConfig) -> QualityThresholds:
    return QualityThresholds(min_chars_per_page=cfg.min_chars_per_page,
                             min_words_per_line=cfg.min_words_per_line,
                             min_letter_ratio=cfg.min_letter_ratio)


def pair_with_cache(cfg: ScholarConfig, lake_root: str | Path) -> Pairing:
    """Pair the landing folder, hashing only files new or changed since the last time
    (hashes remembered in `<lake>/.scholar/file_hashes.json`)."""
    cache = Path(str(lake_root).removeprefix("file://")).joinpath(*HASH_CACHE)
    hasher = load_hasher(cache)
    pairing = pair_landing(cfg.landing(lake_root), hasher, _defaults(cfg))
    save_hasher(hasher, cache)
    return pairing


def find_pair(cfg: ScholarConfig, lake_root: str | Path, exam_id: str) -> ExamPair:
    """The pair behind a partition key, read again from the landing folder."""
    landing = cfg.landing(lake_root)
    pairs = pair_with_cache(cfg, lake_root).by_id()
    if exam_id not in pairs:
        raise dg.Failure(
            f"exam pair {exam_id} is no longer in {landing}: one of its files was changed or "
            "removed; the landing sensor (or `luth materialize`) registers the new pair and drops "
            "this partition")
    return pairs[exam_id]


def register_partitions(instance: dg.DagsterInstance, cfg: ScholarConfig, lake_root: str,
                        log=print) -> landing_scan.LandingScan:
    """Add a partition per pair in the landing folder, delete stale ones (and their files)."""
    registered = set(instance.get_dynamic_partitions(PARTITIONS.name))
    result = landing_scan.scan(cfg.landing(lake_root), None, registered, defaults=_defaults(cfg))
    if result.add:
        instance.add_dynamic_partitions(PARTITIONS.name, result.add)
    for key in result.stale:
        instance.delete_dynamic_partition(PARTITIONS.name, key)
    landing_scan.drop_partition_files(lake_root, result.stale)
    if result.add or result.stale:
        log(f"scholar: {len(result.add)} exam pair(s) registered, {len(result.stale)} stale "
            f"removed, {len(result.pairing.unpaired)} unpaired file(s) in {cfg.landing(lake_root)}")
    return result


def prepare(ctx, instance: dg.DagsterInstance) -> None:
    """Before `luth materialize`: register the exam pairs of the landing folder."""
    register_partitions(instance, ctx.config.scholar, ctx.settings.lake_root)


def build_defs(ctx) -> dg.Definitions:
    cfg: ScholarConfig = ctx.config.scholar
    llm = ctx.config.llm

    @dg.asset(key=UNPAIRED, group_name=GROUP, deps=[EXAM_PDFS], code_version="1",
              automation_condition=AFTER_NEW_ITEMS,
              description="PDF files of the landing folder that make no sujet/corrigé pair, "
              "with the reason (sujet_without_corrige, corrige_without_sujet, ambiguous_name, "
              "manifest_missing_file, manifest_error).")
    def exam_unpaired(context: dg.AssetExecutionContext, lake: LakeResource) -> pl.DataFrame:
        landing = cfg.landing(lake.root)
        pairing = pair_with_cache(cfg, lake.root)
        frame = pl.DataFrame([u.row() for u in pairing.unpaired], schema=UNPAIRED_SCHEMA)
        context.log.info(f"{landing}: {len(pairing.pairs)} pair(s), {frame.height} unpaired")
        context.add_output_metadata({"landing_dir": str(landing), "pairs": len(pairing.pairs),
                                     "reasons": dg.MetadataValue.md(markdown_counts(_counts(frame, "reason"),
                                                                        "reason"))})
        return frame

    @dg.asset(key=EXAM_PDFS, group_name=GROUP, partitions_def=PARTITIONS, code_version="1",
              description="One sujet/corrigé pair of the landing folder per partition (key = "
              "hash of both files' contents): paths, sha256, exam, subject, year, level.")
    def exam_pdfs(context: dg.AssetExecutionContext, lake: LakeResource) -> pl.DataFrame:
        pair = find_pair(cfg, lake.root, context.partition_key)
        row = {**pair.row(), "landing_dir": str(cfg.landing(lake.root))}
        context.add_output_metadata({"sujet": pair.sujet_path, "corrige": pair.corrige_path,
                                     "subject": pair.subject, "year": str(pair.year),
                                     "paired_by": pair.paired_by})
        return pl.DataFrame([row], schema=EXAM_SCHEMA).select(list(EXAM_SCHEMA))

    @dg.multi_asset(
        group_name=GROUP, partitions_def=PARTITIONS, name="exam_texts",
        ins={"exam": dg.AssetIn(key=EXAM_PDFS)},
        outs={
            "texts": dg.AssetOut(key=EXAM_TEXTS, code_version="1",
                                 description="PyMuPDF text per page (reading order) of the usable "
                                 "documents, with characters, method and quality verdict."),
            "quarantine": dg.AssetOut(key=QUARANTINE, code_version="1",
                                      description="Documents set aside with the reason: corrupt, "
                                      "encrypted, no_text_layer (scan), garbled."),
        },
    )
    def exam_texts(context: dg.AssetExecutionContext, exam: pl.DataFrame):
        row = exam.row(0, named=True)
        texts, quarantined = [], []
        for role in ("sujet", "corrige"):
            path = Path(row["landing_dir"]) / row[f"{role}_path"]
            result = extract_pdf(path, _thresholds(cfg), ocr=cfg.ocr, ocr_language=cfg.ocr_language)
            common = {"exam_id": row["exam_id"], "role": role, "path": row[f"{role}_path"],
                      "sha256": row[f"{role}_sha256"]}
            if not result.ok:
                context.log.warning(f"{row[f'{role}_path']}: quarantined ({result.verdict}: "
                                    f"{result.detail})")
                quarantined.append({**common, "reason": result.verdict, "detail": result.detail,
                                    "methods_tried": ",".join(result.tried),
                                    "page_count": result.page_count, "exam": row["exam"],
                                    "subject": row["subject"], "year": row["year"]})
                continue
            wpl = result.quality.words_per_line if result.quality else None
            texts += [{**common, "page": i, "text": text, "chars": len(text),
                       "page_count": result.page_count, "method": result.method,
                       "verdict": result.verdict, "words_per_line": wpl}
                      for i, text in enumerate(result.pages, start=1)]
        texts_frame = pl.DataFrame(texts, schema=TEXT_SCHEMA)
        quarantine_frame = pl.DataFrame(quarantined, schema=QUARANTINE_SCHEMA)
        yield dg.Output(texts_frame, output_name="texts", metadata={
            "pages": texts_frame.height, "chars": int(texts_frame["chars"].sum() or 0),
            "methods": dg.MetadataValue.json(_counts(texts_frame, "method"))})
        yield dg.Output(quarantine_frame, output_name="quarantine", metadata={
            "documents": quarantine_frame.height,
            "reasons": dg.MetadataValue.json(_counts(quarantine_frame, "reason"))})

    @dg.asset_check(asset=EXAM_TEXTS, partitions_def=PARTITIONS, blocking=True,
                    additional_ins={"quarantine": dg.AssetIn(key=QUARANTINE)},
                    description="each of the exam's two documents is read or quarantined, "
                    "never both, never neither")
    def exam_documents_accounted(exam_texts: pl.DataFrame, quarantine: pl.DataFrame
                                 ) -> dg.AssetCheckResult:
        read = set(exam_texts["role"].unique().to_list())
        held = set(quarantine["role"].unique().to_list())
        return dg.AssetCheckResult(passed=read | held == {"sujet", "corrige"} and not read & held,
                                   metadata={"read": sorted(read), "quarantined": sorted(held)})

    @dg.asset_check(asset=ITEMS, partitions_def=PARTITIONS, blocking=True,
                    additional_ins={"rejects": dg.AssetIn(key=ITEMS_REJECTS)},
                    description="every listed question is one item or one reject (sample_ids "
                    "unique across both), every reject has a reason")
    def scholar_items_accounted(scholar_items: pl.DataFrame, rejects: pl.DataFrame
                                ) -> dg.AssetCheckResult:
        ids = pl.concat([scholar_items.select("sample_id"), rejects.select("sample_id")])
        duplicated = ids.height - ids.n_unique()
        no_reason = rejects.filter(pl.col("reason").is_null() | (pl.col("reason") == "")).height
        return dg.AssetCheckResult(passed=duplicated == 0 and no_reason == 0, metadata={
            "items": scholar_items.height, "rejects": rejects.height,
            "duplicated_ids": duplicated, "rejects_without_reason": no_reason})

    @dg.multi_asset(
        group_name=GROUP, partitions_def=PARTITIONS, name="scholar_items",
        ins={"exam": dg.AssetIn(key=EXAM_PDFS), "texts": dg.AssetIn(key=EXAM_TEXTS)},
        outs={
            "items": dg.AssetOut(key=ITEMS, code_version="1",
                                 description="Questions of the sujet with their context and the "
                                 "corrigé's answer (LLM chain: questions, figure filter, answers, "
                                 "context enrichment); exam id, pages, subject, year, level."),
            "rejects": dg.AssetOut(key=ITEMS_REJECTS, code_version="1",
                                   description="Questions (or sujet chunks) that gave no item, "
                                   "with the step and reason."),
        },
    )
    def scholar_items(context: dg.AssetExecutionContext, lake: LakeResource,
                      exam: pl.DataFrame, texts: pl.DataFrame):
        row = exam.row(0, named=True)

        def pages(role: str) -> list[str]:
            return texts.filter(pl.col("role") == role).sort("page")["text"].to_list()

        sujet, corrige = pages("sujet"), pages("corrige")
        llm_meta: dict = {}
        if not sujet or not corrige:
            context.log.warning(f"{row['exam']}: sujet or corrigé quarantined, no item "
                                "(see silver/exam_quarantine)")
            out = None
            items = pl.DataFrame(schema=ITEM_SCHEMA)
            rejects = pl.DataFrame(schema=REJECT_SCHEMA)
        else:
            def run(requests, stage):
                result = run_llm(llm, lake.root, requests, stage=stage, log=context.log.info)
                record_llm_calls(lake.path, result.summary, asset=ITEMS.to_user_string(),
                                 run_id=context.run_id, partition=context.partition_key)
                llm_meta[stage] = dg.MetadataValue.json(result.summary.to_row())
                return result

            out = run_chain(row, sujet, corrige, cfg, run, log=context.log.info)
            items, rejects = out.items, out.rejects
        yield dg.Output(items, output_name="items", metadata={
            "items": items.height, "questions": out.questions if out else 0,
            "skipped_quarantined": out is None, **llm_meta})
        yield dg.Output(rejects, output_name="rejects", metadata={
            "rejects": rejects.height,
            "reasons": dg.MetadataValue.md(markdown_counts(_counts(rejects, "reason"), "reason"))})

    @dg.multi_asset(
        group_name=GROUP, name="scholar_items_clean",
        ins={"items": dg.AssetIn(key=ITEMS, metadata={"allow_missing_partitions": True})},
        outs={
            "kept": dg.AssetOut(key=CLEAN, code_version="1",
                                automation_condition=AFTER_NEW_ITEMS,
                                description="Cleaned, enriched items of all exams that pass the "
                                "sanity checks; `messages` = user (context + question), "
                                "assistant (answer)."),
            "rejected": dg.AssetOut(key=CLEAN_REJECTS, code_version="1",
                                    automation_condition=AFTER_NEW_ITEMS,
                                    description="Items that failed the cleaning call, a sanity "
                                    "check or the anomaly verdict, with the reason."),
        },
        can_subset=False,
    )
    def scholar_items_clean(context: dg.AssetExecutionContext, lake: LakeResource,
                            items: dict[str, pl.LazyFrame]):
        frames = [f.collect() for f in items.values()]
        table = (pl.concat(frames, how="diagonal_relaxed") if frames
                 else pl.DataFrame(schema=ITEM_SCHEMA)).sort("sample_id")
        context.log.info(f"cleaning {table.height} items from {len(items)} exam(s)")
        llm_meta: dict = {}

        def run(requests, stage):
            result = run_llm(llm, lake.root, requests, stage=stage, log=context.log.info)
            record_llm_calls(lake.path, result.summary, asset=CLEAN.to_user_string(),
                             run_id=context.run_id)
            llm_meta[stage] = dg.MetadataValue.json(result.summary.to_row())
            return result

        kept, rejected, _ = clean_items(table, cfg, run)
        context.log.info(f"scholar_items_clean: kept {kept.height}, rejected {rejected.height} "
                         f"of {table.height}")
        yield dg.Output(kept, output_name="kept", metadata={
            "input_rows": table.height, "kept_rows": kept.height, "exams": len(items),
            "subjects": dg.MetadataValue.json(_counts(kept, "subject")), **llm_meta})
        yield dg.Output(rejected, output_name="rejected", metadata={
            "rejected_rows": rejected.height,
            "reasons": dg.MetadataValue.md(markdown_counts(_counts(rejected, "reason"), "reason"))})

    @dg.asset_check(
        asset=CLEAN, blocking=True,
        additional_ins={"rejected": dg.AssetIn(key=CLEAN_REJECTS),
                        "items": dg.AssetIn(key=ITEMS,
                                            metadata={"allow_missing_partitions": True})},
        description="input items = kept + rejected, and every sample_id lands exactly once")
    def scholar_clean_reconcile(kept: pl.LazyFrame, rejected: pl.LazyFrame,
                                items: dict[str, pl.LazyFrame]) -> dg.AssetCheckResult:
        ids_in = (pl.concat([f.select("sample_id") for f in items.values()]).collect()
                  if items else pl.DataFrame(schema={"sample_id": pl.String}))
        ids_out = pl.concat([kept.select("sample_id"), rejected.select("sample_id")]).collect()
        missing = ids_in.join(ids_out, on="sample_id", how="anti").height
        extra = ids_out.join(ids_in, on="sample_id", how="anti").height
        duplicated = ids_out.height - ids_out.n_unique()
        n_kept = kept.select(pl.len()).collect().item()
        return dg.AssetCheckResult(
            passed=ids_in.height == ids_out.height and not missing and not extra
            and not duplicated,
            metadata={"input_rows": ids_in.height, "kept_rows": n_kept,
                      "rejected_rows": ids_out.height - n_kept, "missing_ids": missing,
                      "unknown_ids": extra, "duplicated_ids": duplicated})

    running = dg.DefaultSensorStatus.RUNNING if cfg.sensor_running else \
        dg.DefaultSensorStatus.STOPPED

    @dg.sensor(name="scholar_landing_sensor", target=dg.AssetSelection.assets(*PER_EXAM, UNPAIRED),
               minimum_interval_seconds=cfg.sensor_interval_s, default_status=running,
               description="Watches the exam landing folder: registers each new or changed "
               "sujet/corrigé pair as a partition and runs it; drops stale partitions.")
    def scholar_landing_sensor(context: dg.SensorEvaluationContext, lake: LakeResource):
        landing = cfg.landing(lake.root)
        registered = set(context.instance.get_dynamic_partitions(PARTITIONS.name))
        done = context.instance.get_materialized_partitions(ITEMS) & registered
        result = landing_scan.scan(landing, context.cursor, registered, done, _defaults(cfg))
        requests = [dg.RunRequest(partition_key=key, asset_selection=PER_EXAM,
                                  tags={"luth/exam": key}) for key in result.request]
        if result.files_changed and not requests:  # e.g. a lone sujet: refresh the listing
            requests.append(dg.RunRequest(asset_selection=[UNPAIRED]))
        partition_requests = []
        if result.add:
            partition_requests.append(PARTITIONS.build_add_request(result.add))
        if result.stale:
            partition_requests.append(PARTITIONS.build_delete_request(result.stale))
            landing_scan.drop_partition_files(lake.root, result.stale)
        if not requests and not partition_requests:
            return dg.SensorResult(skip_reason=f"no new or changed exam pair in {landing}",
                                   cursor=result.cursor)
        context.log.info(json.dumps({"add": result.add, "run": result.request,
                                     "stale": result.stale}))
        return dg.SensorResult(run_requests=requests, dynamic_partitions_requests=partition_requests,
                               cursor=result.cursor)

    automation = dg.AutomationConditionSensorDefinition(
        "scholar_automation_sensor", target=dg.AssetSelection.assets(CLEAN, CLEAN_REJECTS, UNPAIRED),
        default_status=running, minimum_interval_seconds=max(30, cfg.sensor_interval_s),
        description="Brings scholar_items_clean (and the unpaired listing) up to date after new "
        "exam items land.")

    return dg.Definitions(
        assets=[exam_unpaired, exam_pdfs, exam_texts, scholar_items, scholar_items_clean],
        asset_checks=[exam_documents_accounted, scholar_items_accounted,
                      scholar_clean_reconcile],
        sensors=[scholar_landing_sensor, automation],
    )
