"""Asset check of each `gold/benchmark_items` partition: as many items as the benchmark has, and
each item once. The expected count is the registry's hub size (`BenchmarkSpec.expected_items`),
or the row count of the local file a run points the benchmark at, capped by `evaluation.limit`
(the demo's 3); a benchmark of unknown size only needs between 1 and `limit` items. A held-out
loss partition holds no item.

The check is partitioned like the asset, so the UI shows it per benchmark and a failed partition
blocks the scoring that reads it in the same run.
"""

import dagster as dg
import polars as pl

from luth_assets.run_config import RunConfig
from luth_assets.stages import keys
from luth_train.evaluation.items import read_rows
from luth_train.evaluation.registry import BenchmarkSpec


def expected_item_count(spec: BenchmarkSpec, limit: int | None) -> tuple[int | None, str]:
    """(items `gold/benchmark_items` should hold, where that number comes from); None: unknown."""
    if spec.path:
        size, basis = sum(1 for _ in read_rows(spec)), f"rows of {spec.path}"
    elif spec.expected_items is not None:
        size, basis = spec.expected_items, f"hub size of {spec.hub_id} [{spec.split}]"
    else:
        return None, f"size of {spec.hub_id} [{spec.split}] not in the registry"
    if limit is not None and limit < size:
        return limit, f"evaluation.limit {limit} ({basis}: {size})"
    return size, basis


def item_problems(items: pl.DataFrame, expected: int | None, limit: int | None) -> list[str]:
    """What is wrong with one benchmark's items (empty: nothing)."""
    n = items.height
    problems = []
    if expected is not None and n != expected:
        problems.append(f"{n} items, expected {expected}")
    if expected is None and (n == 0 or (limit is not None and n > limit)):
        problems.append(f"{n} items, expected between 1 and {limit if limit is not None else 'any'}")
    duplicated = n - items["item_id"].n_unique() if n else 0
    if duplicated:
        problems.append(f"{duplicated} item ids appear twice")
    return problems


def benchmark_items_check(partitions: dg.PartitionsDefinition) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=keys.BENCHMARK_ITEMS, partitions_def=partitions, blocking=True,
                    description="as many items as the benchmark has (the registry's hub size or the "
                    "local file's rows, capped by evaluation.limit), each item once")
    def benchmark_items_counts(context: dg.AssetCheckExecutionContext, benchmark_items: pl.DataFrame,
                               run_config: dg.ResourceParam[RunConfig]) -> dg.AssetCheckResult:
        settings = run_config.evaluation
        spec = settings.specs().get(context.partition_key)
        if spec is None:  # a held-out loss view: its text is read when scoring
            expected, basis = 0, "held-out text, read when scoring"
        else:
            expected, basis = expected_item_count(spec, settings.limit)
        problems = item_problems(benchmark_items, expected, settings.limit)
        return dg.AssetCheckResult(passed=not problems, metadata={
            "items": benchmark_items.height, "expected_items": expected if expected is not None else -1,
            "expected_from": basis, "problems": dg.MetadataValue.json(problems)})

    return benchmark_items_counts
