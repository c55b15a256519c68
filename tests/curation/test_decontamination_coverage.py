"""Decontamination covers every item of every configured benchmark, whatever
`evaluation.limit` keeps in `gold/benchmark_items`."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import polars as pl
import yaml

from luth_assets.build import build_definitions
from luth_assets.materialize import materialize_all
from luth_assets.resources import LakeResource
from luth_assets.run_config import Settings, load_config
from luth_assets.stages.curation.assets import benchmark_index
from luth_assets.stages.curation.decontaminate import find_contaminated

from .helpers import chat_frame, exchange

SUBJECTS = ["billes", "pommes", "livres", "timbres", "crayons", "tickets", "cartes", "perles",
            "graines", "bougies"]
PLACES = ["marché", "musée", "stade", "jardin", "port", "village", "théâtre", "moulin", "phare",
          "verger"]
QUESTIONS = [f"Combien de {thing} Camille rapporte-t-elle du {place} si chaque visite en donne "
             f"{i + 3} de plus que la précédente, {name} ?"
             for i, (thing, place, name) in enumerate(zip(SUBJECTS, PLACES, [
                 "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
                 "janvier", "février", "mars"], strict=True))]


def test_items_past_the_evaluation_limit_are_still_decontaminated(tmp_path: Path) -> None:
    (tmp_path / "math500_fr.jsonl").write_text("".join(
        json.dumps({"unique_id": f"t/{i}", "problem": q, "solution": f"Donc $\\boxed{{{i}}}$."},
                   ensure_ascii=False)
        + "\n"
        for i, q in enumerate(QUESTIONS)), "utf-8")
    config_path = tmp_path / "luth.yaml"
    config_path.write_text(yaml.safe_dump({"evaluation": {
        "limit": 3, "benchmarks": {"math500_fr": {"path": "math500_fr.jsonl"}}}}),
        "utf-8")
    config = load_config(config_path)
    lake = tmp_path / "lake"
    defs = build_definitions(Settings(config_path=config_path, lake_root=str(lake)), config)
    report = materialize_all(defs, dg.DagsterInstance.ephemeral(),
                             selection=[dg.AssetKey(["gold", "benchmark_items"])], log=lambda _: None)
    assert all(o.success for o in report.outcomes), [o.error for o in report.failures]
    in_lake = pl.read_parquet(lake / "gold" / "benchmark_items" / "*.parquet")
    assert in_lake.height == 3  # the evaluation limit

    index = benchmark_index(LakeResource(root=str(lake)), config)
    assert index.items_by_benchmark == {"math500_fr": 10}
    rows = chat_frame([{"sample_id": "copy9", "subset": "translated", "source": "t",
                        "messages": exchange(QUESTIONS[9], "Elle en a douze.")}])
    hits = find_contaminated(rows.lazy(), index)
    assert hits.height == 1 and hits["benchmark"].to_list() == ["math500_fr"]
    assert hits["benchmark_item_id"].to_list() == ["t/9"]
    assert "t/9" not in in_lake["item_id"].to_list()
