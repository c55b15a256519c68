"""Evaluation stage assets: `gold/benchmark_items` (partition per benchmark),
`gold/benchmark_scores` (multi-partition model x benchmark, per-sample rows) and
`gold/score_table` (models x benchmarks, FR/EN averages, deltas vs base, plot).

The first two are factories: their partitions are the configured benchmarks and evaluated models,
and the models' deps (the merged models or not) follow the merge recipes. The scoring itself
lives in `luth_train.evaluation` (plain Python); the assets are wiring.
"""

import json
from pathlib import Path

import dagster as dg
import polars as pl

from luth_assets.lib.lake import relative_to_lake
from luth_assets.lib.metadata import png_markdown, table_preview
from luth_assets.lib.models import evaluated_models, in_lake, resolve_model
from luth_assets.resources import LakeResource
from luth_assets.run_config import RunConfig
from luth_assets.stages import keys
from luth_train.cards import update_card_scores
from luth_train.evaluation import tables
from luth_train.evaluation.euroeval import euroeval_records, write_euroeval_jsonl
from luth_train.evaluation.items import items_frame_schema, load_items
from luth_train.evaluation.render import display_frame, score_table_markdown
from luth_train.evaluation.runner import evaluate_benchmark

GROUP = "evaluation"
EUROEVAL_FILE = "euroeval_results.jsonl"
BENCHMARK_SCORES = dg.AssetKey(["gold", "benchmark_scores"])


def benchmark_items_asset(benchmarks: list[str]) -> dg.AssetsDefinition:
    @dg.asset(
        key=keys.BENCHMARK_ITEMS,
        group_name=GROUP,
        partitions_def=dg.StaticPartitionsDefinition(benchmarks),
        code_version="3",
        description="Normalised items of one benchmark (first `evaluation.limit` rows).",
        metadata={"partition_expr": "benchmark"},
    )
    def benchmark_items(context: dg.AssetExecutionContext,
                        run_config: dg.ResourceParam[RunConfig]) -> pl.DataFrame:
        settings = run_config.evaluation
        if context.partition_key not in settings.specs():
            # the loss view's held-out text is read when scoring; it stays out of decontamination
            context.add_output_metadata({"items": 0, "source": "held-out text, read when scoring"})
            return pl.DataFrame([], schema=items_frame_schema())
        spec = settings.specs()[context.partition_key]
        items = load_items(spec, settings.limit, gpqa_order=settings.gpqa_order)
        context.log.info(f"{spec.name}: {len(items)} items from {spec.path or spec.hub_id}")
        context.add_output_metadata(
            {
                "source": spec.path or f"hf://{spec.hub_id} [{spec.split}]",
                "task": spec.task,
                "language": spec.language,
                "scoring": spec.scoring,
                "items": len(items),
            }
        )
        return pl.DataFrame(items, schema=items_frame_schema())

    return benchmark_items


def model_deps(with_merges: bool, with_language_loss: bool) -> list[dg.AssetDep]:
    """The checkpoints scored: base and SFT, and every merged model when there are recipes; the
    held-out text of the loss view (the mix's validation split, the English seed rows)."""
    deps = [dg.AssetDep(keys.BASE_MODEL), dg.AssetDep(keys.SFT_CHECKPOINT)]
    if with_language_loss:
        # every source's seed rows are read (a partition per source upstream): all of them
        deps += [dg.AssetDep(keys.SFT_MIX),
                 dg.AssetDep(keys.ENGLISH_SEED_PROMPTS, partition_mapping=dg.AllPartitionMapping())]
    if with_merges:
        deps.append(dg.AssetDep(keys.MERGED_MODELS, partition_mapping=dg.AllPartitionMapping()))
    return deps


def benchmark_scores_asset(models: list[str], benchmarks: list[str], with_merges: bool,
                           with_language_loss: bool) -> dg.AssetsDefinition:
    cells = dg.MultiPartitionsDefinition({
        "model": dg.StaticPartitionsDefinition(models),
        "benchmark": dg.StaticPartitionsDefinition(benchmarks),
    })

    @dg.asset(
        key=BENCHMARK_SCORES,
        group_name=GROUP,
        partitions_def=cells,
        code_version="3",
        ins={
            "items": dg.AssetIn(
                keys.BENCHMARK_ITEMS,
                partition_mapping=dg.MultiToSingleDimensionPartitionMapping(
                    partition_dimension_name="benchmark"
                ),
            )
        },
        deps=model_deps(with_merges, with_language_loss),
        description="Per-sample results of one model on one benchmark: prompt, response or "
        "choice log-likelihoods, extracted answer, correct; aggregate score in metadata.",
    )
    def benchmark_scores(context: dg.AssetExecutionContext, lake: LakeResource,
                         run_config: dg.ResourceParam[RunConfig], items: pl.DataFrame
                         ) -> pl.DataFrame:
        from luth_train.evaluation.language_loss import score_language_loss, weighted_loss
        from luth_train.evaluation.model_io import load_model

        cell = context.partition_key.keys_by_dimension
        model, name = cell["model"], cell["benchmark"]
        path = resolve_model(run_config, lake.path, model)
        if in_lake(run_config, model) and not Path(path).is_dir():
            raise FileNotFoundError(
                f"model {model!r} has no checkpoint at {path}: materialise "
                f"{'models/base_model' if model == 'base' else 'its models/ asset'} first"
            )
        # a lake checkpoint relative to the lake root (a moved lake still resolves); a hub id as given
        shown = relative_to_lake(path, lake.path) if in_lake(run_config, model) else path
        settings = run_config.evaluation
        options = settings.options()
        lm = load_model(path, device=options.device, dtype=options.dtype)
        if name not in settings.specs():  # language_loss_fr / language_loss_en
            rows = score_language_loss(lm, name, lambda key: lake.read(dg.AssetKey(list(key))).collect(),
                                       settings.language_loss.max_texts, options.batch_size)
            context.add_output_metadata({"model": model, "model_path": shown, "benchmark": name,
                                         "metric": "mean_token_loss", "score": weighted_loss(rows),
                                         "stderr": None, "n": len(rows)})
            return tables.scores_frame(rows, model)
        result = evaluate_benchmark(lm, settings.specs()[name], options, items=items.to_dicts(),
                                    log=context.log.info)
        s = result.summary
        context.log.info(f"{model} x {name}: score {s['score']} ± {s['stderr']} on {s['n']} items")
        context.add_output_metadata(
            {
                "model": model,
                "model_path": shown,
                "benchmark": name,
                "metric": s["metric"],
                "scored_by": options.choices().metric(name),
                "generation_size": options.choices().generation_size(name),
                "score": dg.MetadataValue.float(float(s["score"])) if s["score"] is not None else None,
                "stderr": dg.MetadataValue.float(float(s["stderr"])) if s["stderr"] is not None else None,
                "n": s["n"],
                "seconds": s["seconds"],
                "summary": dg.MetadataValue.json(json.loads(json.dumps(s, default=str))),
            }
        )
        return tables.scores_frame(result.rows, model)

    return benchmark_scores


@dg.asset(
    key=keys.SCORE_TABLE,
    group_name=GROUP,
    code_version="3",
    ins={"scores": dg.AssetIn(BENCHMARK_SCORES, metadata={"allow_missing_partitions": True})},
    description="The paper's table: models x benchmarks (percent), French and English "
    "averages, deltas vs the base model, published numbers with their source; Markdown and a plot "
    "in metadata; the scores as EuroEval results beside it (gold/euroeval_results.jsonl).",
)
def score_table(context: dg.AssetExecutionContext, lake: LakeResource,
                run_config: dg.ResourceParam[RunConfig], scores: dict[str, pl.LazyFrame]
                ) -> pl.DataFrame:
    settings = run_config.evaluation
    models = evaluated_models(run_config)
    names = list(settings.specs()) + settings.loss_names()
    frame = pl.concat([lf.collect() for lf in scores.values()], how="diagonal_relaxed")
    identities = {m: resolve_model(run_config, lake.path, m) for m in models}
    table = tables.score_table(frame, models, names, identities=identities)
    cells_done = tables.cell_scores(frame).height
    missing = len(models) * len(names) - len(scores)
    if missing:
        context.log.warning(f"{missing} model x benchmark cells are not materialised; left out")
    plot = tables.plot_score_table(table, lake.folder("gold", "plots") / "score_table.png")
    carded = write_scores_to_cards(table, tables.cell_scores(frame), names, run_config, lake.path)
    euroeval = write_euroeval_results(frame, models, identities, run_config, lake.folder("gold"))
    context.add_output_metadata(
        {
            "markdown": dg.MetadataValue.md(score_table_markdown(table)),
            "scores": table_preview(display_frame(table)),
            "plot": dg.MetadataValue.md(png_markdown(plot.read_bytes(), "French vs English averages")),
            "plot_path": dg.MetadataValue.path(str(plot)),
            "models": dg.MetadataValue.json(table["model"].to_list()),
            "cells_scored": cells_done,
            "cells_missing": missing,
            "model_cards_updated": dg.MetadataValue.json(carded),
            "euroeval_results": dg.MetadataValue.path(str(euroeval)),
        }
    )
    return table


def write_scores_to_cards(table: pl.DataFrame, cells: pl.DataFrame, benchmarks: list[str],
                          run_config: RunConfig, lake_root: str) -> list[str]:
    """The Scores section of each lake model's card (README.md): its benchmarks with their item
    count and standard error (`cells`: `tables.cell_scores`), and the averages."""
    updated, evaluated = [], set(evaluated_models(run_config))
    for row in table.filter(pl.col("kind") == "ours").to_dicts():
        model = row.get("model")
        if model not in evaluated or not in_lake(run_config, model):
            continue
        mine = {c["benchmark"]: c for c in cells.filter(pl.col("model") == model).to_dicts()}
        scores = {k: {"score": row[k], "n": mine.get(k, {}).get("n"), "stderr": mine.get(k, {}).get("stderr")}
                  for k in benchmarks if k in row}
        scores |= {k: row[k] for k in ("fr_average", "en_average") if k in row}
        if update_card_scores(resolve_model(run_config, lake_root, model), scores):
            updated.append(model)
    return updated


def write_euroeval_results(frame: pl.DataFrame, models: list[str], identities: dict[str, str],
                           run_config: RunConfig, gold: Path) -> Path:
    """`<lake>/gold/euroeval_results.jsonl`: the scored cells as EuroEval results (Every Eval Ever
    schema); the models this run trained are `first_party`, the named ones `third_party`."""
    settings = run_config.evaluation
    protocol = {"temperature": settings.temperature, "max_new_tokens": settings.max_new_tokens,
                "enable_thinking": settings.enable_thinking, "num_runs": settings.num_runs,
                "use_chat_template": settings.use_chat_template,
                "system_prompt": settings.system_prompt, "backend": settings.backend}
    trained = {m for m in models if in_lake(run_config, m) and m != "base"}
    records = euroeval_records(frame, identities, protocol=protocol, first_party=trained)
    return write_euroeval_jsonl(records, gold / EUROEVAL_FILE)
