"""The vision fallback: an image-only page of a read sujet and a scanned corrigé are rendered and
transcribed (replayed answers through the LLM runtime), checked, and folded into the exam's
texts or rejected with a reason; `luth plan` prices the calls with `scholar.vision.model`."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pymupdf
import pytest

from luth_assets.lib.llm.runtime import run_llm
from luth_assets.lib.llm.settings import LLMSettings
from luth_assets.plan.counting import TokenCounter
from luth_assets.plan.llm_steps import Planner
from luth_assets.run_config import RunConfig
from luth_assets.stages.scholar.documents import read_exam
from luth_assets.stages.scholar.pairing import pair_landing
from luth_assets.stages.scholar.settings import ScholarConfig, VisionConfig
from luth_assets.stages.scholar.vision import (
    has_mathematics,
    math_signs,
    transcription_problem,
    vision_fallback,
    vision_id,
)

STATEMENT = ("Exercice 1. On considère la fonction f définie sur l'intervalle des réels positifs "
             "par f(x) = x^2 + 1. Montrer que la fonction est croissante, puis déterminer sa "
             "limite en plus l'infini et justifier chaque étape du raisonnement. ") * 3
GOOD = ("## Exercice 2\n\nOn considère la suite $(u_n)$ définie par $u_0 = 1$ et "
        "$u_{n+1} = 2u_n + 1$. Montrer que pour tout entier $n$, on a $u_n = 2^{n+1} - 1$.")
ENGLISH = ("Exercise 2. Consider the sequence defined by $u_0 = 1$ and the recurrence. Show "
           "that for every integer n the formula holds, then compute the limit of the ratio.")


def _text_page(doc: pymupdf.Document, text: str) -> None:
    page = doc.new_page(width=595, height=842)
    for i, line in enumerate(textwrap.wrap(text, 90)):
        page.insert_text((50, 60 + 15 * i), line, fontsize=10)


def _image_page(doc: pymupdf.Document, text: str) -> None:
    src = pymupdf.open()
    _text_page(src, text)
    png = src[0].get_pixmap(dpi=60).tobytes("png")
    page = doc.new_page(width=595, height=842)
    page.insert_image(page.rect, stream=png)


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    folder = tmp_path / "exams"
    folder.mkdir()
    sujet = pymupdf.open()
    _text_page(sujet, STATEMENT)
    _text_page(sujet, STATEMENT)
    _image_page(sujet, "Exercice 2. On considère la suite u(n+1) = 2u(n) + 1.")
    sujet.save(folder / "bac-maths-2015-sujet.pdf")
    corrige = pymupdf.open()
    _image_page(corrige, "Corrigé. Exercice 1. La dérivée vaut 2x, positive.")
    _image_page(corrige, "Exercice 2. Par récurrence, u(n) = 2^(n+1) - 1.")
    corrige.save(folder / "bac-maths-2015-corrige.pdf")
    return folder


def _exam(landing: Path) -> dict:
    (pair,) = pair_landing(landing).pairs
    return {**pair.row(), "landing_dir": str(landing)}


def _runner(tmp_path: Path, answers: dict[str, str]):
    replay = tmp_path / "replay.jsonl"
    replay.write_text("".join(json.dumps({"stage": "scholar_vision", "sample_id": sid,
                                          "text": text}) + "\n" for sid, text in answers.items()))
    settings = LLMSettings(provider="replay", replay_path=replay)
    sent: list = []

    def run(requests, stage):
        sent.extend(requests)
        return run_llm(settings, tmp_path / "lake", requests, stage=stage, log=lambda _: None)
    return run, sent


def test_transcription_checks_give_reasons():
    assert transcription_problem("  \n ", False)[0] == "empty_transcription"
    assert transcription_problem(ENGLISH, False)[0] == "not_french"
    prose = ("On considère la suite définie par récurrence et on montre qu'elle est croissante "
             "puis qu'elle converge vers sa limite.")
    assert transcription_problem(prose, had_symbols=True)[0] == "no_mathematics"
    assert transcription_problem(prose, had_symbols=False) is None
    assert transcription_problem(GOOD, had_symbols=True) is None
    # what counts as mathematics on either side
    assert math_signs("pour tout x ≤ 1") == 1 and math_signs("p Ø 0 et x") == 1
    assert math_signs("\x03 grande parenthèse") == 1 and math_signs("une phrase.") == 0
    assert has_mathematics("$x$") and has_mathematics("\\frac{1}{2}") and has_mathematics("x ≥ 0")
    assert not has_mathematics("Une phrase sans formule.")


def test_pages_are_transcribed_or_rejected_with_reasons(landing: Path, tmp_path: Path):
    exam = _exam(landing)
    cfg = ScholarConfig(vision=VisionConfig(enabled=True, dpi=50, max_pages_per_exam=10))
    texts, quarantine = read_exam(exam, cfg, warn=lambda _: None)
    assert quarantine.select("role", "reason").rows() == [("corrige", "no_text_layer")]
    ids = {key: vision_id(exam["exam_id"], *key) for key in
           (("sujet", 3), ("corrige", 1), ("corrige", 2))}
    run, sent = _runner(tmp_path, {ids[("sujet", 3)]: GOOD,
                                   ids[("corrige", 1)]: "Corrigé : la dérivée $f'(x) = 2x$ est "
                                   "positive donc la fonction est croissante.",
                                   ids[("corrige", 2)]: ENGLISH})
    out = vision_fallback(exam, texts, quarantine, cfg, run, log=lambda _: None)

    # every page went as a PNG image part, at the configured resolution
    assert [r.sample_id for r in sent] == list(ids.values())
    image = sent[0].messages[-1].images[0]
    assert image.mime_type == "image/png" and image.data.startswith(b"\x89PNG")
    assert pymupdf.open("png", image.data)[0].rect.width == pytest.approx(595 * 50 / 72, abs=1)

    sujet = out.texts.filter(out.texts["role"] == "sujet").sort("page")
    assert sujet["text_source"].to_list() == ["text_layer", "text_layer", "vision"]
    assert sujet["text"][2] == GOOD and sujet["chars"][2] == len(GOOD)
    # one corrigé page is English: the document stays quarantined, its good page is listed too
    assert out.quarantine["role"].to_list() == ["corrige"]
    assert "vision: 1 of 2 page(s) rejected" in out.quarantine["detail"][0]
    assert sorted(out.rejects.select("role", "page", "reason").rows()) == [
        ("corrige", 1, "document_quarantined"), ("corrige", 2, "not_french")]
    # pages sent = pages transcribed + pages rejected
    assert (out.sent, out.transcribed) == (3, 1)
    assert (out.texts["text_source"] == "vision").sum() + out.rejects.height == 3


def test_a_scan_whose_pages_pass_leaves_the_quarantine(landing: Path, tmp_path: Path):
    exam = _exam(landing)
    cfg = ScholarConfig(vision=VisionConfig(enabled=True, dpi=50))
    texts, quarantine = read_exam(exam, cfg, warn=lambda _: None)
    answers = {vision_id(exam["exam_id"], role, page): GOOD
               for role, page in (("sujet", 3), ("corrige", 1), ("corrige", 2))}
    run, _ = _runner(tmp_path, answers)
    out = vision_fallback(exam, texts, quarantine, cfg, run, log=lambda _: None)
    assert out.quarantine.is_empty() and out.rejects.is_empty()
    corrige = out.texts.filter(out.texts["role"] == "corrige")
    assert corrige.select("page", "method", "text_source").rows() == [
        (1, "vision", "vision"), (2, "vision", "vision")]


def test_the_page_cap_keeps_a_scan_whole_or_not_at_all(landing: Path, tmp_path: Path):
    exam = _exam(landing)
    cfg = ScholarConfig(vision=VisionConfig(enabled=True, dpi=50, max_pages_per_exam=2))
    texts, quarantine = read_exam(exam, cfg, warn=lambda _: None)
    run, sent = _runner(tmp_path, {vision_id(exam["exam_id"], "sujet", 3): GOOD})
    out = vision_fallback(exam, texts, quarantine, cfg, run, log=lambda _: None)
    assert [r.sample_id for r in sent] == [vision_id(exam["exam_id"], "sujet", 3)]
    assert out.rejects.select("role", "page", "reason").rows() == [
        ("corrige", 1, "over_page_cap"), ("corrige", 2, "over_page_cap")]
    assert out.quarantine["reason"].to_list() == ["no_text_layer"]


def test_luth_plan_prices_the_vision_calls_with_the_vision_model(landing: Path):
    config = RunConfig(
        llm=LLMSettings(provider="gemini", model="gemini-2.5-pro"),
        scholar=ScholarConfig(landing_dir=landing, vision=VisionConfig(
            enabled=True, model="gemini-2.5-flash", dpi=150)))
    planner = Planner(config, TokenCounter(None))
    planner.scholar()
    (step,) = [s for s in planner.steps if s.step == "scholar_vision"]
    assert (step.requests, step.model) == (3, "gemini-2.5-flash")
    assert step.input_tokens >= 3 * 1548          # an A4 page at 150 dpi: 6 tiles of 258 tokens
    assert step.cost_usd is not None and step.cost_usd > 0
