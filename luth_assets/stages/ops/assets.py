"""`ops/llm_calls`: one row per LLM run of an asset materialisation.

Every LLM-calling asset (translation, regeneration, the judges, the Scholar chain and its cleaning)
appends its accounting through the `llm` resource's runner; this asset summarises the table and
depends on each of them, so its lineage shows who feeds it. A factory: which LLM assets exist
depends on the run configuration.
"""

import dagster as dg

from luth_assets.lib.llm.accounting import read_llm_calls, totals_by_stage
from luth_assets.lib.metadata import markdown_table
from luth_assets.resources import LakeResource
from luth_assets.stages import keys

GROUP = "ops"


def llm_calls_asset(llm_assets: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=keys.LLM_CALLS, group_name=GROUP, deps=llm_assets,
        description="One row per LLM run of an asset materialisation (stage, asset, partition, "
        "run_id, requests, cache hits, retries, failures by reason, tokens, estimated cost, wall "
        "time). Append-only files under <lake>/ops/llm_calls/ written by each LLM asset; this "
        "asset summarises them. Never holds a key.",
    )
    def llm_calls(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
        calls = read_llm_calls(lake.root)
        context.log.info(f"ops/llm_calls: {calls.height} recorded runs")
        return dg.MaterializeResult(metadata={
            "dagster/row_count": calls.height,
            "requests": int(calls["requests"].sum() or 0),
            "cache_hits": int(calls["cache_hits"].sum() or 0),
            "estimated_cost_usd": round(float(calls["estimated_cost_usd"].sum() or 0.0), 6),
            "by_stage": dg.MetadataValue.md(markdown_table(totals_by_stage(calls))),
        })

    return llm_calls
