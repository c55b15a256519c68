"""`sql/scholar/subjects.sql`: clean items per subject beside the paper's distribution."""

from __future__ import annotations

from pathlib import Path

import duckdb

from luth_assets.stages.scholar.subjects import subject_area

QUERY = Path(__file__).resolve().parents[2] / "sql" / "scholar" / "subjects.sql"


def test_subjects_map_onto_the_papers_five_and_other():
    con = duckdb.connect()
    con.execute("create schema silver")
    subjects = ["mathematiques"] * 6 + ["physique-chimie", "svt", "nsi", "philosophie"]
    areas = [subject_area(s) for s in subjects]
    con.execute("create table silver.scholar_items_clean as select unnest(?) as subject, "
                "unnest(?) as subject_area", [subjects, areas])
    rows = con.execute(QUERY.read_text(encoding="utf-8")).fetchall()
    got = {subject: (items, share, paper) for subject, items, share, paper, _ in rows}
    assert [r[0] for r in rows] == ["mathematics", "physics-chemistry", "computer science",
                                    "engineering", "biology", "other"]
    assert got["mathematics"] == (6, 0.6, 0.6723)
    assert got["engineering"] == (0, 0.0, 0.0604)  # a subject with no item still shows the paper's
    assert got["other"][0] == 1 and got["biology"][0] == 1 and got["computer science"][0] == 1
    assert round(sum(paper for _, _, paper in got.values()), 4) == 1.0
