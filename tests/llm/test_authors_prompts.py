"""`translation.prompts: authors` (configs/runs/luth_paper.yaml): the authors' strings go over the
wire byte for byte, with their token budgets, and True/False verdicts are read as their scripts
read them (kurakurai/Luth src/data/{data_instruct,filtering,cleaning}.py), odd answers included.
Every call goes through the real LLM client (openai_compatible provider, `llm.steps` of the paper
configuration) to a scripted vLLM stand-in on 127.0.0.1."""

from __future__ import annotations

import ast
from pathlib import Path

import polars as pl
import pytest
from scripted_openai import ScriptedOpenAI

from luth_assets.lib.llm.runtime import AssetLLMRunner
from luth_assets.run_config import load_config
from luth_assets.stages.translation import authors_prompts
from luth_assets.stages.translation.judging import CANDIDATE_SCHEMA, judge_candidates
from luth_assets.stages.translation.prompt_sets import prompt_set
from luth_assets.stages.translation.translating import regenerate_answers, translate_seeds

REPO = Path(__file__).resolve().parents[2]
AUTHORS_SRC = Path("/work/luth-authors/src/data")


def paper_runner(server: ScriptedOpenAI, lake: Path) -> AssetLLMRunner:
    config = load_config(REPO / "configs/runs/luth_paper.yaml")
    assert config.translation.prompts == "authors"
    settings = config.llm.model_copy(update={"concurrency": 4})
    return AssetLLMRunner(settings, lake, asset="test", run_id="authors-prompts",
                          log=lambda _m: None, env={"LUTH_OPENAI_BASE_URL": server.base_url})


def _row(sample_id: str, source: str, question: str, answer: str) -> dict:
    return {"sample_id": sample_id, "subset": "gathered", "source": source,
            "seed_sample_id": None,
            "messages": [{"role": "user", "content": question},
                         {"role": "assistant", "content": answer}]}


def test_the_authors_judges_and_their_verdict_parsing(lake: Path):
    # the answers the judge gives, by a marker in each row; the authors' rule: "true" anywhere
    # keeps (tested first), else "false" anywhere drops, else the row is lost (here: rejected)
    answers = {"q-true": "True", "q-false": "False", "q-lower": "false.",
               "q-both": "True or False", "q-untrue": "Untrue", "q-odd": "Oui",
               "q-empty-ish": "Je ne sais pas"}
    rows = [_row(m, "openhermes_fr", f"Question {m} ?", f"Réponse {m}.") for m in answers]
    rows.append(_row("tu1", "tulu3_persona_instruct", "Explique q-tulu.", "Voici."))
    cands = pl.DataFrame(rows, schema=CANDIDATE_SCHEMA)
    config = load_config(REPO / "configs/runs/luth_paper.yaml")
    judges = config.translation.judges
    with ScriptedOpenAI({**answers, "q-tulu": "False"}) as server:
        out = judge_candidates(cands, paper_runner(server, lake), target="fr",
                               params=config.translation.judge,
                               scopes={"quality": judges.quality, "cleaning": judges.cleaning},
                               prompts=prompt_set("authors", "fr"))
        log = list(server.log)

    kept = set(out.kept["sample_id"])
    assert kept == {"q-true", "q-both", "q-untrue"}
    rejected = {r["sample_id"]: (r["judge"], r["reason"], r["judge_reason"])
                for r in out.rejected.to_dicts()}
    assert rejected == {
        "q-false": ("quality", "quality_reject", "False"),
        "q-lower": ("quality", "quality_reject", "false."),
        "q-odd": ("quality", "unparsed_verdict", "Oui"),
        "q-empty-ish": ("quality", "unparsed_verdict", "Je ne sais pas"),
        "tu1": ("cleaning", "cleaning_reject", "False"),
    }
    assert out.kept.height + out.rejected.height == cands.height
    odd = out.rejected.filter(pl.col("sample_id") == "q-odd")["error"][0]
    assert odd == "expected 'True' or 'False', got 'Oui'"

    # over the wire: their system prompts and user message byte for byte, no JSON schema,
    # 10 tokens, temperature 0.7, top_p 0.8, thinking off
    quality = next(b for b in log if "Question q-true ?" in b["messages"][1]["content"])
    assert quality["messages"] == [
        {"role": "system", "content": authors_prompts.QUALITY_SYSTEM},
        {"role": "user", "content": "QUESTION:\nQuestion q-true ?\n\nANSWER:\nRéponse q-true."}]
    assert quality["max_tokens"] == 10 and "response_format" not in quality
    assert (quality["temperature"], quality["top_p"]) == (0.7, 0.8)
    assert quality["chat_template_kwargs"] == {"enable_thinking": False}
    cleaning = next(b for b in log if "q-tulu" in b["messages"][1]["content"])
    assert cleaning["messages"][0]["content"] == authors_prompts.CLEANING_SYSTEM
    assert cleaning["messages"][1]["content"] == "QUESTION:\nExplique q-tulu.\n\nANSWER:\nVoici."
    assert cleaning["max_tokens"] == 10
    assert len(log) == len(rows)   # one call per row in a judge's scope, nothing else


def test_the_authors_translation_and_regeneration(lake: Path):
    seeds = pl.DataFrame({"sample_id": ["s1"], "source": ["tulu3_persona_instruct"],
                          "source_row_id": ["0"], "prompt": ["Write a haiku about rain."],
                          "problem": [None]}, schema={"sample_id": pl.String, "source": pl.String,
                                                      "source_row_id": pl.String,
                                                      "prompt": pl.String, "problem": pl.String})
    answers = {"PROMPT TO TRANSLATE:": "Écris un haïku sur la pluie.",
               "Écris un haïku": "La pluie tombe, douce."}
    authors = prompt_set("authors", "fr")
    with ScriptedOpenAI(answers) as server:
        run = paper_runner(server, lake)
        translated = translate_seeds(seeds, run, target="fr", prompts=authors)
        answered = regenerate_answers(translated.kept, run, target="fr", prompts=authors)
        log = list(server.log)
    assert translated.kept["prompt"].to_list() == ["Écris un haïku sur la pluie."]
    assert answered.kept["messages"][0].to_list() == [
        {"role": "user", "content": "Écris un haïku sur la pluie."},
        {"role": "assistant", "content": "La pluie tombe, douce."}]
    translate, regenerate = log
    assert translate["messages"] == [
        {"role": "system", "content": authors_prompts.TRANSLATE_SYSTEM},
        {"role": "user", "content": "PROMPT TO TRANSLATE:\nWrite a haiku about rain."}]
    assert translate["max_tokens"] == 1024
    assert regenerate["messages"] == [
        {"role": "system", "content": "You are a helpful assistant that responds in French."},
        {"role": "user", "content": "Écris un haïku sur la pluie."}]
    assert regenerate["max_tokens"] == 2048


def test_the_authors_prompts_are_french_only_and_ours_stay_in_luth_plus():
    with pytest.raises(ValueError, match="written for French"):
        prompt_set("authors", "es")
    assert load_config(REPO / "configs/runs/luth_plus.yaml").translation.prompts == "ours"
    assert load_config(REPO / "data_lake/landing/luth.yaml").translation.prompts == "ours"


def _authors_sys_prompt(file: str, cls: str) -> str:
    tree = ast.parse((AUTHORS_SRC / file).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == cls:
            for item in node.body:
                if isinstance(item, ast.Assign) and item.targets[0].id == "SYS_PROMPT":
                    return item.value.value
    raise AssertionError(f"{file}: no {cls}.SYS_PROMPT")


def test_the_strings_equal_the_authors_source_files():
    if not AUTHORS_SRC.is_dir():
        pytest.skip(f"the authors' code is not at {AUTHORS_SRC} (kurakurai/Luth @ 6248963a)")
    assert authors_prompts.TRANSLATE_SYSTEM == _authors_sys_prompt("data_instruct.py",
                                                                   "PromptTranslation")
    assert authors_prompts.REGENERATE_SYSTEM == _authors_sys_prompt("data_instruct.py",
                                                                    "DatasetBuilder")
    assert authors_prompts.QUALITY_SYSTEM == _authors_sys_prompt("filtering.py", "DatasetBuilder")
    assert authors_prompts.CLEANING_SYSTEM == _authors_sys_prompt("cleaning.py", "DatasetBuilder")
    instruct = (AUTHORS_SRC / "data_instruct.py").read_text(encoding="utf-8")
    assert '"PROMPT TO TRANSLATE:\\n" + prompt' in instruct
    for judge in ("filtering.py", "cleaning.py"):
        text = (AUTHORS_SRC / judge).read_text(encoding="utf-8")
        assert '"QUESTION:\\n"' in text and '"ANSWER:\\n"' in text and "max_tokens=10" in text
        assert 'if "true" in status.lower():' in text
