"""The lake on object storage, against a real S3 API on loopback: moto's server mode, started here
on 127.0.0.1 (a free port), with s3fs. The demo's sources, translation and curation assets run
with the lake root `s3://<bucket>/lake` through Dagster, and `luth sql` (a subprocess, as a user
runs it) reads the tables back through DuckDB with the fsspec filesystem registered on its
connection. Skips (printing why) only when no loopback port can be bound."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import polars as pl
import pytest
from safety.moto_s3 import moto_lake

from luth_assets.build import build_definitions
from luth_assets.lib import object_store
from luth_assets.lib.lake import write_parquet_atomic
from luth_assets.lib.lease import LEASE_NAME, read_lease
from luth_assets.materialize import materialize_all
from luth_assets.run_config import Settings, load_config
from luth_assets.stages import keys
from luth_assets.stages.curation.chat_schema import MESSAGE_TYPE
from luth_train.sample_ids import make_sample_id

REPO = Path(__file__).resolve().parents[1]
DEMO_CONFIG = REPO / "data_lake" / "landing" / "luth.yaml"
DEMO_CHAT = REPO / "data_lake" / "landing" / "sources" / "chat_fr.jsonl"
SNAPSHOT = json.loads((REPO / "tests" / "snapshots" / "demo_table_rows.json").read_text())
SECRET = "moto-secret-never-shown"


@pytest.fixture
def s3_lake(tmp_path, monkeypatch):
    """`s3://<fresh bucket>/lake` on a moto server bound to 127.0.0.1; AWS variables point at it
    (the secret key is one the test then looks for in every log and table)."""
    with moto_lake(tmp_path / "local", monkeypatch, secret=SECRET) as lake:
        yield lake


def _keys(fs, bucket: str) -> list[str]:
    fs.invalidate_cache()
    return sorted(fs.find(bucket))


def test_staged_upload_publishes_whole_objects_only(s3_lake):
    fs, root, bucket = s3_lake["fs"], s3_lake["root"], s3_lake["bucket"]
    target = object_store.join(root, "silver", "t.parquet")
    write_parquet_atomic(pl.DataFrame({"a": [1, 2, 3]}), target)
    with pytest.raises(RuntimeError):  # a write that fails half-way ...
        with object_store.staged_upload(target) as tmp:
            pl.DataFrame({"a": list(range(1000))}).write_parquet(tmp)
            raise RuntimeError("writer died")
    # ... leaves the previous table whole and no staging key behind
    assert object_store.read_parquet(target).collect()["a"].to_list() == [1, 2, 3]
    assert _keys(fs, bucket) == [f"{bucket}/lake/silver/t.parquet"]
    assert object_store.table_files(root, ["silver"]) == {"silver/t": [target]}


def test_llm_cache_on_s3_survives_a_new_process_view(s3_lake):
    from luth_assets.lib.llm import LLMCache
    from luth_assets.lib.llm.types import ProviderResponse

    root, fs, bucket = s3_lake["root"], s3_lake["fs"], s3_lake["bucket"]
    cache = LLMCache.in_lake(root, flush_rows=2)
    for i in range(3):
        cache.put(f"k{i}", "replay", "m", "{}", ProviderResponse(text=f"réponse {i}"))
    cache.flush()
    again = LLMCache.in_lake(root)
    assert len(again) == 3 and again.get("k2").text == "réponse 2"
    shards = [k for k in _keys(fs, bucket) if "/ops/llm_cache/" in k]
    assert len(shards) == 2 and not [k for k in shards if k.rsplit("/", 1)[-1].startswith(".")]


def _scholar_items(root: str) -> None:
    """Two Scholar items (the scholar stage itself reads local PDFs and stays out of this test)."""
    rows = [{"sample_id": make_sample_id("scholar", str(i)), "subject": "histoire",
             "messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]}
            for i, (q, a) in enumerate([
                ("Quelle est la date de la prise de la Bastille ?",
                 "La Bastille a été prise le 14 juillet 1789 par les Parisiens."),
                ("Qui a rédigé le Code civil de 1804 ?",
                 "Il a été préparé par une commission de juristes sous Napoléon Bonaparte.")])]
    frame = pl.DataFrame(rows, schema={"sample_id": pl.String, "subject": pl.String,
                                       "messages": MESSAGE_TYPE})
    write_parquet_atomic(frame, object_store.join(root, "silver", "scholar_items_clean.parquet"))


def _tokenizer(folder: Path) -> str:
    from luth_train.tiny_model import train_tiny_tokenizer

    texts = [m["content"] or "" for line in DEMO_CHAT.read_text().splitlines()
             for m in json.loads(line)["messages"]]
    train_tiny_tokenizer(texts, vocab_size=400).save_pretrained(folder)
    return str(folder)


SELECTION = [keys.RAW_MULTILINGUAL, keys.slices_key("fr"), keys.slice_rejects_key("fr"),
             dg.AssetKey(["bronze", "english_seed_prompts"]), keys.TRANSLATED_PROMPTS,
             keys.REGENERATED_RESPONSES, keys.JUDGED_SAMPLES, keys.BENCHMARK_ITEMS, keys.SFT_MIX]


def _luth_sql(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "luth_assets.cli", "sql", *args, "--csv"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def test_demo_stages_on_s3_and_luth_sql(s3_lake, tmp_path):
    root, fs, bucket = s3_lake["root"], s3_lake["fs"], s3_lake["bucket"]
    config = load_config(DEMO_CONFIG)
    config = config.model_copy(update={"training": config.training.model_copy(
        update={"base_model": _tokenizer(tmp_path / "tokenizer")})})
    defs = build_definitions(Settings(config_path=DEMO_CONFIG, lake_root=root), config)
    _scholar_items(root)
    logs: list[str] = []
    with dg.instance_for_test() as instance:
        report = materialize_all(defs, instance, selection=SELECTION, log=logs.append)
    assert not report.failures, "\n".join(logs)

    stored = _keys(fs, bucket)
    assert f"{bucket}/lake/silver/french_slices.parquet" in stored
    assert f"{bucket}/lake/bronze/raw_multilingual/chat_fr.parquet" in stored
    assert f"{bucket}/lake/gold/sft_mix_dataset/train.parquet" in stored
    assert f"{bucket}/lake/gold/sft_mix_card.md" in stored
    hidden = [k for k in stored if k.rsplit("/", 1)[-1].startswith(".")]
    assert hidden == [f"{bucket}/lake/{LEASE_NAME}"], "staging keys left"  # the lease, released
    assert read_lease(root)["members"] == {}
    assert not (Path(root.replace("s3://", ""))).exists(), "nothing written to a local s3: folder"

    env = {**os.environ, "LUTH_LAKE_ROOT": root, "LUTH_CONFIG": str(DEMO_CONFIG),
           "PYTHONPATH": str(REPO)}
    names = ["bronze/raw_multilingual", "silver/french_slices", "silver/french_slices_rejects",
             "bronze/english_seed_prompts", "silver/translated_prompts",
             "silver/translated_prompts_rejects", "silver/regenerated_responses",
             "silver/judged_samples", "silver/judged_samples_rejects", "gold/benchmark_items"]
    query = " union all ".join(
        f"select '{n}' as t, count(*) as n from {n.replace('/', '.')}" for n in names)
    out = _luth_sql(env, query)
    assert out.returncode == 0, out.stderr
    counts = {line.split(",")[0]: int(line.split(",")[1]) for line in out.stdout.splitlines()[1:]}
    assert counts == {n: SNAPSHOT[n] for n in names}  # the same rows as the local demo lake
    assert SECRET not in out.stdout + out.stderr

    # sft_mix reconciles on object storage too: judged + scholar = distinct kept + rejected
    out = _luth_sql(env, "select (select count(*) from silver.judged_samples) + "
                    "(select count(*) from silver.scholar_items_clean) as input_rows, "
                    "(select count(distinct sample_id) from gold.sft_mix) as kept, "
                    "(select count(*) from gold.sft_mix_rejects) as rejected, "
                    "(select count(*) from ops.llm_calls) as llm_runs")
    assert out.returncode == 0, out.stderr
    input_rows, kept, rejected, llm_runs = map(int, out.stdout.splitlines()[1].split(","))
    assert input_rows == SNAPSHOT["silver/judged_samples"] + 2 == kept + rejected
    assert llm_runs >= 4   # translate, regenerate, two judges
    assert SECRET not in "\n".join(logs)


def test_folder_writing_stages_refuse_an_object_store_lake():
    from luth_assets.resources import LakeResource

    lake = LakeResource(root="s3://bucket/lake")
    assert lake.uri("gold", "card.md") == "s3://bucket/lake/gold/card.md"
    with pytest.raises(ValueError, match="needs a local or mounted lake root"):
        lake.path  # noqa: B018  (model checkpoints are folders, not objects)
