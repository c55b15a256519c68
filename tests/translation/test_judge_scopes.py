"""Which judge reviews which rows (`translation.judges`), and the judges' criteria at parity with
the authors' (code and tool scope, factual errors, mixed languages), answered by the replay
provider: a call outside a judge's scope would be a replay miss, so the scopes are exact."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from luth_assets.lib.llm.runtime import run_llm
from luth_assets.lib.llm.settings import LLMSettings
from luth_assets.stages.translation.judging import CANDIDATE_SCHEMA, judge_candidates
from luth_assets.stages.translation.prompts import (
    CleaningVerdict,
    QualityVerdict,
    cleaning_judge_messages,
    quality_judge_messages,
)
from luth_assets.stages.translation.settings import JudgeScope


def _row(sample_id: str, source: str, subset: str = "gathered") -> dict:
    return {"sample_id": sample_id, "subset": subset, "source": source, "seed_sample_id": None,
            "messages": [{"role": "user", "content": f"Question {sample_id} ?"},
                         {"role": "assistant", "content": f"Réponse {sample_id}."}]}


def _verdict(verdict: str, issue: str, reason: str) -> dict:
    return {"reason": reason, "issue": issue, "verdict": verdict}


def test_each_judge_reviews_only_the_sources_in_its_scope(tmp_path: Path):
    replay = tmp_path / "replay.jsonl"
    answers = [
        ("quality_judge", "oh1", _verdict("keep", "none", "Correct et bien écrit.")),
        ("quality_judge", "oh2", _verdict("reject", "factual_error",
                                          "La réponse situe Lyon en Bretagne.")),
        ("cleaning_judge", "tu1", _verdict("reject", "mixed_languages",
                                           "La réponse mélange français et anglais.")),
    ]
    replay.write_text("\n".join(json.dumps({"stage": s, "sample_id": i, "output": o})
                                for s, i, o in answers) + "\n")
    settings = LLMSettings(provider="replay", replay_path=replay)
    lake = tmp_path / "lake"
    lake.mkdir()

    def run(requests, stage):
        return run_llm(settings, lake, requests, stage=stage, log=lambda _m: None)

    cands = pl.DataFrame([_row("oh1", "openhermes_fr"), _row("oh2", "openhermes_fr"),
                          _row("tu1", "tulu3_persona_instruct", "translated"),
                          _row("ay1", "aya")], schema=CANDIDATE_SCHEMA)
    out = judge_candidates(cands, run, target="fr", scopes={
        "quality": JudgeScope(sources=["openhermes_fr"]),
        "cleaning": JudgeScope(sources=["tulu3_persona_instruct"])})

    kept = {r["sample_id"]: r for r in out.kept.to_dicts()}
    assert list(kept) == ["oh1", "ay1"]
    assert kept["oh1"]["quality_reason"] == "Correct et bien écrit."
    assert kept["oh1"]["cleaning_reason"] is None           # outside the cleaning scope
    assert kept["ay1"]["quality_reason"] is None and kept["ay1"]["cleaning_reason"] is None
    rejected = {r["sample_id"]: (r["judge"], r["reason"]) for r in out.rejected.to_dicts()}
    assert rejected == {"oh2": ("quality", "factual_error"),
                        "tu1": ("cleaning", "mixed_languages")}
    assert out.kept.height + out.rejected.height == cands.height
    assert [r.summary.rows for r in out.runs] == [2, 1]     # two quality calls, one cleaning call


def test_the_judges_carry_the_authors_criteria():
    exchange = [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "R"}]
    quality = quality_judge_messages(exchange, target="fr")[1].content
    for phrase in ("factual_error", "a false statement of fact", "libraries or developer tools",
                   "debugging", "command-line usage", "API requests",
                   "configuring or troubleshooting external tools", "conjugations",
                   "accents", "contradictions"):
        assert phrase in quality, phrase
    cleaning = cleaning_judge_messages(exchange, target="fr")[1].content
    for phrase in ("mixed_languages", "proper nouns excepted", "grammatically correct",
                   "not a narrative, a story or purely informative content", "répondez en anglais"):
        assert phrase in cleaning, phrase
    # structured verdicts with a reason, the new issues allowed
    assert QualityVerdict(reason="Faux.", issue="factual_error", verdict="reject")
    assert CleaningVerdict(reason="Mélange.", issue="mixed_languages", verdict="reject")
