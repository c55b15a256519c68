"""`scholar.chain: authors`: the authors' four calls per exam (extract questions, add context,
extract answers, enrich context) through the real google-genai client against the loopback
Gemini server: their prompts byte for byte, each answer parsed as theirs (JSON, else its text,
passed on to the next prompt), and every exam ending in items or a reject with a reason."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from fake_gemini import FakeGemini
from llm_helpers import FAKE_KEY, fast_settings

from luth_assets.lib.llm import LLMCache, LLMClient
from luth_assets.lib.llm.providers.gemini import GeminiProvider
from luth_assets.run_config import load_config
from luth_assets.stages.scholar import authors_prompts as ap
from luth_assets.stages.scholar.authors_chain import run_authors_chain, step_id
from luth_assets.stages.scholar.chain import item_id
from luth_assets.stages.scholar.cleaning import clean_items
from luth_assets.stages.scholar.settings import ScholarConfig

REPO = Path(__file__).resolve().parents[2]
AUTHORS_PROMPTS = Path("/work/luth-authors/src/data/scholar-fr/scripts/prompts.py")
EXAM = {"exam_id": "a1a1a1a1a1a1a1a1", "exam": "Bac maths 2024", "subject": "mathematiques",
        "year": 2024, "level": "terminale", "sujet_sha256": "a" * 64, "corrige_sha256": "b" * 64}
SUJET = ["EXERCICE 1\nSoit f(x) = x² sur [0 ; 1].\n1. Calculer f(0).",
         "2. Montrer que f est croissante."]
CORRIGE = ["1. f(0) = 0.\n2. f'(x) = 2x ≥ 0 donc f est croissante."]
QUESTIONS = ["1. Calculer f(0).", "2. Montrer que f est croissante."]
WITH_CONTEXT = [{"question": q, "context": "Soit f(x) = x² sur [0 ; 1]."} for q in QUESTIONS]
ANSWERS = [{**c, "reponse": r} for c, r in zip(WITH_CONTEXT, ["$f(0) = 0$.", "$f'(x) = 2x$."],
                                             strict=True)]
STEP_OF = {"You are given the full text": "questions",
           "extract its introductory description": "context",
           "You are extracting exact answers": "answers",
           "may require previous answers": "enrich"}


def step_of(prompt: str) -> str:
    return next(step for marker, step in STEP_OF.items() if marker in prompt)


class Script:
    """What the fake Gemini answers at each step; records each step's prompt."""

    def __init__(self, answers: dict[str, str]):
        self.answers = answers
        self.prompts: dict[str, str] = {}

    def __call__(self, tag: str, prompt: str) -> str:
        step = step_of(prompt)
        self.prompts[step] = prompt
        return self.answers[step]


def run_with(script: Script, tmp_path: Path):
    with FakeGemini(text_answer=script) as server:
        provider = GeminiProvider("gemini-2.5-flash", FAKE_KEY, base_url=server.base_url,
                                  timeout_s=5.0)
        client = LLMClient(provider, settings=fast_settings(),
                           cache=LLMCache.in_lake(tmp_path / "lake"), seed=1)
        out = run_authors_chain(EXAM, SUJET, CORRIGE, ScholarConfig(chain="authors"),
                                lambda requests, stage: client.run(requests, stage=stage))
        return out, server.total


def test_four_calls_per_exam_end_in_items(tmp_path: Path):
    enriched = [*ANSWERS, {"question": "3. Conclure.", "context": "", "reponse": ""}]
    script = Script({
        "questions": json.dumps(QUESTIONS, ensure_ascii=False),
        "context": json.dumps(WITH_CONTEXT, ensure_ascii=False),
        "answers": "```json\n" + json.dumps(ANSWERS, ensure_ascii=False) + "\n```",
        "enrich": json.dumps(enriched, ensure_ascii=False)})
    out, calls = run_with(script, tmp_path)

    assert calls == 4 and [s.stage for s in out.summaries] == [
        "scholar_questions", "scholar_questions", "scholar_answers", "scholar_answers"]
    items = out.items.to_dicts()
    assert [(i["number"], i["question"], i["answer"]) for i in items] == [
        ("q001", QUESTIONS[0], "$f(0) = 0$."), ("q002", QUESTIONS[1], "$f'(x) = 2x$.")]
    assert items[0]["sample_id"] == item_id(EXAM["exam_id"], "q001")
    assert items[0]["context"] == "Soit f(x) = x² sur [0 ; 1]."
    assert items[0]["chunk_id"] == step_id(EXAM["exam_id"], "questions")
    assert [(r["number"], r["reason"]) for r in out.rejects.to_dicts()] == [("q003", "empty_answer")]
    assert out.items.height + out.rejects.height == out.questions == 3
    # what each prompt carried: the whole sujet / corrigé text, the previous answer as JSON
    sujet = "\n".join(SUJET)
    assert script.prompts["questions"] == ap.fill(ap.EXTRACT_QUESTIONS, subject_text=sujet)
    assert script.prompts["context"] == ap.fill(
        ap.ADD_CONTEXT, subject_text=sujet, questions=json.dumps(QUESTIONS, ensure_ascii=False))
    assert script.prompts["answers"] == ap.fill(
        ap.EXTRACT_ANSWERS, contexted_questions=json.dumps(WITH_CONTEXT, ensure_ascii=False),
        correction_text="\n".join(CORRIGE))
    assert script.prompts["enrich"] == ap.fill(   # the fenced answer was read as JSON
        ap.ENRICH_CONTEXT, answers_with_context=json.dumps(ANSWERS, ensure_ascii=False))


def test_text_that_is_not_json_is_passed_on_and_a_last_answer_without_items_rejects(tmp_path):
    script = Script({"questions": "Question 1 : calculer f(0).",      # not JSON: passed on
                     "context": json.dumps(WITH_CONTEXT, ensure_ascii=False),
                     "answers": json.dumps(ANSWERS, ensure_ascii=False),
                     "enrich": "Je n'ai pas pu produire la liste."})
    out, calls = run_with(script, tmp_path)
    assert calls == 4
    assert "Questions:\n        Question 1 : calculer f(0).\n" in script.prompts["context"]
    assert out.items.height == 0
    [reject] = out.rejects.to_dicts()
    assert (reject["step"], reject["reason"]) == ("enrich", "unparsed_output")
    assert reject["detail"] == "Je n'ai pas pu produire la liste."


def test_a_failed_call_rejects_the_exam_with_its_reason(tmp_path: Path):
    script = Script({"questions": json.dumps(QUESTIONS), "context": json.dumps(WITH_CONTEXT),
                     "answers": "", "enrich": "[]"})
    out, calls = run_with(script, tmp_path)
    assert "enrich" not in script.prompts     # the chain stops at the failed step
    [reject] = out.rejects.to_dicts()
    assert (reject["step"], reject["reason"]) == ("answers", "llm_empty_output")
    assert reject["sample_id"] == step_id(EXAM["exam_id"], "answers")
    assert out.items.height == 0 and out.failed_chunks == 1


def test_the_authors_cleaning_prompt_and_their_reading_of_its_answer(tmp_path: Path):
    script = Script({
        "questions": json.dumps(QUESTIONS, ensure_ascii=False),
        "context": json.dumps(WITH_CONTEXT, ensure_ascii=False),
        "answers": json.dumps(ANSWERS, ensure_ascii=False),
        "enrich": json.dumps(ANSWERS, ensure_ascii=False)})
    items, _ = run_with(script, tmp_path)
    cleaned_answer = "Étape 1 : on remplace $x$ par $0$ : $f(0) = 0^2 = 0$."

    def clean_answer(tag: str, prompt: str) -> str:
        assert prompt.lstrip().startswith("You will receive three inputs")
        if "Calculer f(0)" in prompt:   # no context key: the context sent is kept
            return json.dumps({"question": "Calculer $f(0)$.", "reponse": cleaned_answer},
                              ensure_ascii=False)
        return "Voici la version corrigée, sans JSON."

    with FakeGemini(text_answer=clean_answer) as server:
        provider = GeminiProvider("gemini-2.5-pro", FAKE_KEY, base_url=server.base_url,
                                  timeout_s=5.0)
        client = LLMClient(provider, settings=fast_settings(), seed=1)
        kept, rejected, _ = clean_items(items.items, ScholarConfig(chain="authors"),
                                        lambda requests, stage: client.run(requests, stage=stage))
    assert kept.height + rejected.height == items.items.height == 2
    [row] = kept.to_dicts()
    assert (row["question"], row["answer"]) == ("Calculer $f(0)$.", cleaned_answer)
    assert row["context"] == "Soit f(x) = x² sur [0 ; 1]."
    [reject] = rejected.to_dicts()
    assert (reject["reason"], reject["detail"]) == ("unparsed_output",
                                                    "Voici la version corrigée, sans JSON.")


def test_the_paper_configuration_runs_the_authors_chain():
    assert load_config(REPO / "configs/runs/luth_paper.yaml").scholar.chain == "authors"
    assert load_config(REPO / "configs/runs/luth_plus.yaml").scholar.chain == "ours"
    assert load_config(REPO / "data_lake/landing/luth.yaml").scholar.chain == "ours"


def test_the_templates_are_the_authors_prompts_byte_for_byte():
    if not AUTHORS_PROMPTS.is_file():
        pytest.skip(f"the authors' code is not at {AUTHORS_PROMPTS} (kurakurai/Luth @ 6248963a)")
    spec = importlib.util.spec_from_file_location("authors_scholar_prompts", AUTHORS_PROMPTS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)   # their prompts.py imports enum and json only
    theirs = module.Prompts
    sujet, corrige = "Sujet « é » $x^2$", "Corrigé"
    assert ap.fill(ap.EXTRACT_QUESTIONS, subject_text=sujet) == theirs.extract_questions(sujet)
    for value in (QUESTIONS, "texte brut", {"a": 1}):
        assert ap.fill(ap.ADD_CONTEXT, subject_text=sujet, questions=ap.as_prompt_text(value)) \
            == theirs.add_context_to_questions(sujet, value)
        assert ap.fill(ap.EXTRACT_ANSWERS, contexted_questions=ap.as_prompt_text(value),
                       correction_text=corrige) == theirs.extact_answers(value, corrige)
        assert ap.fill(ap.ENRICH_CONTEXT, answers_with_context=ap.as_prompt_text(value)) \
            == theirs.enrich_context(value)
    assert ap.fill(ap.CLEAN_SAMPLE, question="Q ?", context="", response="R.") \
        == theirs.clean_sample("Q ?", "", "R.")
