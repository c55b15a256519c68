"""The SFT loss curve as a small inline image in the materialisation's metadata.

The Dagster UI shows a Markdown metadata value in place (the asset's latest materialisation and
its events table) only while it is under 1,000 characters; longer ones sit behind "Show Markdown".
A PNG never fits, so this draws the curves as an SVG polyline (a data URI, which the UI's Markdown
allows as an image source) with as many points as fit, and writes the first and last values
beside it. The full PNG stays in `loss_plot`.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

INLINE_LIMIT = 1000  # characters of Markdown the UI renders in place
WIDTH, HEIGHT, PAD = 240, 72, 4
TRAIN_COLOUR, VAL_COLOUR = "#1f77b4", "#ff7f0e"


def thin(points: Sequence[tuple[float, float]], most: int) -> list[tuple[float, float]]:
    """At most `most` points, evenly spaced, the first and last kept."""
    if len(points) <= most:
        return list(points)
    step = (len(points) - 1) / (most - 1)
    return [points[round(i * step)] for i in range(most)]


def svg(curves: Sequence[tuple[str, Sequence[tuple[float, float]]]]) -> str:
    """Polylines of (step, loss) curves on shared axes, integer pixel coordinates."""
    every = [p for _, pts in curves for p in pts]
    x0, x1 = min(p[0] for p in every), max(p[0] for p in every)
    y0, y1 = min(p[1] for p in every), max(p[1] for p in every)
    sx = (WIDTH - 2 * PAD) / ((x1 - x0) or 1)
    sy = (HEIGHT - 2 * PAD) / ((y1 - y0) or 1)
    lines = []
    for colour, pts in curves:
        if not pts:
            continue
        coords = " ".join(f"{round(PAD + (x - x0) * sx)},{round(HEIGHT - PAD - (y - y0) * sy)}"
                          for x, y in pts)
        lines.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{coords}"/>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}">'
            f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>{"".join(lines)}</svg>')


def loss_sparkline_markdown(train: Sequence[dict], val: Sequence[dict]) -> str | None:
    """Markdown under `INLINE_LIMIT` characters: the inline image and the first/last losses;
    None when nothing was logged. `train`: {step, loss}; `val`: {step, val_loss}."""
    t = [(float(p["step"]), float(p["loss"])) for p in train if p.get("loss") is not None]
    v = [(float(p["step"]), float(p["val_loss"])) for p in val if p.get("val_loss") is not None]
    if not t and not v:
        return None
    words = []
    if t:
        words.append(f"train (blue) {t[0][1]:.3f} → {t[-1][1]:.3f}")
    if v:
        words.append(f"validation (orange) {v[0][1]:.3f} → {v[-1][1]:.3f}")
    caption = ", ".join(words) + f" over {int(max(p[0] for p in t + v))} steps"
    most = 64
    while True:
        image = svg([(TRAIN_COLOUR, thin(t, most)), (VAL_COLOUR, thin(v, max(2, most // 3)))])
        data = base64.b64encode(image.encode()).decode()
        text = f"![SFT loss](data:image/svg+xml;base64,{data})\n\n{caption}"
        if len(text) < INLINE_LIMIT or most <= 2:
            return text
        most = max(2, most * 3 // 4)
