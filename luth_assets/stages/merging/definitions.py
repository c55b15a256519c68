"""Merging stage assets: `models/merged_models` (one static partition per recipe) and
`models/best_merge` (the FR/EN Pareto choice over `gold/score_table`, with its plot).

mergekit is the engine (`luth_train.merge`): each partition writes the recipe's mergekit YAML,
merges `models/sft_checkpoint` back into `models/base_model`, validates the result (a failed
validation fails the partition with the reasons) and records hash, size, time and peak memory.
"""

import dagster as dg
import polars as pl

from luth_assets.lib.models import base_model_dir, merged_model_dir, sft_checkpoint_dir
from luth_assets.resources import LakeResource
from luth_assets.stages import keys
from luth_assets.stages.merging.pareto import choose_merge, pareto_plot_png, png_markdown
from luth_assets.stages.merging.recipes import merge_source, result_metadata, run_options
from luth_assets.stages.training.definitions import read_table

GROUP = "merging"
MERGED_KEY = keys.MERGED_MODELS
BEST_KEY = dg.AssetKey(["models", "best_merge"])
BASE_KEY = keys.BASE_MODEL
SFT_KEY = keys.SFT_CHECKPOINT
SCORES_KEY = keys.SCORE_TABLE


def build_defs(ctx) -> dg.Definitions:
    config = ctx.config
    merging = config.merging
    recipes = merging.all_recipes()
    if not recipes:
        return dg.Definitions()
    partitions = dg.StaticPartitionsDefinition(sorted(recipes))

    @dg.asset(
        key=MERGED_KEY, group_name=GROUP, partitions_def=partitions, code_version="1",
        deps=[BASE_KEY, SFT_KEY],
        description="The SFT checkpoint merged back into its base by mergekit, one partition per "
        "recipe of merging.recipes / merging.sweep, validated after the merge.",
    )
    def merged_models(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
        from luth_train.merge import merge

        name = context.partition_key
        spec = recipes[name]
        base = config.training.base_model or str(base_model_dir(lake.path))
        sft = str(sft_checkpoint_dir(lake.path))
        out = merged_model_dir(lake.path, name)
        source = merge_source(spec, merging, base, sft, name)
        context.log.info(f"merging {name}: {spec.method if spec.mergekit_yaml is None else source}")
        result = merge(source, out, options=run_options(merging), base_model=base, finetuned_model=sft,
                       validate=merging.validate_merges, overwrite=True)
        meta = result_metadata(result, spec)
        peak_mib = meta["peak_rss_bytes"] / 2**20
        context.log.info(f"{name}: {meta['merge_time_s']}s, peak RSS {peak_mib:.0f} MiB")
        meta["mergekit_yaml"] = dg.MetadataValue.md(f"```yaml\n{result.mergekit_yaml}\n```")
        return dg.MaterializeResult(metadata=meta, data_version=dg.DataVersion(result.output_sha256))

    @dg.asset(
        key=BEST_KEY, group_name=GROUP, code_version="1", deps=[MERGED_KEY, SCORES_KEY],
        description="The merge chosen on the FR/EN Pareto front by merging.pareto.rule (default: best "
        "French average with English average >= the base's), with a Pareto plot.",
    )
    def best_merge(context: dg.AssetExecutionContext, lake: LakeResource) -> pl.DataFrame:
        scores = read_table(lake, SCORES_KEY).collect()
        choice = choose_merge(scores, sorted(recipes), merging.pareto)
        png = pareto_plot_png(scores, choice)
        plot_path = lake.folder("models") / "best_merge_pareto.png"
        plot_path.write_bytes(png)
        context.log.info(f"chose {choice.recipe}: FR {choice.fr_average:.2f}, EN {choice.en_average:.2f} "
                         f"({choice.reason})")
        context.add_output_metadata({
            "chosen_recipe": choice.recipe,
            "chosen_model": choice.model,
            "chosen_path": str(merged_model_dir(lake.path, choice.recipe)),
            "fr_average": choice.fr_average,
            "en_average": choice.en_average,
            "rule": merging.pareto.rule,
            "reason": choice.reason,
            "pareto_front": dg.MetadataValue.json(
                choice.table.filter(pl.col("on_front"))["recipe"].to_list()),
            "pareto_plot": dg.MetadataValue.md(png_markdown(png)),
            "pareto_plot_path": dg.MetadataValue.path(str(plot_path)),
        })
        return choice.table.with_columns(
            path=pl.col("recipe").map_elements(lambda r: str(merged_model_dir(lake.path, r)),
                                               return_dtype=pl.String),
            rule=pl.lit(merging.pareto.rule), reason=pl.lit(choice.reason))

    return dg.Definitions(assets=[merged_models, best_merge])
