"""A broken server behind the translation stage: bad bodies and cut answers end in the stage's
rejects with their kind, the kept table holds only whole answers, the batch is in ops/llm_calls.
Dagster's own materialisation, the real `openai` client, a fake vLLM server on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import polars as pl
import pytest
import yaml
from fake_openai import FakeOpenAI

from luth_assets.materialize import materialize_all
from luth_assets.resources import build_resources
from luth_assets.run_config import Settings
from luth_assets.stages.ops import definitions as ops_stage
from luth_assets.stages.sources import definitions as sources_stage
from luth_assets.stages.translation import definitions as translation_stage

PLAN = {"t00": ["not_json"], "t01": ["html"], "t02": ["wrong_shape"], "t03": ["length"],
        "t04": ["no_message"], "t05": ["not_json", "ok"]}   # the others answer "ok"
N_SEEDS = 12


def definitions(tmp_path: Path, lake: Path, **llm) -> dg.Definitions:
    (tmp_path / "seeds.jsonl").write_text("".join(json.dumps({"id": f"t{i:02d}", "messages": [
        {"role": "user", "content": f"EN question {i} [id=t{i:02d}]: how many apples?"},
        {"role": "assistant", "content": "Some."}]}) + "\n" for i in range(N_SEEDS)), "utf-8")
    config_path = tmp_path / "luth.yaml"
    config_path.write_text(yaml.safe_dump({
        "llm": {"provider": "openai_compatible", "model": "Qwen/Qwen3-32B", "timeout_s": 5.0,
                "retry": {"max_retries": 1, "backoff_initial_s": 0.01, "backoff_max_s": 0.02},
                **llm},
        "translation": {"sources": {"seeds": {"uri": "seeds.jsonl", "format": "jsonl",
                                              "mapping": {"id": "id", "messages": "messages"}}}},
    }), "utf-8")
    settings = Settings(config_path=config_path, lake_root=str(lake))
    config = settings.load()
    return dg.Definitions.merge(*(stage.stage_definitions(config)
                                  for stage in (sources_stage, translation_stage, ops_stage)),
                                dg.Definitions(resources=build_resources(settings, config)))


def test_bad_bodies_and_cut_answers_land_in_the_rejects(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    keys = [dg.AssetKey(["bronze", "english_seed_prompts"]),
            dg.AssetKey(["silver", "translated_prompts"])]
    with FakeOpenAI(PLAN) as server, pytest.MonkeyPatch.context() as mp:
        mp.setenv("LUTH_OPENAI_BASE_URL", server.base_url)
        defs = definitions(tmp_path, lake)
        report = materialize_all(defs, dg.DagsterInstance.ephemeral(), selection=keys,
                                 log=lambda _: None)
    assert all(o.success for o in report.outcomes), [o.error for o in report.outcomes]

    kept = pl.read_parquet(lake / "silver" / "translated_prompts.parquet")
    rejects = pl.read_parquet(lake / "silver" / "translated_prompts_rejects.parquet")
    assert kept.height + rejects.height == N_SEEDS
    assert not kept["prompt"].str.contains("Voici le début").any()   # no cut answer kept
    reasons = dict(zip(rejects["source_row_id"], rejects["reason"], strict=True))
    assert reasons == {"t00": "bad_response", "t01": "bad_response", "t02": "bad_response",
                       "t03": "truncated", "t04": "bad_response"}
    cut = rejects.filter(pl.col("reason") == "truncated")
    assert cut["raw_text"].to_list() == ["Voici le début d'une tradu"]

    calls = pl.read_parquet(lake / "ops" / "llm_calls" / "*.parquet")
    [row] = calls.filter(pl.col("stage") == "translated_prompts").to_dicts()
    assert row["rows"] == N_SEEDS and row["rejected"] == 5
    assert json.loads(row["failures_by_reason"]) == {"bad_response": 4, "truncated": 1}
