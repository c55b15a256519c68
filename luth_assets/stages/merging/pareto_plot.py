"""The Pareto plot of `models/best_merge`: English vs French average of every scored merge, the
base and the SFT, the front and the chosen merge; beside it the held-out losses when scored.

Small demo scores tie often, so models that share a point get one label listing them, and each
label goes to the first place around its point where it overlaps no other label, marker or the
axes' edge (a leader line joins a label set apart to its point). Base and SFT are hollow squares
drawn over the merges and the chosen merge a wider ring, so a merge on the same point hides
neither; the front is drawn as what the legend names (a line through two points or more, a ring
on each front point).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import polars as pl

from luth_assets.lib.models import BASE, SFT

# label offsets from the point, in typographic points: right/left, then further up/down
OFFSETS = [(dx, dy) for dy in (0, -14, 14, -26, 26, -38, 38, -50, 50) for dx in (11, -11)]
FRONT_COLOUR, MERGE_COLOUR, CHOSEN_COLOUR = "tab:green", "tab:blue", "tab:red"
SQUARES = {BASE: "tab:gray", SFT: "tab:orange"}


def point_groups(points: Sequence[tuple[str, float, float]]) -> list[tuple[float, float, list[str]]]:
    """Names sharing a point (to 2 decimals), one group per point, in first-seen order."""
    groups: dict[tuple[float, float], list[str]] = {}
    for name, x, y in points:
        groups.setdefault((round(x, 2), round(y, 2)), []).append(name)
    return [(x, y, names) for (x, y), names in groups.items()]


def place_labels(ax, groups: list[tuple[float, float, list[str]]], fontsize: int = 7) -> list:
    """One annotation per group, each at the first offset of `OFFSETS` where its box overlaps no
    label placed before it, no marker and stays inside the axes; returns the annotations."""
    fig = ax.figure
    fig.canvas.draw()  # fixes the limits and transforms the boxes are measured in
    renderer = fig.canvas.get_renderer()
    inside = ax.get_window_extent(renderer)
    pad = 10.0  # pixels kept clear around a marker (the chosen ring is the widest)
    markers = [ax.transData.transform((x, y)) for x, y, _ in groups]
    taken: list = []
    annotations = []
    for x, y, names in sorted(groups, key=lambda g: (g[1], g[0])):
        text = ax.annotate(", ".join(names) if len(names) <= 2 else "\n".join(names), (x, y),
                           xytext=OFFSETS[0], textcoords="offset points", fontsize=fontsize,
                           va="center", ha="left", zorder=6)
        for dx, dy in OFFSETS:
            text.set_position((dx, dy))
            text.set_horizontalalignment("left" if dx > 0 else "right")
            box = text.get_window_extent(renderer).expanded(1.05, 1.1)
            clear = (box.x0 >= inside.x0 and box.x1 <= inside.x1 and box.y0 >= inside.y0
                     and box.y1 <= inside.y1
                     and not any(box.overlaps(other) for other in taken)
                     and not any(box.x0 - pad < mx < box.x1 + pad and box.y0 - pad < my < box.y1 + pad
                                 for mx, my in markers))
            if clear:
                break
        if dy:  # set apart: a leader line back to the point
            ax.annotate("", (x, y), xytext=(dx, dy), textcoords="offset points", zorder=6,
                        arrowprops={"arrowstyle": "-", "lw": 0.6, "color": "0.45", "shrinkA": 0,
                                    "shrinkB": 3})
        taken.append(box)
        annotations.append(text)
    return annotations


def plot_png(scores: pl.DataFrame, choice) -> bytes:
    """PNG of the plot (`choice`: `pareto.Choice`, its table the scored merges)."""
    import matplotlib.pyplot as plt

    fig = pareto_figure(scores, choice)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def pareto_figure(scores: pl.DataFrame, choice):
    """The matplotlib figure; its first axes is the French/English scatter."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from luth_train.evaluation.registry import LANGUAGE_LOSS_NAMES
    from luth_train.evaluation.tables import plot_language_losses

    with_losses = set(LANGUAGE_LOSS_NAMES) <= set(scores.columns)
    fig, axes = plt.subplots(1, 2 if with_losses else 1, figsize=(12 if with_losses else 6, 4.8), dpi=100)
    ax = axes[0] if with_losses else axes
    if with_losses and not plot_language_losses(axes[1], scores, highlight=choice.model):
        axes[1].set_axis_off()
    t = choice.table
    ax.scatter(t["fr_average"], t["en_average"], c=MERGE_COLOUR, s=36, label="merges", zorder=2)
    front = t.filter(pl.col("on_front")).sort("fr_average")
    ax.scatter(front["fr_average"], front["en_average"], s=110, facecolors="none",
               edgecolors=FRONT_COLOUR, linewidths=1.5, zorder=3,
               label="on the Pareto front" + (" (line)" if front.height > 1 else ""))
    if front.height > 1:
        ax.plot(front["fr_average"], front["en_average"], "--", c=FRONT_COLOUR, alpha=0.7, zorder=1)
    points = [(r["recipe"], r["fr_average"], r["en_average"]) for r in t.iter_rows(named=True)]
    ours = scores.filter(pl.col("kind") == "ours") if "kind" in scores.columns else scores
    for name, colour in SQUARES.items():
        r = ours.filter(pl.col("model") == name)
        if r.height and r["fr_average"][0] is not None and r["en_average"][0] is not None:
            ax.scatter(r["fr_average"], r["en_average"], s=150, marker="s", facecolors="none",
                       edgecolors=colour, linewidths=2, label=name, zorder=5)
            points.append((name, r["fr_average"][0], r["en_average"][0]))
    base = ours.filter(pl.col("model") == BASE)
    if base.height and base["en_average"][0] is not None:
        ax.axhline(base["en_average"][0], c="tab:gray", lw=0.8, ls=":", label="base English", zorder=0)
    ax.scatter([choice.fr_average], [choice.en_average], s=330, facecolors="none",
               edgecolors=CHOSEN_COLOUR, linewidths=2, label=f"chosen: {choice.recipe}", zorder=4)
    ax.set_xlabel("French average")
    ax.set_ylabel("English average")
    ax.set_title("Merges: French vs English")
    ax.margins(x=0.25, y=0.25)  # room for the labels around the outer points
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, frameon=False)
    fig.tight_layout()
    place_labels(ax, point_groups(points))
    return fig
