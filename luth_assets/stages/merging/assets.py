"""Merging stage assets: `models/merged_models` (one static partition per recipe: a factory, as
the recipes come from the run configuration) and `models/best_merge` (the FR/EN Pareto choice
over `gold/score_table`, with its plot).

mergekit is the engine (`luth_train.merge`): each partition writes the recipe's mergekit YAML,
merges `models/sft_checkpoint` back into `models/base_model`, validates the result (a failed
validation fails the partition with the reasons) and records hash, size, time and peak memory.
"""

import dagster as dg
import polars as pl

from luth_assets.lib.lake import relative_to_lake
from luth_assets.lib.metadata import png_markdown
from luth_assets.lib.models import BASE, SFT, merged_model_dir, pareto_plot_path, resolve_model
from luth_assets.resources import LakeResource
from luth_assets.run_config import RunConfig
from luth_assets.stages import keys
from luth_assets.stages.merging.pareto import choose_merge, pareto_plot_png
from luth_assets.stages.merging.recipes import merge_source, result_metadata, run_options

GROUP = "merging"
BEST_MERGE = dg.AssetKey(["models", "best_merge"])


def merged_models_asset(recipe_names: list[str]) -> dg.AssetsDefinition:
    @dg.asset(
        key=keys.MERGED_MODELS, group_name=GROUP,
        partitions_def=dg.StaticPartitionsDefinition(sorted(recipe_names)), code_version="1",
        deps=[keys.BASE_MODEL, keys.SFT_CHECKPOINT],
        description="The SFT checkpoint merged back into its base by mergekit, one partition per "
        "recipe of merging.recipes / merging.sweep, validated after the merge.",
    )
    def merged_models(context: dg.AssetExecutionContext, lake: LakeResource,
                      run_config: dg.ResourceParam[RunConfig]) -> dg.MaterializeResult:
        from luth_train.merge import merge

        merging = run_config.merging
        name = context.partition_key
        spec = merging.all_recipes()[name]
        base = resolve_model(run_config, lake.path, BASE)
        sft = resolve_model(run_config, lake.path, SFT)
        source = merge_source(spec, merging, base, sft, name)
        context.log.info(f"merging {name}: {spec.method if spec.mergekit_yaml is None else source}")
        result = merge(source, merged_model_dir(lake.path, name), options=run_options(merging),
                       base_model=base, finetuned_model=sft, validate=merging.validate_merges,
                       overwrite=True, card_root=lake.path)
        meta = result_metadata(result, spec)
        meta["output_path"] = relative_to_lake(meta["output_path"], lake.path)  # models/merged/<r>
        peak_mib = meta["peak_rss_bytes"] / 2**20
        context.log.info(f"{name}: {meta['merge_time_s']}s, peak RSS {peak_mib:.0f} MiB")
        meta["mergekit_yaml"] = dg.MetadataValue.md(f"```yaml\n{result.mergekit_yaml}\n```")
        return dg.MaterializeResult(metadata=meta,
                                    data_version=dg.DataVersion(result.output_sha256))

    return merged_models


@dg.asset(
    key=BEST_MERGE, group_name=GROUP, code_version="1",
    deps=[keys.MERGED_MODELS, keys.SCORE_TABLE],
    description="The merge chosen on the FR/EN Pareto front by merging.pareto.rule (default: best "
    "French average with English average >= the base's), with a Pareto plot.",
)
def best_merge(context: dg.AssetExecutionContext, lake: LakeResource,
               run_config: dg.ResourceParam[RunConfig]) -> pl.DataFrame:
    merging = run_config.merging
    scores = lake.read(keys.SCORE_TABLE).collect()
    choice = choose_merge(scores, merging.recipe_names(), merging.pareto)
    png = pareto_plot_png(scores, choice)
    plot_path = pareto_plot_path(lake.path)
    plot_path.parent.mkdir(parents=True, exist_ok=True)
    plot_path.write_bytes(png)
    context.log.info(f"chose {choice.recipe}: FR {choice.fr_average:.2f}, "
                     f"EN {choice.en_average:.2f} ({choice.reason})")
    context.add_output_metadata({
        "chosen_recipe": choice.recipe,
        "chosen_model": choice.model,
        "chosen_path": relative_to_lake(merged_model_dir(lake.path, choice.recipe), lake.path),
        "fr_average": choice.fr_average,
        "en_average": choice.en_average,
        "rule": merging.pareto.rule,
        "reason": choice.reason,
        "pareto_front": dg.MetadataValue.json(
            choice.table.filter(pl.col("on_front"))["recipe"].to_list()),
        "pareto_plot": dg.MetadataValue.md(png_markdown(png, "Pareto plot")),
        "pareto_plot_path": dg.MetadataValue.path(str(plot_path)),
    })
    return choice.table.with_columns(
        path=pl.col("recipe").map_elements(  # relative to the lake: a moved lake still resolves
            lambda r: relative_to_lake(merged_model_dir(lake.path, r), lake.path), return_dtype=pl.String),
        rule=pl.lit(merging.pareto.rule), reason=pl.lit(choice.reason))
