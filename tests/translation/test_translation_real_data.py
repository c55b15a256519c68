"""Real data: translate-and-judge the 175 English Alpaca seed tasks through the loopback Gemini
server, which answers from the French Vigogne translation of the same tasks (matched by id), and
check the lineage: every French row traces back to its English id."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from fake_gemini import FakeGemini
from llm_helpers import FAKE_KEY
from translation_helpers import run_stage, write_config, write_jsonl


def alpaca_prompt(task: dict) -> tuple[str, str]:
    """(prompt, answer) of a self-instruct seed task, as the Alpaca mapping builds them."""
    instance = task["instances"][0]
    prompt = task["instruction"]
    if instance["input"].strip():
        prompt = f"{prompt}\n\n{instance['input']}"
    return prompt, instance["output"]


def test_alpaca_seed_tasks_translate_and_judge_with_lineage(shared_data: Path, tmp_path: Path,
                                                            lake_root: Path, instance,
                                                            monkeypatch):
    folder = shared_data / "instruct"
    english = [json.loads(line) for line in (folder / "seed_tasks_en_alpaca.jsonl").open()]
    french = {t["id"]: t for t in map(json.loads, (folder / "seed_tasks_fr_vigogne.jsonl").open())}
    # the seed tasks nest input/output in `instances`: flatten them to the Alpaca shape the
    # field mapping reads (instruction / input / output)
    write_jsonl(tmp_path / "seed_tasks_en.jsonl", [
        {"id": t["id"], "instruction": t["instruction"], "input": t["instances"][0]["input"],
         "output": t["instances"][0]["output"]} for t in english])
    config = write_config(tmp_path / "luth.yaml", {
        "target_language": "fr",
        "llm": {"provider": "gemini", "concurrency": 16, "timeout_s": 10.0,
                "retry": {"max_retries": 2, "backoff_initial_s": 0.01, "backoff_max_s": 0.05}},
        "translation": {"sources": {"alpaca_seed": {
            "uri": "seed_tasks_en.jsonl", "format": "jsonl",
            "mapping": {"id": "id", "instruction": "instruction", "input": "input",
                        "output": "output"}}}},
    })

    # the server knows the tasks by id: English prompt -> id, French prompt -> id
    id_of_english = {alpaca_prompt(t)[0]: t["id"] for t in english}
    id_of_french = {alpaca_prompt(t)[0]: tid for tid, t in french.items()}
    code_ids = {tid for tid, t in french.items() if "```" in alpaca_prompt(t)[1]
                or "def " in alpaca_prompt(t)[1]}

    def text_answer(tag: str, prompt: str) -> str:
        if prompt in id_of_english:                    # translation of an English prompt
            return alpaca_prompt(french[id_of_english[prompt]])[0]
        return alpaca_prompt(french[id_of_french[prompt]])[1]  # answer to the French prompt

    def json_answer(tag: str, prompt: str) -> dict:
        tid = next(i for p, i in id_of_french.items() if p in prompt)
        if "Quality review" in prompt and tid in code_ids:
            return {"reason": "Contains code.", "issue": "code", "verdict": "reject"}
        return {"reason": f"Correct French ({tid}).", "issue": "none", "verdict": "keep"}

    with FakeGemini({}, latency_s=0.01, text_answer=text_answer,
                    json_answer=json_answer) as server:
        monkeypatch.setenv("GEMINI_API_KEY", FAKE_KEY)
        monkeypatch.setenv("LUTH_GEMINI_BASE_URL", server.base_url)
        report = run_stage(config, lake_root, instance)
        assert not report.failed, report.errors

    seeds = pl.read_parquet(lake_root / "bronze/english_seed_prompts/alpaca_seed.parquet")
    kept = pl.read_parquet(lake_root / "silver/judged_samples.parquet")
    rejected = pl.read_parquet(lake_root / "silver/judged_samples_rejects.parquet")
    assert seeds.height == len(english) == 175
    assert kept.height + rejected.height == 175
    assert set(rejected["reason"]) <= {"code"}
    assert set(rejected.join(seeds, left_on="seed_sample_id", right_on="sample_id")
               ["source_row_id"]) == code_ids

    # lineage: judged row -> seed_sample_id -> English row id; its French text is that id's
    rows = pl.concat([kept.select("seed_sample_id", "messages"),
                      rejected.select("seed_sample_id", "messages")]).join(
        seeds.select("sample_id", "source_row_id", "prompt"), left_on="seed_sample_id",
        right_on="sample_id", how="left")
    assert rows["source_row_id"].null_count() == 0
    for seed_id, english_prompt, messages in rows.select(
            "source_row_id", "prompt", "messages").iter_rows():
        fr_prompt, fr_answer = alpaca_prompt(french[seed_id])
        assert id_of_english[english_prompt] == seed_id
        assert messages[0]["content"] == fr_prompt.strip()
        assert messages[1]["content"] == fr_answer.strip()
