"""Scaling of the curation stage's dedup + decontamination: 20k vs 200k generated rows.

Each size runs in a fresh child process that reads the rows from Parquet in batches (as the asset
does), finds exact and near duplicates (MinHash LSH) and benchmark contamination (13-gram index of
3000 generated benchmark items), and reports seconds and peak RSS (the child's own VmHWM). The rows
carry ~1% planted exact duplicates, ~1% near duplicates and ~0.5% contaminated rows, and the script
checks they are found. Targets: time grows <= 12x and peak RSS <= 2x for 10x the rows. Ends with
one JSON line; exits 1 when a target is missed.

    .venv/bin/python benchmarks/mix_scale.py [--small 20000] [--large 200000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import polars as pl

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SYLLABLES = ("ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo fu la le li lo lu ma me "
             "mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to "
             "tu va ve vi vo vu").split()
BENCHMARK_ITEMS = 3000


def vocabulary(size: int = 20000, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    words = {"".join(rng.choice(SYLLABLES, rng.integers(2, 5))) for _ in range(size * 2)}
    return np.array(sorted(words)[:size])


def sentence(rng: np.random.Generator, vocab: np.ndarray, low: int, high: int) -> str:
    return " ".join(vocab[rng.integers(0, len(vocab), rng.integers(low, high))])


def make_inputs(folder: Path, rows: int, seed: int = 0) -> dict[str, int]:
    """Rows + benchmark items as Parquet; returns how many duplicates/contaminations were planted."""
    rng = np.random.default_rng(seed)
    vocab = vocabulary()
    bench_rng = np.random.default_rng(99)  # the same benchmark for every size
    questions = [sentence(bench_rng, vocab, 15, 40) for _ in range(BENCHMARK_ITEMS)]
    pl.DataFrame({"benchmark": ["bench_fr"] * BENCHMARK_ITEMS,
                  "item_id": [str(i) for i in range(BENCHMARK_ITEMS)], "question": questions,
                  "answer": [str(i) for i in range(BENCHMARK_ITEMS)],
                  "choices": [[] for _ in range(BENCHMARK_ITEMS)]},
                 schema_overrides={"choices": pl.List(pl.String)}
                 ).write_parquet(folder / "benchmark_items.parquet")
    users, answers = [], []
    planted = {"exact": 0, "near": 0, "contaminated": 0}
    for i in range(rows):
        kind = rng.random()
        if i > 10 and kind < 0.01:            # exact duplicate, case and spacing changed
            j = int(rng.integers(0, i - 1))
            users.append("  " + users[j].upper() + " ?")
            answers.append(answers[j])
            planted["exact"] += 1
        elif i > 10 and kind < 0.02:          # near duplicate: a few words of the answer changed
            j = int(rng.integers(0, i - 1))
            words = answers[j].split()
            for k in rng.integers(0, len(words), 3):
                words[k] = str(vocab[rng.integers(0, len(vocab))])
            users.append(users[j])
            answers.append(" ".join(words))
            planted["near"] += 1
        elif kind < 0.025:                    # a benchmark question pasted into the prompt
            users.append("voici " + questions[int(rng.integers(0, BENCHMARK_ITEMS))] + " merci")
            answers.append(sentence(rng, vocab, 30, 80))
            planted["contaminated"] += 1
        else:
            users.append(sentence(rng, vocab, 10, 25))
            answers.append(sentence(rng, vocab, 30, 80))
    messages = [[{"role": "user", "content": u}, {"role": "assistant", "content": a}]
                for u, a in zip(users, answers, strict=True)]
    pl.DataFrame({"sample_id": [f"{i:016x}" for i in range(rows)],
                  "subset": ["gathered"] * rows, "messages": messages}
                 ).write_parquet(folder / "rows.parquet", row_group_size=5000)
    return planted


CHILD = """
import json, resource, sys, time
sys.path.insert(0, {repo!r})
import polars as pl
from luth_assets.stages.curation.settings import CurationConfig
from luth_assets.stages.curation.dedup import find_duplicates
from luth_assets.stages.curation.decontaminate import build_benchmark_index, find_contaminated
cfg = CurationConfig()
rows = pl.scan_parquet({rows!r})
started = time.perf_counter()
duplicates, report = find_duplicates(rows, cfg.dedup, cfg.batch_size)
dedup_seconds = time.perf_counter() - started
index = build_benchmark_index(pl.read_parquet({bench!r}), cfg.decontamination)
hits = find_contaminated(rows, index, cfg.batch_size, exclude=duplicates["sample_id"])
seconds = time.perf_counter() - started
# VmHWM: this process's own peak. ru_maxrss would carry the parent's peak over fork + exec.
status = open("/proc/self/status").read().split("VmHWM:")
peak_kib = int(status[1].split()[0]) if len(status) > 1 else \
    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"seconds": round(seconds, 2), "dedup_seconds": round(dedup_seconds, 2),
                  "peak_rss_mib": round(peak_kib / 1024, 1),
                  "exact": report.exact_duplicates, "near": report.near_duplicates,
                  "contaminated": hits.height}}))
"""


def measure(rows: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        planted = make_inputs(folder, rows)
        code = CHILD.format(repo=str(REPO), rows=str(folder / "rows.parquet"),
                            bench=str(folder / "benchmark_items.parquet"))
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"child failed for {rows} rows:\n{done.stderr}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
    result["planted"] = planted
    print(f"{rows:>7} rows: {result['seconds']:.1f}s (dedup {result['dedup_seconds']:.1f}s), "
          f"peak RSS {result['peak_rss_mib']:.0f} MiB; found exact {result['exact']}, near "
          f"{result['near']}, contaminated {result['contaminated']}; planted {planted}")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=20000)
    parser.add_argument("--large", type=int, default=200000)
    args = parser.parse_args()
    small, large = measure(args.small), measure(args.large)
    scale = args.large / args.small
    time_ratio = large["seconds"] / small["seconds"]
    rss_ratio = large["peak_rss_mib"] / small["peak_rss_mib"]
    found_all = all(
        run["exact"] >= run["planted"]["exact"] and run["contaminated"] >= run["planted"][
            "contaminated"] and run["near"] >= 0.9 * run["planted"]["near"]
        for run in (small, large))
    figures = {"rows_small": args.small, "rows_large": args.large,
               "seconds_small": small["seconds"], "seconds_large": large["seconds"],
               "rss_mib_small": small["peak_rss_mib"], "rss_mib_large": large["peak_rss_mib"],
               "time_ratio": round(time_ratio, 2), "time_ratio_target": 1.2 * scale,
               "rss_ratio": round(rss_ratio, 2), "rss_ratio_target": 2.0,
               "planted_found": found_all}
    print(json.dumps(figures))
    ok = time_ratio <= 1.2 * scale and rss_ratio <= 2.0 and found_all
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
