"""Scholar stage assets: exam PDFs (one dynamic partition per sujet/corrigé pair) to cleaned
question/answer items.

    bronze/exam_pdfs [exam]  ->  silver/exam_texts [exam] + silver/exam_quarantine [exam]
      ->  silver/scholar_items [exam] + _rejects [exam]
      ->  silver/scholar_items_clean + _rejects (all exams, declarative automation)
    ops/exam_unpaired: files of the landing folder that make no pair, with the reason.

Every asset is module-level: the partitions (`exam_pairs`, registered by the landing sensor or
`luth materialize`) do not depend on the run configuration; the settings come from the
`run_config` resource at run time.
"""

import dagster as dg
import polars as pl

from luth_assets.executors import LLM_POOL
from luth_assets.lib.expected_rows import compare_expected
from luth_assets.lib.filter_node import Filtered, filter_node
from luth_assets.lib.metadata import markdown_counts
from luth_assets.lib.reconcile import ids
from luth_assets.resources import LakeResource, LLMResource
from luth_assets.run_config import RunConfig
from luth_assets.stages import keys
from luth_assets.stages.scholar.authors_chain import run_authors_chain
from luth_assets.stages.scholar.chain import ITEM_SCHEMA, REJECT_SCHEMA, run_chain
from luth_assets.stages.scholar.cleaning import clean_items
from luth_assets.stages.scholar.documents import check_document, pages, read_exam, value_counts
from luth_assets.stages.scholar.partitions import (
    PARTITIONS,
    exam_frame,
    find_pair,
    pair_with_cache,
    unpaired_frame,
)
from luth_assets.stages.scholar.vision import (
    VISION_REJECT_SCHEMA,
    vision_fallback,
    vision_llm_settings,
)

GROUP = "scholar"
EXAM_PDFS = dg.AssetKey(["bronze", "exam_pdfs"])
UNPAIRED = dg.AssetKey(["ops", "exam_unpaired"])
EXAM_TEXTS = dg.AssetKey(["silver", "exam_texts"])
QUARANTINE = dg.AssetKey(["silver", "exam_quarantine"])
VISION_REJECTS = dg.AssetKey(["silver", "exam_vision_rejects"])
ITEMS = keys.SCHOLAR_ITEMS
ITEMS_REJECTS = dg.AssetKey(["silver", "scholar_items_rejects"])
CLEAN = keys.SCHOLAR_ITEMS_CLEAN
CLEAN_REJECTS = dg.AssetKey(["silver", "scholar_items_clean_rejects"])
PER_EXAM = [EXAM_PDFS, EXAM_TEXTS, QUARANTINE, VISION_REJECTS, ITEMS, ITEMS_REJECTS]

# a quarantined or failed exam must not hold back the others: eager, minus "every parent
# partition present"
AFTER_NEW_ITEMS = (
    (dg.AutomationCondition.newly_missing() | dg.AutomationCondition.any_deps_updated())
    .since_last_handled()
    & ~dg.AutomationCondition.any_deps_in_progress()
    & ~dg.AutomationCondition.in_progress()
).with_label("eager, tolerant of missing exam partitions")


def _reasons(frame: pl.DataFrame) -> dg.MetadataValue:
    return dg.MetadataValue.md(markdown_counts(value_counts(frame, "reason"), "reason"))


@dg.asset(key=UNPAIRED, group_name=GROUP, deps=[EXAM_PDFS], code_version="1",
          automation_condition=AFTER_NEW_ITEMS,
          description="PDF files of the landing folder that make no sujet/corrigé pair, "
          "with the reason (sujet_without_corrige, corrige_without_sujet, ambiguous_name, "
          "manifest_missing_file, manifest_error, outside_landing); each unpaired PDF is read as "
          "the quarantine would (text_verdict: ok, corrupt, encrypted, too_many_pages, "
          "no_text_layer, garbled).")
def exam_unpaired(context: dg.AssetExecutionContext, lake: LakeResource,
                  run_config: dg.ResourceParam[RunConfig]) -> pl.DataFrame:
    landing = run_config.scholar.landing(lake.root)
    pairing = pair_with_cache(run_config.scholar, lake.root)
    frame = unpaired_frame(pairing, landing, lambda path: check_document(path, run_config.scholar))
    unreadable = frame.filter(pl.col("text_verdict").is_not_null() & (pl.col("text_verdict") != "ok"))
    context.log.info(f"{landing}: {len(pairing.pairs)} pair(s), {frame.height} unpaired "
                     f"({unreadable.height} unreadable)")
    context.add_output_metadata({"landing_dir": str(landing), "pairs": len(pairing.pairs),
                                 "reasons": _reasons(frame), "unreadable": unreadable.height})
    return frame


@dg.asset(key=EXAM_PDFS, group_name=GROUP, partitions_def=PARTITIONS, code_version="1",
          description="One sujet/corrigé pair of the landing folder per partition (key = "
          "hash of both files' contents): paths, sha256, exam, subject, year, level.")
def exam_pdfs(context: dg.AssetExecutionContext, lake: LakeResource,
              run_config: dg.ResourceParam[RunConfig]) -> pl.DataFrame:
    cfg = run_config.scholar
    pair = find_pair(cfg, lake.root, context.partition_key)
    context.add_output_metadata({"sujet": pair.sujet_path, "corrige": pair.corrige_path,
                                 "subject": pair.subject, "year": str(pair.year),
                                 "paired_by": pair.paired_by})
    return exam_frame(pair, cfg.landing(lake.root))


@dg.multi_asset(
    group_name=GROUP, partitions_def=PARTITIONS, name="exam_texts", pool=LLM_POOL,
    ins={"exam": dg.AssetIn(key=EXAM_PDFS)},
    outs={
        "texts": dg.AssetOut(key=EXAM_TEXTS, code_version="3",
                             description="PyMuPDF text per page (reading order) of the usable "
                             "documents, with characters, method and quality verdict; TeX "
                             "maths fonts repaired (glyphs_repaired, glyphs_unmapped, "
                             "page_verdict: clean, repaired, garbled); text_source: "
                             "text_layer, repaired, ocr or vision (a page transcribed by the "
                             "multimodal model, scholar.vision)."),
        "quarantine": dg.AssetOut(key=QUARANTINE, code_version="1",
                                  description="Documents set aside with the reason: corrupt, "
                                  "encrypted, too_many_pages, no_text_layer (scan), garbled."),
        "vision_rejects": dg.AssetOut(
            key=VISION_REJECTS, code_version="1",
            description="Pages sent to (or due for) the vision fallback that gave no text, with "
            "the reason: empty_transcription, not_french, no_mathematics, over_page_cap, "
            "document_quarantined, llm_<reason>. Pages transcribed = rows of exam_texts with "
            "text_source vision + these rows."),
    },
)
def exam_texts(context: dg.AssetExecutionContext, lake: LakeResource, llm: LLMResource,
               run_config: dg.ResourceParam[RunConfig], exam: pl.DataFrame):
    cfg = run_config.scholar
    row = exam.row(0, named=True)
    texts, quarantine = read_exam(row, cfg, warn=context.log.warning)
    vision, metadata = None, {}
    if cfg.vision.enabled:
        run = llm.runner(context, vision_llm_settings(run_config.llm, cfg), lake.root, EXAM_TEXTS)
        vision = vision_fallback(row, texts, quarantine, cfg, run, log=context.log.info)
        texts, quarantine = vision.texts, vision.quarantine
        metadata = {"vision_pages_sent": vision.sent, "vision_pages_transcribed":
                    vision.transcribed, **run.metadata}
    vision_rejects = vision.rejects if vision is not None else pl.DataFrame(
        schema=VISION_REJECT_SCHEMA)
    yield dg.Output(texts, output_name="texts", metadata={
        "pages": texts.height, "chars": int(texts["chars"].sum() or 0),
        "methods": dg.MetadataValue.json(value_counts(texts, "method")),
        "text_sources": dg.MetadataValue.json(value_counts(texts, "text_source")),
        "glyphs_repaired": int(texts["glyphs_repaired"].sum() or 0),
        "glyphs_unmapped": int(texts["glyphs_unmapped"].sum() or 0),
        "page_verdicts": dg.MetadataValue.json(value_counts(texts.drop_nulls("page_verdict"),
                                                            "page_verdict")), **metadata})
    yield dg.Output(quarantine, output_name="quarantine", metadata={
        "documents": quarantine.height,
        "reasons": dg.MetadataValue.json(value_counts(quarantine, "reason"))})
    yield dg.Output(vision_rejects, output_name="vision_rejects", metadata={
        "rejects": vision_rejects.height, "reasons": _reasons(vision_rejects)})


@dg.multi_asset(
    group_name=GROUP, partitions_def=PARTITIONS, name="scholar_items", pool=LLM_POOL,
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
def scholar_items(context: dg.AssetExecutionContext, lake: LakeResource, llm: LLMResource,
                  run_config: dg.ResourceParam[RunConfig], exam: pl.DataFrame,
                  texts: pl.DataFrame):
    row = exam.row(0, named=True)
    sujet, corrige = pages(texts, "sujet"), pages(texts, "corrige")
    run = llm.runner(context, run_config.llm, lake.root, ITEMS)
    if not sujet or not corrige:
        context.log.warning(f"{row['exam']}: sujet or corrigé quarantined, no item "
                            "(see silver/exam_quarantine)")
        out = None
        items = pl.DataFrame(schema=ITEM_SCHEMA)
        rejects = pl.DataFrame(schema=REJECT_SCHEMA)
    else:
        chain = run_authors_chain if run_config.scholar.chain == "authors" else run_chain
        out = chain(row, sujet, corrige, run_config.scholar, run, log=context.log.info)
        items, rejects = out.items, out.rejects
    yield dg.Output(items, output_name="items", metadata={
        "items": items.height, "questions": out.questions if out else 0,
        "skipped_quarantined": out is None, **run.metadata})
    yield dg.Output(rejects, output_name="rejects", metadata={
        "rejects": rejects.height, "reasons": _reasons(rejects)})


@filter_node(
    name="scholar_items_clean", group=GROUP, kept=CLEAN, rejected=CLEAN_REJECTS,
    check="scholar_clean_reconcile", pool=LLM_POOL,
    check_description="input items = kept + rejected, and every sample_id lands exactly once",
    kept_description="Cleaned, enriched items of all exams that pass the sanity checks; "
    "`messages` = user (context + question), assistant (answer).",
    rejected_description="Items that failed the cleaning call, a sanity check or the anomaly "
    "verdict, with the reason.",
    ins={"items": dg.AssetIn(key=ITEMS, metadata={"allow_missing_partitions": True})},
    automation_condition=AFTER_NEW_ITEMS,
)
def scholar_items_clean(context: dg.AssetExecutionContext, lake: LakeResource, llm: LLMResource,
                        run_config: dg.ResourceParam[RunConfig],
                        items: dict[str, pl.LazyFrame]) -> Filtered:
    frames = [f.collect() for f in items.values()]
    table = (pl.concat(frames, how="diagonal_relaxed") if frames
             else pl.DataFrame(schema=ITEM_SCHEMA)).sort("sample_id")
    context.log.info(f"cleaning {table.height} items from {len(items)} exam(s)")
    run = llm.runner(context, run_config.llm, lake.root, CLEAN)
    kept, rejected, _ = clean_items(table, run_config.scholar, run)
    context.log.info(f"scholar_items_clean: kept {kept.height}, rejected {rejected.height} "
                     f"of {table.height}")
    report, warnings = compare_expected({"scholar_items": table.height},
                                        {"scholar_items": run_config.scholar.expected_rows})
    for line in warnings:
        context.log.warning(f"scholar_items_clean: {line}")
    return Filtered(kept=kept, rejected=rejected, input_ids=ids(table), kept_metadata={
        "exams": len(items), "subjects": dg.MetadataValue.json(value_counts(kept, "subject")),
        "expected_rows": dg.MetadataValue.json(report),
        "expected_rows_warnings": dg.MetadataValue.json(warnings), **run.metadata})
