"""Subjects as the paper's five plus other, and the anomaly filter's reasons: an item pointing at
a figure, a truncated item, an answer that contradicts the corrigé; the clean table keeps or
rejects every item once."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from luth_assets.lib.llm.runtime import run_llm
from luth_assets.lib.llm.settings import LLMSettings
from luth_assets.stages.scholar.anomalies import anomaly_problem, numbers
from luth_assets.stages.scholar.chain import ITEM_SCHEMA
from luth_assets.stages.scholar.cleaning import clean_items
from luth_assets.stages.scholar.settings import ScholarConfig
from luth_assets.stages.scholar.subjects import SUBJECT_AREAS, subject_area

ANSWER = "En dérivant, $f'(x) = 2x$, donc le minimum est atteint en $x = 0$ et vaut $f(0) = 1$."


@pytest.mark.parametrize("subject, exam, area", [
    ("mathematiques", "bac-maths-2024", "mathematics"),
    ("physique-chimie", "bac-pc-2023", "physics-chemistry"),
    ("nsi", "bac-nsi-2020", "computer science"),
    ("svt", "bac-svt-2022", "biology"),
    ("Sciences-Ingénieur", "ccinp-2019", "engineering"),
    (None, "centrale-2018-informatique", "computer science"),    # the exam's name decides
    ("", "mines-2021-physique", "physics-chemistry"),
    ("philosophie", "bac-philo-2020", "other"),
])
def test_subject_area_is_one_of_the_papers_five_or_other(subject, exam, area):
    assert subject_area(subject, exam) == area and area in SUBJECT_AREAS


@pytest.mark.parametrize("question, answer, reason", [
    ("Déterminer le minimum de f.", ANSWER, None),
    ("À l'aide de la figure 3, déterminer le minimum de f.", ANSWER, "needs_figure"),
    ("Lire sur le graphique ci-contre la valeur de f(0).", ANSWER, "needs_figure"),
    ("Déterminer le minimum de f et", ANSWER, "truncated"),
    ("Déterminer le minimum de f.", "En dérivant, $f'(x) = 2x$, donc le minimum est", "truncated"),
    ("Déterminer le minimum de f.", "On a $f(0) = 1 +", "truncated"),
    ("Déterminer le minimum de f.", "Le minimum vaut donc :", "truncated"),
    ("Déterminer le minimum de f.", "Le minimum est atteint en $x = 0$ et vaut $f(0) = 3$.",
     "contradicts_corrige"),
    # a step count, an exponent or a LaTeX decimal comma is not a result
    ("Déterminer le minimum de f.", "Étape 2 : le minimum vaut $1{,}0$ car $x^{2} \\geq 1{,}0 - 1$.",
     None),
])
def test_anomaly_reasons(question: str, answer: str, reason: str | None):
    problem = anomaly_problem(question, "Soit $f(x) = x^2 + 1$.", answer, ANSWER)
    assert (problem[0] if problem else None) == reason


def test_numbers_read_decimal_commas_and_skip_exponents():
    assert numbers("$3{,}4 \\times 10^{-2}$ mol, puis 0,14 mol/L") == [3.4, 10.0, 0.14]


def test_the_clean_table_rejects_anomalies_with_reasons(tmp_path: Path):
    corrige = {"ok": ANSWER, "figure": ANSWER, "cut": ANSWER, "wrong": ANSWER}
    cleaned = {
        "ok": ("Déterminer le minimum de f.", ANSWER),
        "figure": ("Sur la figure ci-dessous, lire le minimum de f.", ANSWER),
        "cut": ("Déterminer le minimum de f.", "On dérive : $f'(x) = 2x$ donc le minimum est"),
        "wrong": ("Déterminer le minimum de f.", "Le minimum vaut $f(0) = 2$."),
    }
    items = pl.DataFrame([{
        "sample_id": sid, "exam_id": "e1", "exam": "bac-maths-2024", "subject": "mathematiques",
        "year": 2024, "level": "terminale", "pages": [1], "number": sid,
        "question": cleaned[sid][0], "context": "Soit $f(x) = x^2 + 1$.", "answer": corrige[sid],
        "multi_step": False, "sujet_sha256": "s", "corrige_sha256": "c", "chunk_id": "q",
        "provider": "replay", "model": "replay", "input_tokens": 1, "output_tokens": 1,
        "subject_area": None} for sid in cleaned], schema=ITEM_SCHEMA)
    replay = tmp_path / "clean.jsonl"
    replay.write_text("".join(json.dumps({"stage": "scholar_clean", "sample_id": sid, "output": {
        "question": q, "context": "Soit $f(x) = x^2 + 1$.", "answer": a, "anomaly": False,
        "anomaly_reason": ""}}) + "\n" for sid, (q, a) in cleaned.items()))
    settings = LLMSettings(provider="replay", replay_path=replay)

    def run(requests, stage):
        return run_llm(settings, tmp_path / "lake", requests, stage=stage, log=lambda _: None)

    kept, rejected, _ = clean_items(items, ScholarConfig(), run)
    assert kept["sample_id"].to_list() == ["ok"]
    assert kept["subject_area"].to_list() == ["mathematics"]
    assert dict(rejected.select("sample_id", "reason").rows()) == {
        "figure": "needs_figure", "cut": "truncated", "wrong": "contradicts_corrige"}
    assert kept.height + rejected.height == items.height
    assert rejected["detail"].str.len_chars().min() > 10
    # off: the cleaning call's verdict alone, as the paper
    kept, rejected, _ = clean_items(items, ScholarConfig(anomaly_checks=False), run)
    assert kept.height == 4 and rejected.is_empty()
