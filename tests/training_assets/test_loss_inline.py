"""The SFT loss curve shows in place in the Dagster UI: Markdown under the 1,000 characters the UI
renders inline, an SVG image (a data URI) with both curves, and the first and last losses."""

from __future__ import annotations

import base64
import math
import re
import xml.etree.ElementTree as ET

from luth_assets.stages.training.loss_sparkline import INLINE_LIMIT, loss_sparkline_markdown

SVG = "{http://www.w3.org/2000/svg}"


def curves(steps: int) -> tuple[list[dict], list[dict]]:
    train = [{"step": s, "loss": 5 * math.exp(-s / (steps / 4)) + 1} for s in range(1, steps + 1)]
    val = [{"step": s, "val_loss": 5.5 * math.exp(-s / (steps / 4)) + 1.2} for s in range(0, steps + 1, 10)]
    return train, val


def image(markdown: str) -> ET.Element:
    data = re.match(r"!\[SFT loss\]\(data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)\)", markdown).group(1)
    return ET.fromstring(base64.b64decode(data))


def test_long_runs_still_fit_inline_and_draw_both_curves():
    for steps in (3, 72, 5000):
        train, val = curves(steps)
        markdown = loss_sparkline_markdown(train, val)
        assert len(markdown) < INLINE_LIMIT, (steps, len(markdown))
        lines = image(markdown).findall(f"{SVG}polyline")
        assert len(lines) == 2
        points = [line.get("points").split() for line in lines]
        assert len(points[0]) >= min(steps, 20) and len(points[1]) >= 1
        first, last = points[0][0].split(","), points[0][-1].split(",")
        assert int(first[1]) < int(last[1])  # the loss falls: the line goes down the image
        assert f"train (blue) {train[0]['loss']:.3f} → {train[-1]['loss']:.3f}" in markdown
        assert f"over {steps} steps" in markdown


def test_nothing_logged_gives_no_image():
    assert loss_sparkline_markdown([], []) is None
    only_val = loss_sparkline_markdown([], [{"step": 0, "val_loss": 4.0}, {"step": 5, "val_loss": 3.0}])
    assert "validation (orange) 4.000 → 3.000" in only_val and "train" not in only_val
