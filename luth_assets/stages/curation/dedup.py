"""Exact and near-duplicate detection across all candidate rows.

- **Exact**: two rows are duplicates when the normalised text of their dialogue (system turns
  left out; each turn's role word, then its content normalised as in `normalise`) is equal.
- **Near**: word-shingle sets (``shingle_words`` consecutive normalised words) whose Jaccard
  similarity is at least ``threshold``. Candidates come from MinHash LSH: `datasketch` MinHash
  signatures, cut into the bands `datasketch.MinHashLSH` picks for that threshold and number of
  permutations; rows sharing a band bucket are candidate pairs, and every pair is verified on
  the exact Jaccard of the shingle sets before it counts. Verified pairs are joined into clusters
  (union-find).

Which row survives a cluster: the first subset in ``subset_priority`` (default scholar >
gathered (written by people) > translated), ties broken by the smallest sample_id. Every other
row is returned with the sample_id it duplicates (``duplicate_of``, the survivor) and
``similarity``: the Jaccard with the survivor when that reaches the threshold, else (a chain
A~B, B~C puts C in A's cluster) with the nearest cluster member it was verified against, so
the figure is never under the threshold.

Rows are read in batches and only small per-row keys (exact hash, band hashes) are held, so
memory grows slowly with the number of rows (see `benchmarks/mix_scale.py`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import polars as pl

from luth_assets.stages.curation.normalise import normalised, window_hashes, word_hashes
from luth_assets.stages.curation.settings import DedupConfig

EXACT_SEED = 7
DUPLICATE_SCHEMA = {"sample_id": pl.String, "reason": pl.String, "duplicate_of": pl.String,
                    "similarity": pl.Float64}


@dataclass
class DedupReport:
    rows: int
    exact_duplicates: int
    near_duplicates: int
    threshold: float
    num_perm: int
    bands: int
    rows_per_band: int
    candidate_pairs: int
    verified_pairs: int
    seconds: float


def dialogue_text() -> pl.Expr:
    """Normalised text of the non-system turns: ``user <text> assistant <text> ...``."""
    role = pl.element().struct.field("role")
    content = pl.element().struct.field("content")
    return (pl.col("messages")
            .list.eval(pl.element().filter(role != "system"))
            .list.eval(pl.concat_str(role, pl.lit(" "), normalised(content)))
            .list.join(" ").alias("dialogue"))


def subset_rank(priority: list[str]) -> pl.Expr:
    """0 for the first subset of `priority`, 1 for the next, ...; unknown subsets come last."""
    mapping = {name: i for i, name in enumerate(priority)}
    return pl.col("subset").replace_strict(mapping, default=len(priority),
                                           return_dtype=pl.Int32).alias("rank")


def iter_batches(frame: pl.LazyFrame, size: int) -> Iterator[pl.DataFrame]:
    total = frame.select(pl.len()).collect().item()
    for offset in range(0, total, size):
        yield frame.slice(offset, size).collect()


def lsh_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows per band) that `datasketch.MinHashLSH` chooses for this threshold."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


def shingle_sets(dialogues: pl.Series, shingle_words: int) -> list[np.ndarray]:
    """Sorted unique 32-bit shingle hashes of each normalised dialogue (empty when too short)."""
    hashes, groups = word_hashes(dialogues)
    grams, owner = window_hashes(hashes, groups, shingle_words)
    folded = ((grams >> np.uint64(32)) ^ (grams & np.uint64(0xFFFFFFFF))).astype(np.uint32)
    counts = np.bincount(owner, minlength=len(dialogues)) if len(owner) else \
        np.zeros(len(dialogues), np.int64)
    parts = np.split(folded, np.cumsum(counts)[:-1]) if len(dialogues) else []
    return [np.unique(p) for p in parts]


def band_hashes(sets: list[np.ndarray], num_perm: int, seed: int, bands: int,
                rows_per_band: int) -> np.ndarray:
    """One 32-bit hash per LSH band of each set's MinHash signature, shape (len(sets), bands)."""
    from datasketch import MinHash

    out = np.zeros((len(sets), bands), np.uint32)
    if not sets:
        return out
    template = MinHash(num_perm=num_perm, seed=seed, hashfunc=int)
    signatures = np.empty((len(sets), num_perm), np.uint64)
    for i, shingles in enumerate(sets):
        sketch = template.copy()
        sketch.update_batch(shingles)
        signatures[i] = sketch.hashvalues
    cut = signatures[:, :bands * rows_per_band].reshape(len(sets), bands, rows_per_band)
    acc = np.zeros((len(sets), bands), np.uint64)
    with np.errstate(over="ignore"):
        for k in range(rows_per_band):
            acc = acc * np.uint64(0x100000001B3) + cut[:, :, k]
    return (acc >> np.uint64(32)).astype(np.uint32)


def _row_keys(rows: pl.LazyFrame, cfg: DedupConfig, batch_size: int, bands: int, r: int,
              log: Callable[[str], None]) -> pl.DataFrame:
    near = cfg.near
    parts = []
    seen = 0
    for batch in iter_batches(rows.select("sample_id", "subset", "messages"), batch_size):
        keyed = batch.select("sample_id", subset_rank(cfg.subset_priority), dialogue_text())
        columns = {"sample_id": keyed["sample_id"], "rank": keyed["rank"],
                   "exact_key": keyed["dialogue"].hash(EXACT_SEED)}
        if near.enabled:
            sets = shingle_sets(keyed["dialogue"], near.shingle_words)
            matrix = band_hashes(sets, near.num_perm, near.seed, bands, r)
            columns["has_shingles"] = pl.Series([len(s) > 0 for s in sets], dtype=pl.Boolean)
            for b in range(bands):
                columns[f"band_{b}"] = matrix[:, b]
        parts.append(pl.DataFrame(columns))
        seen += batch.height
        log(f"dedup keys: {seen} rows")
    if not parts:
        return pl.DataFrame(schema={"sample_id": pl.String, "rank": pl.Int32,
                                    "exact_key": pl.UInt64})
    return pl.concat(parts)


def _exact(keys: pl.DataFrame) -> pl.DataFrame:
    ordered = keys.select("sample_id", "rank", "exact_key").sort("rank", "sample_id")
    first = ordered.group_by("exact_key", maintain_order=True).agg(
        pl.col("sample_id").first().alias("duplicate_of"))
    return (ordered.join(first, on="exact_key")
            .filter(pl.col("sample_id") != pl.col("duplicate_of"))
            .select("sample_id", pl.lit("exact_duplicate").alias("reason"), "duplicate_of",
                    pl.lit(1.0).alias("similarity")))


def _candidate_pairs(keys: pl.DataFrame, bands: int) -> pl.DataFrame:
    """(sample_id, other) pairs sharing a bucket: each member paired with its bucket's best row."""
    pairs = []
    for b in range(bands):
        column = f"band_{b}"
        buckets = (keys.select("sample_id", "rank", column).sort("rank", "sample_id")
                   .group_by(column, maintain_order=True)
                   .agg(pl.col("sample_id").first().alias("other"), pl.col("sample_id"))
                   .filter(pl.col("sample_id").list.len() > 1)
                   .explode("sample_id").filter(pl.col("sample_id") != pl.col("other"))
                   .select("sample_id", "other"))
        pairs.append(buckets)
    return pl.concat(pairs).unique() if pairs else pl.DataFrame(
        schema={"sample_id": pl.String, "other": pl.String})


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    union = len(np.union1d(a, b))
    return len(np.intersect1d(a, b, assume_unique=True)) / union if union else 0.0


def _clusters(edges: list[tuple[str, str]]) -> dict[str, str]:
    """Union-find: node -> root of its cluster."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {node: find(node) for node in parent}


def _near(rows: pl.LazyFrame, keys: pl.DataFrame, cfg: DedupConfig, bands: int,
          batch_size: int) -> tuple[pl.DataFrame, int, int]:
    near = cfg.near
    pairs = _candidate_pairs(keys.filter(pl.col("has_shingles")), bands)
    if pairs.is_empty():
        return pl.DataFrame(schema=DUPLICATE_SCHEMA), 0, 0
    involved = pl.concat([pairs["sample_id"], pairs["other"]]).unique().implode()
    texts = pl.concat([batch.filter(pl.col("sample_id").is_in(involved))
                       .select("sample_id", dialogue_text())
                       for batch in iter_batches(rows.select("sample_id", "messages"), batch_size)])
    sets = dict(zip(texts["sample_id"].to_list(),
                    shingle_sets(texts["dialogue"], near.shingle_words), strict=True))
    scored = [(a, b, _jaccard(sets[a], sets[b])) for a, b in pairs.iter_rows()]
    verified = [(a, b) for a, b, sim in scored if sim >= near.threshold]
    # best verified similarity of each row: what it is reported with when the cluster's survivor
    # came in through a chain (A~B, B~C: C is dropped for A though C and A may share little)
    nearest: dict[str, float] = {}
    for a, b, sim in scored:
        if sim >= near.threshold:
            nearest[a] = max(nearest.get(a, 0.0), sim)
            nearest[b] = max(nearest.get(b, 0.0), sim)
    roots = _clusters(verified)
    rank = dict(keys.filter(pl.col("sample_id").is_in(list(roots))).select(
        "sample_id", "rank").iter_rows())
    members: dict[str, list[str]] = {}
    for node, root in roots.items():
        members.setdefault(root, []).append(node)
    rejected = []
    for group in members.values():
        keep = min(group, key=lambda s: (rank[s], s))
        for member in sorted(group):
            if member == keep:
                continue
            sim = _jaccard(sets[member], sets[keep])
            if sim < near.threshold:
                sim = nearest[member]
            rejected.append((member, "near_duplicate", keep, round(sim, 4)))
    frame = pl.DataFrame(rejected, schema=DUPLICATE_SCHEMA, orient="row")
    return frame, pairs.height, len(verified)


def _follow_to_survivor(exact: pl.DataFrame, near: pl.DataFrame) -> pl.DataFrame:
    """An exact duplicate of a row that is itself a near-duplicate points at the row kept:
    relative to it, it is a near-duplicate."""
    hop = near.select(pl.col("sample_id").alias("duplicate_of"),
                      pl.col("duplicate_of").alias("survivor"), pl.col("similarity").alias("sim"))
    joined = exact.join(hop, on="duplicate_of", how="left")
    moved = pl.col("survivor").is_not_null()
    return joined.select(
        "sample_id",
        pl.when(moved).then(pl.lit("near_duplicate")).otherwise("reason").alias("reason"),
        pl.when(moved).then("survivor").otherwise("duplicate_of").alias("duplicate_of"),
        pl.when(moved).then("sim").otherwise("similarity").alias("similarity"))


def find_duplicates(rows: pl.LazyFrame, cfg: DedupConfig, batch_size: int = 5000,
                    log: Callable[[str], None] = lambda _: None
                    ) -> tuple[pl.DataFrame, DedupReport]:
    """Rows to drop as duplicates: ``sample_id, reason (exact_duplicate | near_duplicate),
    duplicate_of (the surviving row), similarity (Jaccard with it)``.

    `rows` needs ``sample_id, subset, messages``; sample_ids must be unique. It is read in
    slices of `batch_size` rows: pass a plain Parquet scan (a filtered or joined plan would be
    recomputed for every slice).
    """
    started = time.perf_counter()
    bands, r = lsh_bands(cfg.near.threshold, cfg.near.num_perm)
    keys = _row_keys(rows, cfg, batch_size, bands, r, log)
    exact = _exact(keys)
    near = pl.DataFrame(schema=DUPLICATE_SCHEMA)
    candidates = verified = 0
    if cfg.near.enabled and keys.height:
        survivors = keys.join(exact.select("sample_id"), on="sample_id", how="anti")
        near, candidates, verified = _near(rows, survivors, cfg, bands, batch_size)
        exact = _follow_to_survivor(exact, near)
    report = DedupReport(
        rows=keys.height, exact_duplicates=exact.height, near_duplicates=near.height,
        threshold=cfg.near.threshold, num_perm=cfg.near.num_perm, bands=bands, rows_per_band=r,
        candidate_pairs=candidates, verified_pairs=verified,
        seconds=round(time.perf_counter() - started, 3))
    return pl.concat([exact, near]), report
