"""Pages the Scholar vision fallback would send on a folder of exam PDFs, and the render cost.

    .venv/bin/python benchmarks/vision_candidates.py [folder]   # default ../shared/data/exams/bac

For each sujet/corrigé pair of the folder: the documents quarantined, the candidate pages (those
with mathematical symbols in their text layer), and the pages sent within
`scholar.vision.max_pages_per_exam`; then the time and PNG size of rendering a candidate page at
150 dpi (best of 3). No model is called.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from luth_assets.stages.scholar.documents import read_exam  # noqa: E402
from luth_assets.stages.scholar.pairing import pair_landing  # noqa: E402
from luth_assets.stages.scholar.settings import ScholarConfig, VisionConfig  # noqa: E402
from luth_assets.stages.scholar.vision import (  # noqa: E402
    candidate_pages,
    page_tokens,
    render_page,
    within_cap,
)


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared/data/exams/bac"
    if not folder.is_dir():
        print(f"SKIP: {folder} is not here")
        return
    cfg = ScholarConfig(vision=VisionConfig(enabled=True))
    sent_total, first = 0, None
    for pair in pair_landing(folder).pairs:
        row = {**pair.row(), "landing_dir": str(folder)}
        texts, quarantine = read_exam(row, cfg, warn=lambda _msg: None)
        found = candidate_pages(row, texts, quarantine)
        sent, _ = within_cap(found, cfg.vision.max_pages_per_exam)
        sent_total += len(sent)
        first = first or (sent[0] if sent else None)
        print(f"{pair.sujet_path} + {pair.corrige_path}: quarantined "
              f"{quarantine.select('role', 'reason').rows()}, {len(found)} candidate page(s) "
              f"({sum(p.had_symbols for p in found)} with symbols), {len(sent)} sent")
    result = {"pages_sent": sent_total, "image_tokens_per_page": page_tokens(150)}
    if first is not None:
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            png = render_page(folder / first.path, first.page, 150)
            times.append(time.perf_counter() - t0)
        result.update(render_s=round(min(times), 3), png_bytes=len(png))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
