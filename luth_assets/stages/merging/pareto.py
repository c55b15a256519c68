"""Choosing a merge on the French/English Pareto front of `gold/score_table`, and its plot."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from luth_assets.lib.models import BASE, merge_model_name
from luth_assets.stages.merging.settings import ParetoRule


class NoEligibleMerge(ValueError):
    """No scored merge satisfies the rule."""


@dataclass
class Choice:
    recipe: str
    model: str
    fr_average: float
    en_average: float
    table: pl.DataFrame  # every candidate: model, recipe, fr_average, en_average, on_front, eligible, chosen
    reason: str


def pareto_front(points: dict[str, tuple[float, float]]) -> set[str]:
    """Names whose (fr, en) no other point dominates (>= on both, > on one)."""
    front = set()
    for name, (fr, en) in points.items():
        dominated = any(
            (f2 >= fr and e2 >= en) and (f2 > fr or e2 > en)
            for other, (f2, e2) in points.items() if other != name
        )
        if not dominated:
            front.add(name)
    return front


def choose_merge(scores: pl.DataFrame, recipes: list[str], rule: ParetoRule) -> Choice:
    """Pick one recipe among the scored merges. Raises `NoEligibleMerge` naming why none fits."""
    need = {"model", "fr_average", "en_average"}
    if missing := need - set(scores.columns):
        raise ValueError(f"gold/score_table lacks column(s) {sorted(missing)}")
    by_model = {r["model"]: r for r in scores.select("model", "fr_average", "en_average").to_dicts()}
    base = by_model.get(BASE)
    if base is None or base["en_average"] is None:
        raise NoEligibleMerge("gold/score_table has no English average for the base model")
    names = {merge_model_name(r): r for r in recipes}
    scored = {m: (by_model[m]["fr_average"], by_model[m]["en_average"]) for m in names
              if m in by_model and by_model[m]["fr_average"] is not None
              and by_model[m]["en_average"] is not None}
    if not scored:
        raise NoEligibleMerge(f"no merge of {sorted(names)} has scores in gold/score_table yet")
    front = pareto_front(scored)
    floor = base["en_average"] - rule.en_tolerance
    rows = []
    for model, (fr, en) in scored.items():
        eligible = model in front and (rule.rule != "fr_with_en_floor" or en >= floor)
        rows.append({"model": model, "recipe": names[model], "fr_average": fr, "en_average": en,
                     "on_front": model in front, "eligible": eligible})
    table = pl.DataFrame(rows).sort("model")
    eligible = table.filter(pl.col("eligible"))
    if eligible.is_empty():
        raise NoEligibleMerge(
            f"no merge on the Pareto front keeps English average >= base's {base['en_average']:.2f}"
            f" - {rule.en_tolerance}: front {sorted(front)}")
    key = (pl.col("fr_average") + pl.col("en_average")) if rule.rule == "max_mean" else pl.col("fr_average")
    ranked = eligible.with_columns(_k=key).sort(["_k", "en_average", "model"],
                                                descending=[True, True, False])
    best = ranked.row(0, named=True)
    table = table.with_columns(chosen=pl.col("model") == best["model"])
    reason = {
        "fr_with_en_floor": f"best French average among Pareto-front merges with English >= "
                            f"{floor:.2f} (base {base['en_average']:.2f})",
        "max_fr": "best French average on the Pareto front",
        "max_mean": "best mean of French and English averages on the Pareto front",
    }[rule.rule]
    return Choice(recipe=best["recipe"], model=best["model"], fr_average=best["fr_average"],
                  en_average=best["en_average"], table=table, reason=reason)


def pareto_plot_png(scores: pl.DataFrame, choice: Choice) -> bytes:
    """Scatter of English vs French average: merges, front, base, sft, the chosen merge
    (`pareto_plot.py`)."""
    from luth_assets.stages.merging.pareto_plot import plot_png

    return plot_png(scores, choice)
