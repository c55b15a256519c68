"""Sources stage: reading every shape, language ID, the target-language slice and its rejects,
materialised with Dagster into a temporary lake and queried with DuckDB."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import dagster as dg
import polars as pl
import pytest
import yaml

from luth_assets.build import build_definitions
from luth_assets.lib.language_id import detect_languages
from luth_assets.lib.source_reading import SourceError, read_source_batches
from luth_assets.lib.warehouse import run_query
from luth_assets.materialize import materialize_all
from luth_assets.run_config import ConfigError, Settings, load_config
from luth_assets.stages.keys import RAW_MULTILINGUAL as RAW_KEY

FR_Q = "Peux-tu m'expliquer pourquoi le ciel est bleu pendant la journée ?"
FR_A = "La lumière du soleil est diffusée par l'air, et le bleu est diffusé bien plus que le rouge."
EN_Q = "Could you explain why the sky looks blue during the day?"
EN_A = "Sunlight is scattered by the air, and blue light is scattered much more than red light."
ES_A = "La luz del sol se dispersa en el aire y el azul se dispersa mucho más que el rojo."


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def chat(q: str, a: str) -> list[dict]:
    return [{"role": "user", "content": q}, {"role": "assistant", "content": a}]


@pytest.fixture
def three_shapes(tmp_path: Path) -> Path:
    """A run config over three sources in three shapes, plus one source missing a field."""
    write_jsonl(tmp_path / "chat.jsonl", [
        {"id": "c1", "messages": chat(FR_Q, FR_A)},
        {"id": "c2", "messages": chat(EN_Q, EN_A)},
        {"id": "c3", "messages": chat(FR_Q, EN_A)},
        {"id": "c4", "messages": chat("   ", FR_A)},
        {"id": "c5", "messages": None},
        {"id": "c6", "messages": [{"role": "narrator", "content": FR_Q}]},
    ])
    pl.DataFrame({
        "id": ["a1", "a2"], "inputs": [FR_Q, EN_Q], "targets": [FR_A, ES_A],
        "language": ["French", "English"],
    }).write_parquet(tmp_path / "aya.parquet")
    pl.DataFrame({
        "instruction": [FR_Q, "Traduis en français :"],
        "input": ["", "The cat sleeps on the sofa all afternoon."],
        "output": [FR_A, "Le chat dort sur le canapé tout l'après-midi, comme d'habitude."],
    }).write_csv(tmp_path / "alpaca.csv")
    write_jsonl(tmp_path / "broken.jsonl", [
        {"id": "b1", "messages": chat(FR_Q, FR_A)},
        {"id": "b2", "conversation": chat(FR_Q, FR_A)},
    ])
    config = {
        "target_language": "fr",
        "sources": {
            "chat": {"uri": "chat.jsonl", "format": "jsonl",
                     "mapping": {"id": "id", "messages": "messages"}},
            "aya": {"uri": "aya.parquet", "format": "parquet",
                    "mapping": {"id": "id", "prompt": "inputs", "response": "targets"}},
            "alpaca": {"uri": "alpaca.csv", "format": "csv",
                       "mapping": {"instruction": "instruction", "input": "input",
                                   "output": "output"}},
            "broken": {"uri": "broken.jsonl", "format": "jsonl",
                       "mapping": {"id": "id", "messages": "messages"}},
        },
        "language_id": {"workers": 1},
    }
    path = tmp_path / "luth.yaml"
    path.write_text(yaml.safe_dump(config), "utf-8")
    return path


def test_three_shapes_become_messages(three_shapes: Path) -> None:
    config = load_config(three_shapes)
    aya = [r for b in read_source_batches("aya", config.sources["aya"]) for r in b]
    assert aya[0]["messages"] == chat(FR_Q, FR_A)
    assert aya[0]["source_row_id"] == "a1"
    alpaca = [r for b in read_source_batches("alpaca", config.sources["alpaca"]) for r in b]
    assert alpaca[1]["messages"][0]["content"] == (
        "Traduis en français :\n\nThe cat sleeps on the sofa all afternoon."
    )
    assert alpaca[1]["source_row_id"] == "1"  # row number when no id field is mapped
    rows = [r for b in read_source_batches("chat", config.sources["chat"]) for r in b]
    problems = {r["source_row_id"]: r["problem"] for r in rows}
    assert problems == {"c1": None, "c2": None, "c3": None, "c4": None, "c5": "no_messages",
                        "c6": "unknown_role:narrator"}
    # stable ids: reading twice gives the same sample_id
    again = [r for b in read_source_batches("chat", config.sources["chat"]) for r in b]
    assert [r["sample_id"] for r in rows] == [r["sample_id"] for r in again]
    assert len({r["sample_id"] for r in rows}) == len(rows)


def test_missing_mapped_field_names_file_row_and_field(three_shapes: Path) -> None:
    config = load_config(three_shapes)
    with pytest.raises(SourceError) as err:
        for _ in read_source_batches("broken", config.sources["broken"]):
            pass
    message = str(err.value)
    assert "broken.jsonl" in message and "row 2" in message and "'messages'" in message


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, {"s": {
        "uri": "nope.jsonl", "format": "jsonl", "mapping": {"messages": "messages"}}}))
    with pytest.raises(SourceError, match="nope.jsonl not found"):
        next(read_source_batches("s", config.sources["s"]))


def write_config(tmp_path: Path, sources: dict, **extra) -> Path:
    path = tmp_path / "luth.yaml"
    path.write_text(yaml.safe_dump({"sources": sources, **extra}), "utf-8")
    return path


def test_config_errors_name_the_key(tmp_path: Path) -> None:
    bad = write_config(tmp_path, {"s": {"uri": "x.jsonl", "format": "xml",
                                        "mapping": {"messages": "m"}}}, target_langage="fr")
    with pytest.raises(ConfigError) as err:
        load_config(bad)
    text = str(err.value)
    assert "target_langage: unknown key" in text
    assert "sources.s.format" in text
    half = write_config(tmp_path, {"s": {"uri": "x.jsonl", "format": "jsonl",
                                         "mapping": {"prompt": "q"}}})
    with pytest.raises(ConfigError, match="sources.s.mapping"):
        load_config(half)


def test_detection_is_deterministic_across_worker_counts() -> None:
    texts = [FR_Q, FR_A, EN_Q, EN_A, ES_A, "Ok", "1234", ""] * 5
    batches = [[{"messages": [{"role": "user", "content": t}]} for t in texts[i:i + 7]]
               for i in range(0, len(texts), 7)]
    single = [r["turn_languages"] + r["turn_language_probs"]
              for b in detect_languages(json.loads(json.dumps(batches)), workers=1) for r in b]
    pooled = [r["turn_languages"] + r["turn_language_probs"]
              for b in detect_languages(json.loads(json.dumps(batches)), workers=2) for r in b]
    assert single == pooled
    assert single[0][0] == "fr" and single[2][0] == "en" and single[4][0] == "es"
    assert single[7][0] == "und"  # empty text


def materialize(config_path: Path, lake: Path) -> tuple[dg.Definitions, list]:
    settings = Settings(config_path=config_path, lake_root=str(lake))
    defs = build_definitions(settings)
    # only the sources stage: the other stages have their own tests
    keys = [k for k in defs.resolve_all_asset_keys() if k == RAW_KEY or "slices" in k.path[-1]]
    report = materialize_all(defs, dg.DagsterInstance.ephemeral(), selection=keys, log=lambda _: None)
    return defs, report.outcomes


def test_stage_materialises_kept_plus_rejected_equals_input(three_shapes, lake_root) -> None:
    _, outcomes = materialize(three_shapes, lake_root)
    status = {(tuple(o.keys), o.partition): o.success for o in outcomes}
    # the broken source fails alone, naming file, row and field; the others materialise
    broken = [o for o in outcomes if o.partition == "broken"]
    assert len(broken) == 1 and not broken[0].success
    assert "broken.jsonl row 2" in broken[0].error and "'messages'" in broken[0].error
    assert all(ok for (keys, part), ok in status.items() if part in ("chat", "aya", "alpaca"))
    slices = [o for o in outcomes if "silver/french_slices" in o.keys]
    assert slices and slices[0].success

    _, rows = run_query(lake_root, "select source_row_id from french_slices order by 1")
    kept = {r[0] for r in rows}
    _, rows = run_query(lake_root, "select source_row_id, reason from french_slices_rejects")
    rejected = dict(rows)
    _, rows = run_query(lake_root, "select count(*) from bronze.raw_multilingual")
    assert rows[0][0] == len(kept) + len(rejected) == 10
    assert {"c1", "a1", "0"} <= kept
    assert rejected["c2"] == "wrong_language:en"
    assert rejected["c3"] == "mixed_languages"
    assert rejected["a2"] == "wrong_language:en"
    assert rejected["c4"] == "empty_turn"
    assert rejected["c5"] == "no_messages"
    assert rejected["c6"] == "unknown_role:narrator"


def test_every_stats_query_runs_and_luth_sql_prints(three_shapes, lake_root) -> None:
    materialize(three_shapes, lake_root)
    for path in sorted((Path(__file__).parents[1] / "sql" / "stats").glob("*.sql")):
        text = path.read_text()
        columns, _ = run_query(lake_root, text, {"language": "fr"})
        assert columns, path
    env = {"LUTH_LAKE_ROOT": str(lake_root), "LUTH_CONFIG": str(three_shapes), "PATH": ""}
    cli = [sys.executable, "-m", "luth_assets.cli"]
    out = subprocess.run([*cli, "sql", "select count(*) as n from french_slices", "--csv"],
                         capture_output=True, text=True, env=env, check=True).stdout
    assert out.splitlines() == ["n", "3"]
    out = subprocess.run([*cli, "sql", "stats/reject_reasons.sql"], capture_output=True,
                         text=True, env=env, check=True).stdout
    assert "wrong_language:en" in out and "(7 rows)" in out


def test_target_language_is_config(tmp_path: Path, lake_root: Path) -> None:
    write_jsonl(tmp_path / "mix.jsonl", [
        {"id": "1", "messages": chat(FR_Q, FR_A)},
        {"id": "2", "messages": chat("¿Por qué el cielo es azul durante el día?", ES_A)},
    ])
    config = write_config(tmp_path, {"mix": {"uri": "mix.jsonl", "format": "jsonl",
                                             "mapping": {"id": "id", "messages": "messages"}}},
                          target_language="es", language_id={"workers": 1})
    materialize(config, lake_root)
    _, rows = run_query(lake_root, "select source_row_id from silver.spanish_slices")
    assert rows == [("2",)]
    _, rows = run_query(lake_root, "select reason from silver.spanish_slices_rejects")
    assert rows == [("wrong_language:fr",)]


def test_french_slice_precision_recall_on_real_sentences(shared_data, tmp_path, lake_root):
    """Leipzig sentences in ten languages (../shared/data/lid): one row per sentence."""
    rows = []
    for path in sorted((shared_data / "lid").glob("*.txt")):
        for number, line in enumerate(path.read_text("utf-8", errors="replace").splitlines()):
            if line.strip():
                rows.append({"id": f"{path.stem}:{number}",
                             "messages": [{"role": "user", "content": line.strip()}]})
    write_jsonl(tmp_path / "lid.jsonl", rows)
    config = write_config(tmp_path, {"lid": {"uri": "lid.jsonl", "format": "jsonl",
                                             "mapping": {"id": "id", "messages": "messages"}}},
                          language_id={"min_chars": 0})
    materialize(config, lake_root)
    _, kept = run_query(lake_root, "select source_row_id from french_slices")
    predicted = {r[0] for r in kept}
    truth = {r["id"] for r in rows if r["id"].startswith("fr:")}
    precision = len(predicted & truth) / len(predicted)
    recall = len(predicted & truth) / len(truth)
    print(f"\nFrench slice on ../shared/data/lid ({len(rows)} sentences, 10 languages): "
          f"precision {precision:.4f}, recall {recall:.4f}")
    assert precision >= 0.97 and recall >= 0.97


def test_hub_source_fails_fast_and_clearly_when_unreachable(monkeypatch) -> None:
    from luth_assets.lib.source_reading import resolve_files

    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens there
    with pytest.raises(SourceError, match="cannot reach the Hugging Face hub"):
        resolve_files("hf://datasets/CohereLabs/aya_dataset/data/*.parquet")


def test_selecting_one_half_of_kept_and_rejects_runs_both(three_shapes, lake_root) -> None:
    defs, _ = materialize(three_shapes, lake_root)
    report = materialize_all(defs, dg.DagsterInstance.ephemeral(),
                             selection=[dg.AssetKey(["silver", "french_slices"])], log=lambda _: None)
    assert [o.success for o in report.outcomes] == [True]
    assert set(report.outcomes[0].keys) == {"silver/french_slices", "silver/french_slices_rejects"}
