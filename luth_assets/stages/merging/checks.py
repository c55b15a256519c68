"""Asset check of `models/best_merge`: exactly one merge is chosen and it is on the FR/EN Pareto
front (no other scored model is at least as good in both languages and better in one)."""

import dagster as dg
import polars as pl

from luth_assets.resources import LakeResource
from luth_assets.stages.merging.assets import BEST_MERGE
from luth_assets.stages.merging.pareto import pareto_front


def check_choice(table: pl.DataFrame) -> tuple[bool, dict]:
    chosen = table.filter(pl.col("chosen"))["recipe"].to_list()
    if len(chosen) != 1:
        return False, {"chosen": chosen, "problem": f"{len(chosen)} merges chosen, expected 1"}
    points = {r["recipe"]: (r["fr_average"], r["en_average"]) for r in table.to_dicts()}
    front = sorted(pareto_front(points))
    marked = bool(table.filter(pl.col("recipe") == chosen[0])["on_front"][0])
    return (chosen[0] in front and marked), {"chosen": chosen[0], "pareto_front": front,
                                             "marked_on_front": marked}


@dg.asset_check(asset=BEST_MERGE, blocking=True,
                description="one merge is chosen and no other scored model beats it in both "
                "French and English (it is on the Pareto front)")
def best_merge_on_front(lake: LakeResource) -> dg.AssetCheckResult:
    passed, meta = check_choice(lake.read(BEST_MERGE).collect())
    return dg.AssetCheckResult(passed=passed, metadata={
        k: v if isinstance(v, (bool, str)) else dg.MetadataValue.json(v) for k, v in meta.items()})
