"""Evaluation stage assets: `gold/benchmark_items` (partition per benchmark),
`gold/benchmark_scores` (multi-partition model x benchmark, per-sample rows) and
`gold/score_table` (models x benchmarks, FR/EN averages, deltas vs base, plot).

The scoring itself lives in `luth_train.evaluation` (plain Python); the assets are wiring.
"""

import json
from pathlib import Path

import dagster as dg
import polars as pl

from luth_assets.lib.models import evaluated_models, resolve_model
from luth_assets.resources import LakeResource
from luth_assets.stages import keys
from luth_assets.stages.training.definitions import read_table

GROUP = "evaluation"
ITEMS_KEY = keys.BENCHMARK_ITEMS
SCORES_KEY = dg.AssetKey(["gold", "benchmark_scores"])
TABLE_KEY = keys.SCORE_TABLE
BASE_MODEL_KEY = keys.BASE_MODEL
SFT_KEY = keys.SFT_CHECKPOINT
MERGED_KEY = keys.MERGED_MODELS


def _model_deps(config) -> list[dg.AssetDep]:
    deps = [dg.AssetDep(BASE_MODEL_KEY), dg.AssetDep(SFT_KEY)]
    if config.evaluation.language_loss.enabled:  # held-out text of the loss-based view
        deps += [dg.AssetDep(keys.SFT_MIX), dg.AssetDep(dg.AssetKey(["bronze", "english_seed_prompts"]))]
    if config.merging.recipe_names():
        deps.append(dg.AssetDep(MERGED_KEY, partition_mapping=dg.AllPartitionMapping()))
    return deps


def build_defs(ctx) -> dg.Definitions:
    from luth_train.evaluation.items import items_frame_schema, load_items
    from luth_train.evaluation.runner import evaluate_benchmark
    from luth_train.evaluation.tables import (
        cell_scores,
        plot_score_table,
        score_table,
        scores_frame,
        to_markdown,
    )

    config = ctx.config
    settings = config.evaluation
    specs = settings.specs()
    names = list(specs) + settings.loss_names()
    models = evaluated_models(config)
    benchmark_parts = dg.StaticPartitionsDefinition(names)
    cells = dg.MultiPartitionsDefinition(
        {"model": dg.StaticPartitionsDefinition(models), "benchmark": benchmark_parts}
    )

    @dg.asset(
        key=ITEMS_KEY,
        group_name=GROUP,
        partitions_def=benchmark_parts,
        code_version="2",
        description="Normalised items of one benchmark (first `evaluation.limit` rows).",
        metadata={"partition_expr": "benchmark"},
    )
    def benchmark_items(context: dg.AssetExecutionContext) -> pl.DataFrame:
        if context.partition_key not in specs:  # loss view: its held-out text stays out of decontamination
            context.add_output_metadata({"items": 0, "source": "held-out text, read when scoring"})
            return pl.DataFrame([], schema=items_frame_schema())
        spec = specs[context.partition_key]
        items = load_items(spec, settings.limit)
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

    @dg.asset(
        key=SCORES_KEY,
        group_name=GROUP,
        partitions_def=cells,
        code_version="2",
        ins={
            "items": dg.AssetIn(
                ITEMS_KEY,
                partition_mapping=dg.MultiToSingleDimensionPartitionMapping(
                    partition_dimension_name="benchmark"
                ),
            )
        },
        deps=_model_deps(config),
        description="Per-sample results of one model on one benchmark: prompt, response or "
        "choice log-likelihoods, extracted answer, correct; aggregate score in metadata.",
    )
    def benchmark_scores(
        context: dg.AssetExecutionContext, lake: LakeResource, items: pl.DataFrame
    ) -> pl.DataFrame:
        from luth_train.evaluation.language_loss import score_language_loss, weighted_loss
        from luth_train.evaluation.model_io import load_model

        keys = context.partition_key.keys_by_dimension
        model, name = keys["model"], keys["benchmark"]
        path = resolve_model(config, ctx.settings.lake_root, model)
        if path.startswith(str(ctx.settings.lake_root)) and not Path(path).is_dir():
            raise FileNotFoundError(
                f"model {model!r} has no checkpoint at {path}: materialise "
                f"{'models/base_model' if model == 'base' else 'its models/ asset'} first"
            )
        options = settings.options()
        lm = load_model(path, device=options.device, dtype=options.dtype)
        if name not in specs:  # language_loss_fr / language_loss_en
            rows = score_language_loss(lm, name, lambda k: read_table(lake, dg.AssetKey(list(k))).collect(),
                                       settings.language_loss.max_texts, options.batch_size)
            context.add_output_metadata({"model": model, "model_path": path, "benchmark": name,
                                         "metric": "mean_token_loss", "score": weighted_loss(rows),
                                         "stderr": None, "n": len(rows)})
            return scores_frame(rows, model)
        result = evaluate_benchmark(lm, specs[name], options, items=items.to_dicts(), log=context.log.info)
        s = result.summary
        context.log.info(f"{model} x {name}: score {s['score']} ± {s['stderr']} on {s['n']} items")
        context.add_output_metadata(
            {
                "model": model,
                "model_path": path,
                "benchmark": name,
                "metric": s["metric"],
                "score": dg.MetadataValue.float(float(s["score"])) if s["score"] is not None else None,
                "stderr": dg.MetadataValue.float(float(s["stderr"])) if s["stderr"] is not None else None,
                "n": s["n"],
                "seconds": s["seconds"],
                "summary": dg.MetadataValue.json(json.loads(json.dumps(s, default=str))),
            }
        )
        return scores_frame(result.rows, model)

    @dg.asset(
        key=TABLE_KEY,
        group_name=GROUP,
        code_version="2",
        ins={"scores": dg.AssetIn(SCORES_KEY, metadata={"allow_missing_partitions": True})},
        description="The paper's table: models x benchmarks (percent), French and English "
        "averages, deltas vs the base model; Markdown and a plot in metadata.",
    )
    def score_table_asset(
        context: dg.AssetExecutionContext, lake: LakeResource, scores: dict[str, pl.LazyFrame]
    ) -> pl.DataFrame:
        frame = pl.concat([lf.collect() for lf in scores.values()], how="diagonal_relaxed")
        identities = {m: resolve_model(config, ctx.settings.lake_root, m) for m in models}
        table = score_table(frame, models, names, identities=identities)
        cells_done = cell_scores(frame).height
        missing = len(models) * len(names) - len(scores)
        if missing:
            context.log.warning(f"{missing} model x benchmark cells are not materialised; left out")
        plot = plot_score_table(table, lake.folder("gold", "plots") / "score_table.png")
        context.add_output_metadata(
            {
                "markdown": dg.MetadataValue.md(to_markdown(table)),
                "plot": dg.MetadataValue.path(str(plot)),
                "models": dg.MetadataValue.json(table["model"].to_list()),
                "cells_scored": cells_done,
                "cells_missing": missing,
            }
        )
        return table

    return dg.Definitions(assets=[benchmark_items, benchmark_scores, score_table_asset])
