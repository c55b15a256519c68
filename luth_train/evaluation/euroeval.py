"""Our scores as EuroEval results: JSON Lines in the Every Eval Ever schema (EEE, v0.2.1), the
format EuroEval writes to `euroeval_benchmark_results.jsonl` since its version 17.

One line per (model, benchmark), as EuroEval writes one per (model, dataset). Fields follow the
schema's documentation (evaleval/every_eval_ever, `eval.schema.json`):

- `schema_version`, `evaluation_id` (`<benchmark>/<model id>/<evaluation time>`: stable for one
  score table, so a re-export of the same scores has the same ids), `evaluation_timestamp`,
  `retrieved_timestamp` (Unix seconds, a string);
- `source_metadata`: an evaluation run of this project; `evaluator_relationship` is `first_party`
  for the models the run trained (sft, merges) and `third_party` for the others (a named base,
  the published checkpoints);
- `model_info`: `name` (the score table's), `id` (the hub id; a lake checkpoint gets
  `luth-lakehouse/<name>`), the path or hub id in `additional_details`;
- `eval_library`: `luth-lakehouse` and its version, the benchmark, its language, task and the
  protocol settings in `additional_details` (all strings, as the schema requires);
- `evaluation_results`: one entry named after the metric (EuroEval's convention), the benchmark's
  hub dataset as `source_data`, a 0-100 continuous metric, the score (percent, mean over runs),
  the first run's standard error and the item count, the run count and the standard deviation
  over runs in `details`; `generation_config` with the temperature, the generation length when
  one is set and whether thinking was on.

The `every-eval-ever` package (which validates these records) needs Python 3.12; this project runs
on 3.11, so the fields are written here and a test checks them against the schema's rules.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import polars as pl

from luth_train.evaluation.registry import LANGUAGE_LOSS_NAMES, REGISTRY
from luth_train.evaluation.tables import cell_scores

SCHEMA_VERSION = "0.2.1"
LIBRARY = "luth-lakehouse"
FILE_NAME = "euroeval_benchmark_results.jsonl"
LANGUAGE_NAMES = {"fr": "French", "en": "English", "es": "Spanish"}


def _library_version() -> str:
    try:
        return metadata.version(LIBRARY)
    except metadata.PackageNotFoundError:
        return "unknown"


def _metric(benchmark: str) -> str:
    from luth_train.evaluation.protocol import PROTOCOLS

    protocol = PROTOCOLS.get(benchmark)
    return getattr(protocol, "metric", None) or "accuracy"


def model_id(name: str, identity: str | None) -> str:
    """A hub id (owner/name) stays as it is; a folder or an unnamed model becomes
    `luth-lakehouse/<name>`."""
    if identity and identity.count("/") == 1 and not identity.startswith((".", "/", "~")) \
            and not Path(identity).exists():
        return identity
    return f"{LIBRARY}/{name}"


def _strings(values: Mapping[str, object]) -> dict[str, str]:
    """The schema's `additional_details`: every value a string, absent values left out."""
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in values.items() if v is not None}


def euroeval_records(
    scores: pl.DataFrame | pl.LazyFrame,
    identities: Mapping[str, str] | None = None,
    *,
    protocol: Mapping[str, object] | None = None,
    first_party: set[str] | frozenset[str] = frozenset(),
    evaluated_at: datetime | None = None,
    retrieved_at: float | None = None,
) -> list[dict]:
    """One EEE record per (model, benchmark) cell of the per-sample `scores` (the
    `gold/benchmark_scores` rows); the loss view's cells are not benchmarks and are left out.
    `protocol`: the evaluation settings (temperature, max_new_tokens, enable_thinking, ...)."""
    identities = identities or {}
    protocol = dict(protocol or {})
    when = (evaluated_at or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    retrieved = str(int(retrieved_at if retrieved_at is not None else time.time()))
    cells = cell_scores(scores).filter(~pl.col("benchmark").is_in(list(LANGUAGE_LOSS_NAMES)))
    records = []
    for cell in cells.iter_rows(named=True):
        name, bench = cell["model"], cell["benchmark"]
        spec = REGISTRY.get(bench)
        mid = model_id(name, identities.get(name))
        uncertainty: dict = {"num_samples": int(cell["n"])}
        if cell["stderr"] is not None:
            uncertainty["standard_error"] = {"value": float(cell["stderr"]), "method": "analytic"}
        generation_args: dict = {"temperature": float(protocol.get("temperature", 0.0)),
                                 "reasoning": bool(protocol.get("enable_thinking", False))}
        if protocol.get("max_new_tokens"):
            generation_args["max_tokens"] = int(protocol["max_new_tokens"])
        source_data: dict = {"dataset_name": bench, "source_type": "hf_dataset"}
        if spec is not None and spec.hub_id:
            source_data |= {"hf_repo": spec.hub_id, "hf_split": spec.split}
        source_data["samples_number"] = int(cell["n"])
        records.append({
            "schema_version": SCHEMA_VERSION,
            "evaluation_id": f"{bench}/{mid}/{when.isoformat()}",
            "evaluation_timestamp": when.isoformat(),
            "retrieved_timestamp": retrieved,
            "source_metadata": {
                "source_name": "Luth lakehouse",
                "source_type": "evaluation_run",
                "source_organization_name": LIBRARY,
                "evaluator_relationship": "first_party" if name in first_party else "third_party",
            },
            "model_info": {"name": name, "id": mid,
                           "additional_details": _strings({"path_or_hub_id": identities.get(name)})},
            "eval_library": {
                "name": LIBRARY, "version": _library_version(),
                "additional_details": _strings({
                    "dataset": bench,
                    "languages": json.dumps([spec.language] if spec else []),
                    "language_name": LANGUAGE_NAMES.get(spec.language) if spec else None,
                    "task": spec.task if spec else None,
                    **{k: v for k, v in protocol.items() if k not in ("temperature",)},
                }),
            },
            "evaluation_results": [{
                "evaluation_name": _metric(bench),
                "source_data": source_data,
                "metric_config": {
                    "evaluation_description": f"{bench}: {_metric(bench)} in percent, mean over runs",
                    "lower_is_better": False, "score_type": "continuous",
                    "min_score": 0, "max_score": 100,
                },
                "score_details": {
                    "score": round(float(cell["score"]), 4),
                    "details": _strings({"runs": int(cell["runs"]),
                                         "std_over_runs": None if cell["std"] is None
                                         else round(float(cell["std"]), 4)}),
                    "uncertainty": uncertainty,
                },
                "generation_config": {"generation_args": generation_args},
            }],
        })
    return records


def write_euroeval_jsonl(records: list[dict], path: str | Path) -> Path:
    """The records as JSON Lines (UTF-8, one record per line), written atomically."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    tmp.replace(out)
    return out
