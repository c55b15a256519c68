"""The Pareto plot reads: models on one point share a label, no label overlaps another, the SFT and
base squares and the chosen ring stay visible over the merges, and the legend names only what is
drawn (the front's line only when the front has two points or more)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from luth_assets.stages.merging.pareto import choose_merge, pareto_plot_png  # noqa: E402
from luth_assets.stages.merging.pareto_plot import pareto_figure, point_groups  # noqa: E402
from luth_assets.stages.merging.settings import ParetoRule  # noqa: E402

RECIPES = ["linear_a0.1", "linear_a0.3", "linear_a0.5", "linear_a0.7", "linear_a0.9", "slerp_authors"]


def scores(points: dict[str, tuple[float, float]]) -> pl.DataFrame:
    return pl.DataFrame([{"model": m, "kind": "ours", "fr_average": f, "en_average": e}
                         for m, (f, e) in points.items()])


# what a 3-item demo gives: ties everywhere, the chosen merge on the SFT's point
TIED = {"base": (11.11, 16.67), "sft": (22.22, 22.22), "merge-linear_a0.1": (11.11, 16.67),
        "merge-linear_a0.3": (11.11, 16.67), "merge-linear_a0.5": (16.67, 16.67),
        "merge-linear_a0.7": (22.22, 16.67), "merge-linear_a0.9": (22.22, 22.22),
        "merge-slerp_authors": (22.22, 16.67)}


def label_texts(ax) -> list:
    return [t for t in ax.texts if t.get_text()]


@pytest.mark.parametrize("points", [TIED, dict(TIED, **{"merge-linear_a0.5": (21.9, 16.9)})],
                         ids=["tied", "near"])
def test_tied_points_share_a_label_and_no_label_overlaps(points):
    assert point_groups([("a", 1.0, 2.0), ("b", 1.001, 2.0), ("c", 3.0, 2.0)]) == [
        (1.0, 2.0, ["a", "b"]), (3.0, 2.0, ["c"])]
    table = scores(points)
    fig = pareto_figure(table, choose_merge(table, RECIPES, ParetoRule()))
    ax = fig.axes[0]
    texts = label_texts(ax)
    shown = "\n".join(t.get_text() for t in texts)
    assert all(name in shown for name in [*RECIPES, "base", "sft"])
    assert len(texts) == len(set(points.values()))  # one label per distinct point
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in texts]
    inside = ax.get_window_extent(renderer)
    for i, box in enumerate(boxes):
        assert inside.x0 <= box.x0 and box.x1 <= inside.x1, texts[i].get_text()
        assert not any(box.overlaps(other) for other in boxes[i + 1:]), texts[i].get_text()
    plt.close(fig)


def test_sft_and_base_stay_visible_and_the_legend_names_what_is_drawn():
    table = scores(TIED)
    fig = pareto_figure(table, choose_merge(table, RECIPES, ParetoRule()))
    ax = fig.axes[0]
    by_label = {c.get_label(): c for c in ax.collections}
    merges, chosen, sft = by_label["merges"], by_label["chosen: linear_a0.9"], by_label["sft"]
    assert sft.get_zorder() > chosen.get_zorder() > merges.get_zorder()
    assert len(sft.get_facecolor()) == 0 or sft.get_facecolor()[0][3] == 0  # hollow: the merge shows
    assert chosen.get_sizes()[0] > sft.get_sizes()[0] > merges.get_sizes()[0]  # nested outlines
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "on the Pareto front" in legend and not any("(line)" in t for t in legend)
    assert not [line for line in ax.lines if line.get_linestyle() == "--"]  # one front point: no line
    plt.close(fig)

    spread = dict(TIED, **{"merge-linear_a0.5": (16.67, 25.0)})  # now two merges on the front
    table = scores(spread)
    fig = pareto_figure(table, choose_merge(table, RECIPES, ParetoRule(rule="max_fr")))
    ax = fig.axes[0]
    assert "on the Pareto front (line)" in [t.get_text() for t in ax.get_legend().get_texts()]
    front_line = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert len(front_line) == 1 and len(front_line[0].get_xdata()) == 2
    plt.close(fig)


def test_the_png_is_not_blank():
    table = scores(TIED)
    image = Image.open(io.BytesIO(pareto_plot_png(table, choose_merge(table, RECIPES, ParetoRule()))))
    assert image.size[0] >= 600 and len(set(image.convert("L").getdata())) > 20
