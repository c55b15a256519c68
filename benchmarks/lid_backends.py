"""Language ID of the sources stage: the default backend (the cascade) against langdetect alone.

    .venv/bin/python benchmarks/lid_backends.py [--lid-dir DIR] [--rows N] [--rounds 3]

On the same labelled sentences in one run (DIR: one ``<lang>.txt`` per language, one sentence a
line; default ``../shared/data/lid``, the Leipzig sentences), each sentence a one-turn row:

- rows/s per core of detection (one process), default path vs langdetect alone, interleaved
  over `--rounds` rounds after a warm-up so that machine noise hits both alike; the best round
  of each counts. Target: at least 20x.
- precision and recall of the French slice (detection + the slice rules, function-word check
  included). Targets: precision >= 0.98 and no worse than langdetect's minus 0.005; recall >= 0.97.

The last line printed is one JSON object with the figures and targets; exit status 1 on a miss.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DEFAULT_LID_DIR = REPO.parent / "shared" / "data" / "lid"


def main() -> int:
    from luth_assets.stages.sources.lid_scoring import read_labelled_sentences, score_slice
    from luth_assets.stages.sources.settings import LanguageIdConfig

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lid-dir", type=Path, default=DEFAULT_LID_DIR)
    ap.add_argument("--rows", type=int, default=None,
                    help="rows in all, taken evenly from each language (default: every sentence)")
    ap.add_argument("--rounds", type=int, default=3, help="timed rounds of each path, interleaved")
    ap.add_argument("--target-language", default="fr")
    ap.add_argument("--speedup-target", type=float, default=20.0)
    ap.add_argument("--precision-target", type=float, default=0.98)
    ap.add_argument("--precision-slack", type=float, default=0.005,
                    help="the default path's precision may be this much below langdetect's")
    ap.add_argument("--recall-target", type=float, default=0.97)
    args = ap.parse_args()

    languages = sorted(args.lid_dir.glob("*.txt")) if args.lid_dir.is_dir() else []
    if not languages:
        print(f"no <lang>.txt files in {args.lid_dir} (pass --lid-dir)")
        return 1
    per_language = max(1, args.rows // len(languages)) if args.rows else None
    sentences = read_labelled_sentences(args.lid_dir, per_language)
    default = LanguageIdConfig(workers=1)
    reference = LanguageIdConfig(workers=1, backend="langdetect")
    print(f"{len(sentences)} sentences in {len(languages)} languages from {args.lid_dir}; "
          f"default backend {default.backend}, one process, {args.rounds} interleaved rounds")

    for lid in (default, reference):  # warm-up: load fastText and langdetect's profiles
        score_slice(sentences[:: max(1, len(sentences) // 50)], lid, args.target_language)
    runs: dict[str, list] = {"default": [], "langdetect": []}
    for round_number in range(1, args.rounds + 1):
        for name, lid in (("default", default), ("langdetect", reference)):
            score = score_slice(sentences, lid, args.target_language)
            runs[name].append(score)
            print(f"round {round_number} {name}: {score.rows_per_second:.0f} rows/s, precision "
                  f"{score.precision:.4f}, recall {score.recall:.4f}, sent to langdetect "
                  f"{score.sent_to_langdetect}", flush=True)
    best = {name: max(scores, key=lambda s: s.rows_per_second) for name, scores in runs.items()}
    fast, slow = best["default"], best["langdetect"]
    speedup = fast.rows_per_second / slow.rows_per_second
    print(f"default {fast.rows_per_second:.0f} rows/s vs langdetect {slow.rows_per_second:.0f} rows/s "
          f"per core: {speedup:.1f}x; French slice precision {fast.precision:.4f} (langdetect "
          f"{slow.precision:.4f}), recall {fast.recall:.4f} (langdetect {slow.recall:.4f}); "
          f"false positives: default {fast.false_positive_languages}, langdetect "
          f"{slow.false_positive_languages}")

    precision_floor = max(args.precision_target, slow.precision - args.precision_slack)
    figures = {
        "benchmark": "lid_backends",
        "rows": fast.rows,
        "languages": len(languages),
        "rounds": args.rounds,
        "default_backend": default.backend,
        "rows_per_s_per_core": round(fast.rows_per_second, 1),
        "langdetect_rows_per_s_per_core": round(slow.rows_per_second, 1),
        "speedup_vs_langdetect": round(speedup, 2),
        "speedup_target": args.speedup_target,
        "sent_to_langdetect": fast.sent_to_langdetect,
        "sent_to_langdetect_share": round(fast.sent_to_langdetect / fast.rows, 4),
        "precision": round(fast.precision, 4),
        "recall": round(fast.recall, 4),
        "langdetect_precision": round(slow.precision, 4),
        "langdetect_recall": round(slow.recall, 4),
        "precision_target": round(precision_floor, 4),
        "recall_target": args.recall_target,
    }
    figures["met"] = (speedup >= args.speedup_target and fast.precision >= precision_floor
                      and fast.recall >= args.recall_target)
    print(json.dumps(figures))
    return 0 if figures["met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
