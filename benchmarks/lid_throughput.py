"""Language-ID throughput and memory of the sources stage (`write_raw_table`).

Prints rows/s single-process vs all cores on the same generated rows (target >= 1.8x on 2
cores) and the peak RSS of the stage at a small vs a 10x larger source (target <= 1.5x), each
size measured in a fresh child process. Ends with one JSON line; exits 1 when a target is missed.

    .venv/bin/python benchmarks/lid_throughput.py [--rows 3000] [--small 20000] [--large 200000]

The large run takes several minutes on 2 cores (langdetect is ~5 ms a text).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

WORDS = {
    "fr": "le chat dort sur la table pendant que nous préparons un repas pour les enfants de "
          "la maison avec beaucoup de légumes frais du marché".split(),
    "en": "the cat sleeps on the table while we prepare a meal for the children of the house "
          "with plenty of fresh vegetables from the market".split(),
    "es": "el gato duerme sobre la mesa mientras preparamos una comida para los niños de la "
          "casa con muchas verduras frescas del mercado".split(),
    "de": "die Katze schläft auf dem Tisch während wir eine Mahlzeit für die Kinder des Hauses "
          "mit viel frischem Gemüse vom Markt vorbereiten".split(),
}


def make_source(path: Path, rows: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    langs = ["fr"] * 6 + ["en", "es", "de", "fr"]
    with path.open("w", encoding="utf-8") as out:
        for i in range(rows):
            lang = rng.choice(langs)
            words = WORDS[lang]
            turns = []
            for role in ("user", "assistant"):
                text = " ".join(rng.choice(words) for _ in range(rng.randint(8, 20)))
                turns.append({"role": role, "content": text.capitalize() + "."})
            out.write(json.dumps({"id": str(i), "messages": turns}, ensure_ascii=False) + "\n")


CHILD = """
import json, resource, sys, time
sys.path.insert(0, {repo!r})
from luth_assets.lib.source_config import SourceConfig
from luth_assets.stages.sources.settings import LanguageIdConfig
from luth_assets.stages.sources.raw_table import write_raw_table
source = SourceConfig(uri={uri!r}, format="jsonl", mapping={{"id": "id", "messages": "messages"}})
stats = write_raw_table("bench", source, LanguageIdConfig(workers={workers}), {out!r})
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
workers_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({{"rows": stats.rows, "seconds": stats.seconds, "peak_rss_mib": peak_kib / 1024,
                  "worker_peak_rss_mib": workers_kib / 1024}}))
"""


def run_child(source: Path, out: Path, workers: int) -> dict:
    code = CHILD.format(repo=str(REPO), uri=str(source), out=str(out), workers=workers)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3000, help="rows for the throughput runs")
    parser.add_argument("--small", type=int, default=20_000, help="rows of the small source")
    parser.add_argument("--large", type=int, default=200_000, help="rows of the large source")
    parser.add_argument("--speedup-target", type=float, default=1.8)
    parser.add_argument("--rss-target", type=float, default=1.5)
    args = parser.parse_args()

    from luth_assets.lib.language_id import default_workers

    cores = default_workers()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        source = tmp / "throughput.jsonl"
        make_source(source, args.rows)
        single = run_child(source, tmp / "single.parquet", workers=1)
        pooled = run_child(source, tmp / "pooled.parquet", workers=cores)
        single_rps = single["rows"] / single["seconds"]
        pooled_rps = pooled["rows"] / pooled["seconds"]
        speedup = pooled_rps / single_rps
        print(f"throughput on {args.rows} rows: 1 process {single_rps:.0f} rows/s, "
              f"{cores} cores {pooled_rps:.0f} rows/s -> {speedup:.2f}x")

        sizes = {}
        for label, rows in (("small", args.small), ("large", args.large)):
            path = tmp / f"{label}.jsonl"
            make_source(path, rows, seed=1)
            started = time.perf_counter()
            result = run_child(path, tmp / f"{label}.parquet", workers=cores)
            sizes[label] = result
            print(f"{rows} rows: {time.perf_counter() - started:.1f}s, peak RSS "
                  f"{result['peak_rss_mib']:.0f} MiB (each worker <= "
                  f"{result['worker_peak_rss_mib']:.0f} MiB)")
            path.unlink()
        rss_ratio = sizes["large"]["peak_rss_mib"] / sizes["small"]["peak_rss_mib"]
        print(f"peak RSS {args.large} vs {args.small} rows: {rss_ratio:.2f}x")

    figures = {
        "cores": cores,
        "rows_per_s_single": round(single_rps, 1),
        "rows_per_s_all_cores": round(pooled_rps, 1),
        "speedup": round(speedup, 3),
        "speedup_target": args.speedup_target,
        "peak_rss_mib_small": round(sizes["small"]["peak_rss_mib"], 1),
        "peak_rss_mib_large": round(sizes["large"]["peak_rss_mib"], 1),
        "rss_ratio": round(rss_ratio, 3),
        "rss_target": args.rss_target,
        "small_rows": args.small,
        "large_rows": args.large,
    }
    print(json.dumps(figures))
    ok = speedup >= args.speedup_target and rss_ratio <= args.rss_target
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
