"""Benchmark sources from a run configuration's `evaluation.benchmarks` mapping.

    evaluation:
      benchmarks:
        arc_challenge_fr: {path: benchmarks/arc_challenge_fr.jsonl}     # local file, registry format
        mmlu_fr: {path: /data/mmlu_fr/test, format: mmlu_csv}         # a folder of CSVs
        hellaswag_en: {}                                                # the hub id of the registry
        gpqa_diamond_fr: {hub_id: me/gpqa-fr, split: train}

Relative paths are resolved against the configuration file's folder. An empty mapping means all
twelve benchmarks from the hub.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from luth_train.evaluation.registry import BENCHMARK_NAMES, BenchmarkSpec, get_spec

SOURCE_KEYS = ("path", "format", "hub_id", "hub_config", "split")


def resolve_path(path: str | None, base: Path | None) -> str | None:
    if not path:
        return None
    p = Path(path).expanduser()
    if not p.is_absolute() and base is not None:
        p = (base / p).resolve()
    return str(p)


def specs_from_mapping(
    benchmarks: Mapping[str, Mapping[str, Any] | None] | None, base: Path | None = None
) -> dict[str, BenchmarkSpec]:
    """name -> spec with its configured source; every registry name when `benchmarks` is empty."""
    if not benchmarks:
        return {name: get_spec(name) for name in BENCHMARK_NAMES}
    out: dict[str, BenchmarkSpec] = {}
    for name, source in benchmarks.items():
        source = dict(source or {})
        unknown = set(source) - set(SOURCE_KEYS)
        if unknown:
            raise ValueError(
                f"evaluation.benchmarks.{name}: unknown keys {sorted(unknown)}; "
                f"allowed: {', '.join(SOURCE_KEYS)}"
            )
        spec = get_spec(name)
        out[name] = spec.with_source(
            path=resolve_path(source.get("path"), base),
            format=source.get("format"),
            hub_id=source.get("hub_id"),
            hub_config=source.get("hub_config"),
            split=source.get("split"),
        )
    return out
