"""The extraction chain and the cleaning call through the real google-genai client against the
loopback Gemini-compatible server, with malformed and partial answers."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from fake_gemini import FakeGemini
from llm_helpers import FAKE_KEY, fast_settings

from luth_assets.lib.llm import LLMCache, LLMClient
from luth_assets.lib.llm.providers.gemini import GeminiProvider
from luth_assets.stages.scholar.chain import chunk_id, item_id, run_chain, split_exam
from luth_assets.stages.scholar.cleaning import clean_items
from luth_assets.stages.scholar.settings import ScholarConfig

EXAM = {"exam_id": "e0e0e0e0e0e0e0e0", "exam": "Sujet de test", "subject": "mathematiques",
        "year": 2024, "level": "terminale", "sujet_sha256": "a" * 64, "corrige_sha256": "b" * 64}
FILLER = ("On considère la fonction f définie sur l'intervalle [0 ; 1] par f(x) = x au carré, "
          "et la suite des valeurs de f aux points entiers. ")
SUJET_PAGES = [
    "EXERCICE 1\n" + FILLER * 2 + "\n1. Calculer f(0) et f(1).\n2. Étudier le sens de variation "
    "de f.\n"
    "EXERCICE 2\n" + FILLER * 2 + "\n1. Montrer que f est positive.\n2. Lire sur la figure la "
    "valeur de f(0,5).\n",
    "EXERCICE 3\n" + FILLER * 2 + "\n1. Conclure sur la limite.\n",
    "EXERCICE 4\n" + FILLER + "\n1. Calculer l'intégrale de f.\n2. Donner la valeur moyenne.\n",
]
CORRIGE_PAGES = ["Corrigé\nEXERCICE 1\n1. f(0) = 0 et f(1) = 1.\n2. f est croissante.\n"
                 "EXERCICE 2\n1. Un carré est positif.\n"
                 "EXERCICE 4\n1. L'intégrale vaut 1/3.\n"]
CFG = ScholarConfig(max_chunk_chars=500, max_corrige_chars=2000)
TAG = re.compile(r"\[id=([^\]]+)\]")


def number(ex: int, q: int) -> str:
    return f"Exercice {ex} - {q}"


def iid(ex: int, q: int) -> str:
    return item_id(EXAM["exam_id"], number(ex, q))


class Answers:
    """What the fake model answers, by call kind (read from the prompt) and tag."""

    def __init__(self):
        self.calls: dict[str, int] = {}

    def __call__(self, tag: str, prompt: str) -> dict:
        self.calls[tag] = self.calls.get(tag, 0) + 1
        if "Texte du sujet" in prompt:
            ex = int(re.search(r"EXERCICE (\d+)", prompt).group(1))
            page = int(re.search(r"\[page (\d+)\]", prompt).group(1))
            questions = [{"number": number(ex, int(n)), "question": q, "context": FILLER,
                          "needs_figure": "figure" in q, "pages": [page]}
                         for n, q in re.findall(r"^(\d)\. (.+)$", prompt, re.MULTILINE)]
            return {"questions": questions}
        if "Corrigé :" in prompt:
            if tag == iid(1, 2) and self.calls[tag] == 1:
                return {"answer": "f est croissante."}  # partial: 'found' missing, repaired
            if tag == iid(4, 2):
                return {"found": "peut-être"}            # partial every time: rejected
            if tag == iid(2, 1):
                return {"found": True, "answer": "Un carré est positif.", "multi_step": True,
                        "extra_context": "On a calculé f(0) = 0."}
            if tag == iid(4, 1):
                return {"found": False, "answer": ""}
            return {"found": True, "answer": f"Réponse détaillée pour {tag}.", "multi_step": False,
                    "extra_context": ""}
        # cleaning call
        question = re.search(r"Question :\n(.+)", prompt).group(1)
        answer = "Étape 1 : on calcule $f(0) = 0$." if tag != iid(2, 1) else "$f(x) \\geq 0"
        return {"question": question, "context": "", "answer": answer, "anomaly": False,
                "anomaly_reason": ""}


@pytest.fixture
def runner(tmp_path: Path):
    answers = Answers()
    plan = {chunk_id(EXAM["exam_id"], 2): ["malformed", "malformed"],   # exercise 3: lost
            iid(1, 1): ["ok", "malformed", "malformed"]}                # clean call: lost
    with FakeGemini(plan, json_answer=answers) as server:
        provider = GeminiProvider("gemini-2.5-flash", FAKE_KEY, base_url=server.base_url,
                                  timeout_s=5.0)
        client = LLMClient(provider, settings=fast_settings(),
                           cache=LLMCache.in_lake(tmp_path / "lake"), seed=1)
        yield (lambda requests, stage: client.run(requests, stage=stage)), server, answers


def test_long_exam_is_split_at_exercise_headings():
    chunks = split_exam(SUJET_PAGES, 500)
    assert len(chunks) == 4
    for i, chunk in enumerate(chunks, start=1):
        assert chunk.text.startswith("[page ")
        assert f"EXERCICE {i}" in chunk.text and len(chunk.text) <= 500 + len("[page 9]\n")
    assert chunks[0].pages == [1] and chunks[2].pages == [2] and chunks[3].pages == [3]
    # a section longer than the limit is cut at line ends, and every line lands once
    long = split_exam(["EXERCICE 1\n" + "\n".join(f"ligne {i} " * 8 for i in range(80))], 500)
    assert len(long) > 3 and all(len(c.text) <= 510 for c in long)
    body = "".join(re.sub(r"\[page \d+\]\n", "", c.text) + "\n" for c in long)
    assert body.count("ligne 79") == 8 and body.count("ligne 40") == 8


def test_chain_keeps_or_rejects_every_question(runner):
    run, server, answers = runner
    out = run_chain(EXAM, SUJET_PAGES, CORRIGE_PAGES, CFG, run)
    items = {r["number"]: r for r in out.items.iter_rows(named=True)}
    rejects = {(r["number"], r["reason"]) for r in out.rejects.iter_rows(named=True)}

    assert set(items) == {number(1, 1), number(1, 2), number(2, 1)}
    assert rejects == {
        (number(2, 2), "needs_figure"),
        (None, "llm_invalid_output"),          # exercise 3's chunk: malformed twice
        (number(4, 1), "answer_not_found"),
        (number(4, 2), "llm_invalid_output"),  # a partial answer, also after the repair
    }
    # nothing lost: every listed question is an item or a reject; plus the lost chunk
    assert out.questions == 6 and out.failed_chunks == 1
    assert out.items.height + out.rejects.height == out.questions + out.failed_chunks
    # the partial answer was repaired by the one repair call
    assert answers.calls[iid(1, 2)] == 2 and server.by_tag[iid(1, 2)] == 2
    # malformed chunk: first call + one repair, no more
    assert server.by_tag[chunk_id(EXAM["exam_id"], 2)] == 2
    # lineage, pages, context enrichment of a multi-step question
    first = items[number(1, 1)]
    assert first["sample_id"] == iid(1, 1) and first["exam_id"] == EXAM["exam_id"]
    assert first["sujet_sha256"] == "a" * 64 and first["pages"] == [1]
    assert first["chunk_id"] == chunk_id(EXAM["exam_id"], 0)
    assert items[number(2, 1)]["multi_step"]
    assert items[number(2, 1)]["context"].endswith("On a calculé f(0) = 0.")
    assert [s.stage for s in out.summaries] == ["scholar_questions", "scholar_answers"]
    assert out.summaries[1].repairs >= 1

    kept, rejected, summary = clean_items(out.items, CFG, run)
    assert kept.height + rejected.height == out.items.height
    assert set(kept["sample_id"]) | set(rejected["sample_id"]) == set(out.items["sample_id"])
    assert dict(zip(rejected["sample_id"], rejected["reason"], strict=True)) == {
        iid(1, 1): "llm_invalid_output", iid(2, 1): "unbalanced_dollars"}
    row = kept.row(0, named=True)
    assert row["messages"] == [{"role": "user", "content": row["question"]},
                               {"role": "assistant", "content": row["answer"]}]
    assert kept.schema["messages"] == pl.List(pl.Struct({"role": pl.String,
                                                         "content": pl.String}))
    assert summary.rows == 3
