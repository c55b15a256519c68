"""Curation stage asset: `gold/sft_mix` + `gold/sft_mix_rejects`, a filter node whose blocking
reconcile check is `sft_mix_reconcile` (the other checks are in `checks.py`).

Inputs (deps, read with `lake.read`): `silver/judged_samples` (gathered + translated) and
`silver/scholar_items_clean`; `gold/benchmark_items` (every partition, and every item of each
configured benchmark when `evaluation.limit` is set) for decontamination; the
base model's tokenizer (`models/base_model`, or `training.base_model`) for token counts. Outputs
beside the table: `gold/sft_mix_dataset/{train,validation}.parquet` (read by
`datasets.load_dataset("parquet", ...)` and the training stage), `gold/sft_mix_card.md` and
`gold/sft_mix_token_lengths.png`.
"""

import dagster as dg
import polars as pl

from luth_assets.lib.filter_node import Filtered, filter_node
from luth_assets.lib.lake import TableMissing
from luth_assets.lib.metadata import embed_images, png_markdown
from luth_assets.lib.models import BASE, resolve_model
from luth_assets.lib.reconcile import ids
from luth_assets.resources import LakeResource
from luth_assets.run_config import RunConfig
from luth_assets.stages import keys
from luth_assets.stages.curation.build_mix import build_sft_mix, write_dataset_folder
from luth_assets.stages.curation.chat_schema import mix_candidates, require_unique_ids
from luth_assets.stages.curation.data_card import (
    composition,
    dataset_card,
    markdown_or_none,
    plot_token_lengths,
    reject_reasons,
    render_data_card,
)
from luth_assets.stages.curation.decontaminate import BenchmarkIndex, build_benchmark_index
from luth_assets.stages.curation.mix_rules import distinct_ids
from luth_assets.stages.curation.tokens import load_tokenizer
from luth_train.cards import push_folder, write_card
from luth_train.evaluation.items import items_frame_schema, load_items

GROUP = "curation"
SFT_MIX_REJECTS = dg.AssetKey(["gold", "sft_mix_rejects"])
DATASET_FOLDER = ("gold", "sft_mix_dataset")
CARD_NAME = "sft_mix_card.md"
PLOT_NAME = "sft_mix_token_lengths.png"
NO_BENCHMARK_ITEMS = pl.DataFrame(schema={
    "benchmark": pl.String, "item_id": pl.String, "question": pl.String, "answer": pl.String,
    "choices": pl.List(pl.String)})


def benchmark_index(lake: LakeResource, run_config: RunConfig) -> BenchmarkIndex:
    """The n-gram index of every item of every benchmark: the `gold/benchmark_items` partitions,
    plus, when `evaluation.limit` keeps only the first items there, every configured benchmark
    read in full through the evaluation loaders (decontamination never depends on the limit).
    Without items: an error, or an empty index when `curation.decontamination.require_benchmarks`
    is false."""
    cfg = run_config.curation.decontamination
    if not cfg.enabled:  # the authors' curation: no decontamination, nothing is matched
        return build_benchmark_index(NO_BENCHMARK_ITEMS, cfg)
    frames = []
    try:
        frames.append(lake.read(keys.BENCHMARK_ITEMS).collect())
    except TableMissing as err:
        missing = err
    else:
        missing = None
    if run_config.evaluation.limit is not None:
        frames += [full_benchmark_items(spec) for spec in run_config.evaluation.specs().values()]
    if not frames:
        if cfg.require_benchmarks:
            raise TableMissing(f"no benchmark items: {missing} (or set "
                               "curation.decontamination.require_benchmarks: false to skip "
                               "decontamination)") from None
        frames = [NO_BENCHMARK_ITEMS]
    columns = list(NO_BENCHMARK_ITEMS.schema)
    items = pl.concat([f.select(columns) for f in frames], how="vertical_relaxed") \
        .unique(["benchmark", "item_id"], keep="first", maintain_order=True)
    return build_benchmark_index(items, cfg)


def full_benchmark_items(spec) -> pl.DataFrame:
    """Every item of one benchmark (no `evaluation.limit`), as `gold/benchmark_items` rows."""
    try:
        items = load_items(spec, None)
    except Exception as err:  # a hub dataset offline, a bad file: name the benchmark
        raise RuntimeError(f"decontamination needs every item of benchmark {spec.name} "
                           f"({spec.path or spec.hub_id}) and could not read them: {err}") from err
    return pl.DataFrame(items, schema=items_frame_schema())


@filter_node(
    name="sft_mix", group=GROUP, kept=keys.SFT_MIX, rejected=SFT_MIX_REJECTS,
    check="sft_mix_reconcile",
    check_description="input rows (judged + scholar) = kept + rejected, every sample_id once",
    kept_description="The SFT mix: one chat schema, deduplicated (exact + MinHash LSH), "
    "decontaminated against every benchmark, token counts, weighted, train/validation.",
    rejected_description="Every candidate row left out, with the stage and reason (duplicate_of, "
    "benchmark and benchmark row, token count).",
    deps=[keys.JUDGED_SAMPLES, keys.SCHOLAR_ITEMS_CLEAN, keys.BENCHMARK_ITEMS, keys.BASE_MODEL],
)
def sft_mix(context: dg.AssetExecutionContext, lake: LakeResource,
            run_config: dg.ResourceParam[RunConfig]) -> Filtered:
    cfg = run_config.curation
    judged, scholar = lake.read(keys.JUDGED_SAMPLES), lake.read(keys.SCHOLAR_ITEMS_CLEAN)
    staged = lake.staging_file("sft_mix-candidates")
    mix_candidates(judged, scholar, cfg.system_prompt).sink_parquet(staged)
    candidates = pl.scan_parquet(staged)
    require_unique_ids(candidates)
    index = benchmark_index(lake, run_config)
    context.log.info(f"benchmark index: {index.grams.height} n-grams from "
                     f"{index.items_by_benchmark}")
    base = resolve_model(run_config, lake.uri(), BASE)
    result = build_sft_mix(candidates, index, cfg, load_tokenizer(base), log=context.log.info,
                           staging=lake.staging_file)
    staged.unlink(missing_ok=True)

    with lake.output_folder(*DATASET_FOLDER) as folder:  # published to an object store after
        dataset = write_dataset_folder(result.mix, folder)
        licenses = {name: src.license for name, src in
                    {**run_config.translation.sources, **run_config.sources}.items()}
        licenses["scholar"] = run_config.scholar.license
        write_card(folder, dataset_card(result.mix, result.steps, licenses, cfg.dataset_hub_id()))
        if cfg.push_to_hub:
            context.log.info("pushed to " + push_folder(folder, cfg.push_to_hub, "dataset"))
    params = {"benchmarks checked (items)": index.items_by_benchmark,
              "decontamination": f"{cfg.decontamination.ngram}-grams of normalised words "
              f"(whole text for benchmark texts of {cfg.decontamination.min_words}+ words)",
              "system prompt policy": cfg.system_prompt.policy,
              "tokenizer": base, "max_tokens": cfg.max_tokens,
              "mixing": cfg.mixing.model_dump()}
    card = render_data_card(result, params, PLOT_NAME, run_config.language_id.backend)
    with lake.output_folder("gold") as gold:  # a local folder, published to an object store
        plot_token_lengths(result.mix, gold / PLOT_NAME)
        (gold / CARD_NAME).write_text(card, encoding="utf-8")
        card_shown = embed_images(card, gold)
        plot_shown = png_markdown((gold / PLOT_NAME).read_bytes(), "token lengths")
    reasons = reject_reasons(result.rejects)
    return Filtered(
        kept=result.mix, rejected=result.rejects,
        input_ids=pl.concat([ids(judged), ids(scholar)]), kept_ids=distinct_ids(result.mix),
        kept_metadata={
            "distinct_rows": result.mix.filter(pl.col("copy") == 0).height,
            "rows_with_copies": result.mix.height,
            "tokens": int(result.mix["n_tokens"].sum() or 0),
            "composition": dg.MetadataValue.md(markdown_or_none(composition(result.mix))),
            "data_card": dg.MetadataValue.md(card_shown),
            "data_card_path": dg.MetadataValue.path(lake.uri("gold", CARD_NAME)),
            "token_length_plot": dg.MetadataValue.md(plot_shown),
            "token_length_plot_path": dg.MetadataValue.path(lake.uri("gold", PLOT_NAME)),
            "dataset_folder": dg.MetadataValue.json(
                {split: "/".join([*DATASET_FOLDER, f"{split}.parquet"]) for split in dataset}),
            "near_dedup_threshold": result.dedup.threshold,
            "funnel": dg.MetadataValue.json(result.steps),
        },
        # reasons by curation step (the filter node's own count is by reason alone)
        rejected_metadata={
            "reasons": dg.MetadataValue.md(markdown_or_none(reasons)),
            "reasons_json": dg.MetadataValue.json(
                {f"{s}:{r}": n for s, r, n in reasons.iter_rows()}),
        })
