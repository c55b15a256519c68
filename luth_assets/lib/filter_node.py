"""The filter node every curating stage repeats: one multi-asset writing what it keeps and what it
rejects (each row with a reason), with a blocking reconcile check: input = kept + rejected, every
input row exactly once.

    @filter_node(name="translated_prompts", group="translation",
                 kept=TRANSLATED, rejected=TRANSLATED_REJECTS, check="translated_reconcile",
                 kept_description=..., rejected_description=..., ins={...})
    def translated_prompts(context, lake: LakeResource, ...) -> Filtered:
        ...
        return Filtered(kept=frame, rejected=rejects, input_ids=ids(seeds))

The body is plain wiring that returns a :class:`Filtered`; this module yields both outputs with the
standard row-count metadata (input, kept, share, reasons) and the check's result. The check is
computed before the outputs are handed to the IO manager, on the ids of what is written.
"""

import functools
import inspect
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import dagster as dg
import polars as pl

from luth_assets.lib.lake import StagedTable
from luth_assets.lib.metadata import markdown_counts
from luth_assets.lib.reconcile import ids, reconcile

Table = pl.DataFrame | pl.LazyFrame | StagedTable


@dataclass
class Filtered:
    """What a filter node's body returns.

    `input_ids`: one column `id`, every input row. `kept_ids` defaults to the kept table's id
    column (a table that repeats rows, e.g. weighted copies, passes its distinct ids instead).
    `cleanup` runs once the outputs are written (e.g. to remove a staged file they were read from).
    `failure`: a message failing the step once both tables are written (e.g. too many failed LLM
    calls: what was answered and rejected is kept, the run still fails).
    """

    kept: Table
    rejected: Table
    input_ids: pl.LazyFrame
    kept_ids: pl.LazyFrame | None = None
    kept_metadata: dict[str, Any] = field(default_factory=dict)
    rejected_metadata: dict[str, Any] = field(default_factory=dict)
    cleanup: Callable[[], None] | None = None
    failure: str | None = None


def _lazy(table: Table) -> pl.LazyFrame:
    return pl.scan_parquet(table.path) if isinstance(table, StagedTable) else table.lazy()


def reason_counts(rejected: Table) -> dict[str, int]:
    frame = _lazy(rejected)
    if "reason" not in frame.collect_schema().names():
        return {}
    rows = frame.group_by(pl.col("reason").fill_null("")).len().collect().rows()
    return {str(reason): int(n) for reason, n in rows}


def filter_outputs(result: Filtered, id_column: str) -> Iterator[Any]:
    """Reconcile, then yield kept, rejected (with row-count metadata) and the check's result."""
    kept_ids = result.kept_ids if result.kept_ids is not None else ids(_lazy(result.kept), id_column)
    counts = reconcile(result.input_ids, kept_ids, ids(_lazy(result.rejected), id_column))
    passed = bool(counts.pop("passed"))
    n_in, n_kept = counts["input_rows"], counts["kept_rows"]
    reasons = reason_counts(result.rejected)
    yield dg.Output(result.kept, output_name="kept", metadata={
        "input_rows": n_in, "kept_rows": n_kept, "kept_share": round(n_kept / max(1, n_in), 4),
        **result.kept_metadata})
    yield dg.Output(result.rejected, output_name="rejected", metadata={
        "rejected_rows": counts["rejected_rows"],
        "reasons": dg.MetadataValue.md(markdown_counts(reasons, "reason")),
        "reasons_json": dg.MetadataValue.json(reasons),
        **result.rejected_metadata})
    if result.cleanup is not None:
        result.cleanup()
    yield dg.AssetCheckResult(passed=passed, metadata=counts)
    if result.failure is not None:
        raise dg.Failure(result.failure)


def filter_node(*, name: str, group: str, kept: dg.AssetKey, rejected: dg.AssetKey, check: str,
                kept_description: str, rejected_description: str,
                check_description: str = "input rows = kept + rejected, every input row exactly once",
                ins: Mapping[str, dg.AssetIn] | None = None, deps: Sequence[Any] | None = None,
                partitions_def: dg.PartitionsDefinition | None = None, code_version: str = "1",
                automation_condition: dg.AutomationCondition | None = None,
                id_column: str = "sample_id", pool: str | None = None) -> Callable[[Callable[..., Filtered]],
                                                          dg.AssetsDefinition]:
    """Decorate a body returning :class:`Filtered` into the kept + rejects multi-asset with its
    blocking reconcile check `check` on the kept table; `pool` puts its step in a Dagster
    concurrency pool (the LLM stages: `luth_assets.executors.LLM_POOL`)."""

    def decorate(body: Callable[..., Filtered]) -> dg.AssetsDefinition:
        @functools.wraps(body)
        def node(*args: Any, **kwargs: Any) -> Iterator[Any]:
            yield from filter_outputs(body(*args, **kwargs), id_column)

        # the UI's code reference points at the body, not at this wrapper
        where = {"dagster/code_references": dg.CodeReferencesMetadataValue(code_references=[
            dg.LocalFileCodeReference(file_path=inspect.getsourcefile(body) or "",
                                      line_number=inspect.getsourcelines(body)[1])])}

        return dg.multi_asset(
            name=name, group_name=group, partitions_def=partitions_def, ins=ins, deps=deps,
            can_subset=False, pool=pool,
            outs={
                "kept": dg.AssetOut(key=kept, description=kept_description,
                                    code_version=code_version, metadata=where,
                                    automation_condition=automation_condition),
                "rejected": dg.AssetOut(key=rejected, description=rejected_description,
                                        code_version=code_version, metadata=where,
                                        automation_condition=automation_condition),
            },
            check_specs=[dg.AssetCheckSpec(check, asset=kept, blocking=True,
                                           description=check_description)],
        )(node)

    return decorate
