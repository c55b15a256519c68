"""Language-ID throughput and memory of the sources stage (`write_raw_table`) at scale.

Prints rows/s single-process vs all cores on the same generated rows (target >= 1.8x on 2
cores; `--rounds` interleaved runs of each, best of each, so machine noise hits both alike),
then runs the whole stage on a 100,000-row and a 1,000,000-row source, each in a fresh child
process on all cores: the large run must finish in under 10 minutes (wall time of the child,
imports and worker start included) with a peak RSS within 1.5x of the small run's. Ends with one
JSON line; exits 1 when a target is missed.

    .venv/bin/python benchmarks/lid_throughput.py [--rows 50000] [--small 100000] [--large 1000000]
        [--backend cascade|langdetect|fasttext]

With the default backend (the cascade) the large run takes about 3 minutes on 2 cores; with
`--backend langdetect` (~3-7 ms a text) it takes hours, so pass smaller sizes.
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
stats = write_raw_table("bench", source, LanguageIdConfig(workers={workers}, backend={backend!r}),
                        {out!r})
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
workers_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({{"rows": stats.rows, "seconds": stats.seconds, "peak_rss_mib": peak_kib / 1024,
                  "worker_peak_rss_mib": workers_kib / 1024,
                  "decided_by": dict(stats.decided_by)}}))
"""


def run_child(source: Path, out: Path, workers: int, backend: str) -> dict:
    code = CHILD.format(repo=str(REPO), uri=str(source), out=str(out), workers=workers,
                        backend=backend)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = time.perf_counter() - started
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000, help="rows for the throughput runs")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved throughput runs of each")
    parser.add_argument("--small", type=int, default=100_000, help="rows of the small source")
    parser.add_argument("--large", type=int, default=1_000_000, help="rows of the large source")
    parser.add_argument("--backend", default="cascade", choices=["cascade", "langdetect", "fasttext"])
    parser.add_argument("--speedup-target", type=float, default=1.8)
    parser.add_argument("--rss-target", type=float, default=1.5)
    parser.add_argument("--large-seconds-target", type=float, default=600.0)
    args = parser.parse_args()

    from luth_assets.lib.language_id import default_workers

    cores = default_workers()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        source = tmp / "throughput.jsonl"
        make_source(source, args.rows)
        single_rps = pooled_rps = 0.0
        for round_number in range(1, args.rounds + 1):
            single = run_child(source, tmp / "single.parquet", 1, args.backend)
            pooled = run_child(source, tmp / "pooled.parquet", cores, args.backend)
            print(f"round {round_number} on {args.rows} rows: 1 process "
                  f"{single['rows'] / single['seconds']:.0f} rows/s, {cores} cores "
                  f"{pooled['rows'] / pooled['seconds']:.0f} rows/s", flush=True)
            single_rps = max(single_rps, single["rows"] / single["seconds"])
            pooled_rps = max(pooled_rps, pooled["rows"] / pooled["seconds"])
        speedup = pooled_rps / single_rps
        print(f"throughput ({args.backend}, best of {args.rounds}): 1 process {single_rps:.0f} "
              f"rows/s, {cores} cores {pooled_rps:.0f} rows/s -> {speedup:.2f}x; rows decided by "
              f"{pooled['decided_by']}")

        sizes = {}
        for label, rows in (("small", args.small), ("large", args.large)):
            path = tmp / f"{label}.jsonl"
            make_source(path, rows, seed=1)
            result = run_child(path, tmp / f"{label}.parquet", cores, args.backend)
            sizes[label] = result
            print(f"{rows} rows on {cores} cores: {result['wall_seconds']:.1f}s "
                  f"({rows / result['seconds']:.0f} rows/s in the stage), peak RSS "
                  f"{result['peak_rss_mib']:.0f} MiB (each worker <= "
                  f"{result['worker_peak_rss_mib']:.0f} MiB); rows decided by "
                  f"{result['decided_by']}", flush=True)
            path.unlink()
            (tmp / f"{label}.parquet").unlink()
        rss_ratio = sizes["large"]["peak_rss_mib"] / sizes["small"]["peak_rss_mib"]
        print(f"peak RSS {args.large} vs {args.small} rows: {rss_ratio:.2f}x")

    large_seconds = sizes["large"]["wall_seconds"]
    figures = {
        "benchmark": "lid_throughput",
        "backend": args.backend,
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
        "large_seconds": round(large_seconds, 1),
        "large_seconds_target": args.large_seconds_target,
        "large_rows_per_s": round(args.large / sizes["large"]["seconds"], 1),
        "large_sent_to_langdetect": sizes["large"]["decided_by"].get("langdetect", 0),
    }
    ok = (speedup >= args.speedup_target and rss_ratio <= args.rss_target
          and large_seconds <= args.large_seconds_target)
    figures["met"] = ok
    print(json.dumps(figures))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
