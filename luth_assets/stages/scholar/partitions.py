"""The exam pairs of the landing folder as Dagster's dynamic partitions `exam_pairs`.

- :func:`pair_with_cache`: pair the landing folder, hashing only new or changed files;
- :func:`find_pair`: the pair behind a partition key (what `bronze/exam_pdfs` reads);
- :func:`register_partitions`: add a partition per pair, drop stale ones and their lake files;
  `luth materialize` calls it before materialising (the landing sensor does the same per tick);
- the rows of `bronze/exam_pdfs` and `ops/exam_unpaired`.
"""

from collections.abc import Callable
from pathlib import Path

import dagster as dg
import polars as pl

from luth_assets.lib.confinement import is_inside
from luth_assets.stages.scholar import landing as landing_scan
from luth_assets.stages.scholar.pairing import (
    ExamPair,
    Pairing,
    load_hasher,
    pair_landing,
    save_hasher,
)
from luth_assets.stages.scholar.settings import ScholarConfig

PARTITIONS = dg.DynamicPartitionsDefinition(name="exam_pairs")
HASH_CACHE = (".scholar", "file_hashes.json")

EXAM_SCHEMA = {
    "exam_id": pl.String, "sujet_path": pl.String, "corrige_path": pl.String,
    "sujet_sha256": pl.String, "corrige_sha256": pl.String, "exam": pl.String,
    "subject": pl.String, "year": pl.Int64, "level": pl.String, "paired_by": pl.String,
    "landing_dir": pl.String,
}
UNPAIRED_SCHEMA = {"path": pl.String, "sha256": pl.String, "role": pl.String,
                   "reason": pl.String, "detail": pl.String,
                   "text_verdict": pl.String, "text_detail": pl.String}


def pair_defaults(cfg: ScholarConfig) -> dict:
    """Subject and level of a pair whose manifest and file names say neither."""
    return {"subject": cfg.default_subject, "level": cfg.default_level}


def pair_with_cache(cfg: ScholarConfig, lake_root: str | Path) -> Pairing:
    """Pair the landing folder, hashing only files new or changed since the last time
    (hashes remembered in `<lake>/.scholar/file_hashes.json`)."""
    cache = Path(str(lake_root).removeprefix("file://")).joinpath(*HASH_CACHE)
    hasher = load_hasher(cache)
    pairing = pair_landing(cfg.landing(lake_root), hasher, pair_defaults(cfg))
    save_hasher(hasher, cache)
    return pairing


def find_pair(cfg: ScholarConfig, lake_root: str | Path, exam_id: str) -> ExamPair:
    """The pair behind a partition key, read again from the landing folder."""
    landing = cfg.landing(lake_root)
    pairs = pair_with_cache(cfg, lake_root).by_id()
    if exam_id not in pairs:
        raise dg.Failure(
            f"exam pair {exam_id} is no longer in {landing}: one of its files was changed or "
            "removed; the landing sensor (or `luth materialize`) registers the new pair and drops "
            "this partition")
    return pairs[exam_id]


def exam_frame(pair: ExamPair, landing: Path) -> pl.DataFrame:
    """The one row of `bronze/exam_pdfs` for a pair."""
    row = {**pair.row(), "landing_dir": str(landing)}
    return pl.DataFrame([row], schema=EXAM_SCHEMA).select(list(EXAM_SCHEMA))


def unpaired_frame(pairing: Pairing, landing: Path | None = None,
                   check: Callable[[Path], tuple[str, str]] | None = None) -> pl.DataFrame:
    """`ops/exam_unpaired`: the files that make no pair, with the reason. With `check` (the
    quarantine's reading of a PDF: verdict, detail), each unpaired file inside `landing` is read
    too, so a lone unreadable PDF says so (`text_verdict`: corrupt, encrypted, ...)."""
    rows = []
    for entry in pairing.unpaired:
        row = {**entry.row(), "text_verdict": None, "text_detail": None}
        path = Path(landing, entry.path) if landing is not None else None
        if check is not None and entry.sha256 is not None and path is not None and path.is_file() \
                and is_inside(path, landing):
            row["text_verdict"], row["text_detail"] = check(path)
        rows.append(row)
    return pl.DataFrame(rows, schema=UNPAIRED_SCHEMA)


def register_partitions(instance: dg.DagsterInstance, cfg: ScholarConfig, lake_root: str,
                        log=print) -> landing_scan.LandingScan:
    """Add a partition per pair in the landing folder, delete stale ones (and their files)."""
    registered = set(instance.get_dynamic_partitions(PARTITIONS.name))
    result = landing_scan.scan(cfg.landing(lake_root), None, registered,
                               defaults=pair_defaults(cfg))
    if result.unsettled:  # nothing added nor dropped: the next materialize reads it again
        log(f"scholar: {result.unsettled}")
    if result.add:
        instance.add_dynamic_partitions(PARTITIONS.name, result.add)
    for key in result.stale:
        instance.delete_dynamic_partition(PARTITIONS.name, key)
    landing_scan.drop_partition_files(lake_root, result.stale)
    if result.add or result.stale:
        log(f"scholar: {len(result.add)} exam pair(s) registered, {len(result.stale)} stale "
            f"removed, {len(result.pairing.unpaired)} unpaired file(s) in {cfg.landing(lake_root)}")
    return result
