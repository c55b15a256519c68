"""The asset checks of `gold/sft_mix` beside its reconcile check (which the filter node carries):
schema, chat roles, empty turns, exact duplicates, contamination, token lengths (blocking) and the
target-language share (warning). What each verifies is a plain function in `mix_rules.py`."""

import dagster as dg
import polars as pl

from luth_assets.resources import LakeResource
from luth_assets.run_config import RunConfig
from luth_assets.stages import keys
from luth_assets.stages.curation import mix_rules
from luth_assets.stages.curation.assets import benchmark_index


def result(outcome: mix_rules.Check) -> dg.AssetCheckResult:
    passed, metadata = outcome
    return dg.AssetCheckResult(passed=passed, metadata={
        k: v if isinstance(v, int | float | str) else dg.MetadataValue.json(v)
        for k, v in metadata.items()})


@dg.asset_check(asset=keys.SFT_MIX, blocking=True, description="columns and types of the mix")
def sft_mix_schema(sft_mix: pl.DataFrame) -> dg.AssetCheckResult:
    return result(mix_rules.check_schema(sft_mix))


@dg.asset_check(asset=keys.SFT_MIX, blocking=True,
                description="roles: optional system first, user/assistant alternating, ending "
                "with assistant")
def sft_mix_chat_roles(sft_mix: pl.DataFrame) -> dg.AssetCheckResult:
    return result(mix_rules.check_chat_roles(sft_mix))


@dg.asset_check(asset=keys.SFT_MIX, blocking=True, description="no empty or whitespace-only turn")
def sft_mix_no_empty_turns(sft_mix: pl.DataFrame) -> dg.AssetCheckResult:
    return result(mix_rules.check_no_empty_turns(sft_mix))


@dg.asset_check(asset=keys.SFT_MIX, blocking=True,
                description="zero exact duplicates (normalised dialogue), weighted copies aside")
def sft_mix_no_exact_duplicates(sft_mix: pl.DataFrame) -> dg.AssetCheckResult:
    return result(mix_rules.check_no_exact_duplicates(sft_mix))


@dg.asset_check(asset=keys.SFT_MIX, blocking=True,
                description="zero rows sharing an n-gram with a benchmark item")
def sft_mix_no_contamination(sft_mix: pl.DataFrame, lake: LakeResource,
                             run_config: dg.ResourceParam[RunConfig]) -> dg.AssetCheckResult:
    index = benchmark_index(lake, run_config)
    return result(mix_rules.check_no_contamination(sft_mix, index))


@dg.asset_check(asset=keys.SFT_MIX, blocking=True,
                description="every row at most curation.max_tokens tokens")
def sft_mix_token_lengths(sft_mix: pl.DataFrame, run_config: dg.ResourceParam[RunConfig]
                          ) -> dg.AssetCheckResult:
    return result(mix_rules.check_token_lengths(sft_mix, run_config.curation.max_tokens))


@dg.asset_check(asset=keys.SFT_MIX, blocking=False,
                description="share of rows detected as the target language >= "
                "curation.min_target_language_share")
def sft_mix_target_language(sft_mix: pl.DataFrame, run_config: dg.ResourceParam[RunConfig]
                            ) -> dg.AssetCheckResult:
    return result(mix_rules.check_target_language(
        sft_mix, run_config.target_language, run_config.curation.min_target_language_share,
        run_config.language_id.seed))


SFT_MIX_CHECKS = [sft_mix_schema, sft_mix_chat_roles, sft_mix_no_empty_turns,
                  sft_mix_no_exact_duplicates, sft_mix_no_contamination, sft_mix_token_lengths,
                  sft_mix_target_language]
