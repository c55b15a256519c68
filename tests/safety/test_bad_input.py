"""Bad source input is rejected with a reason or fails naming the file and the 1-based row."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from luth_assets.build import build_definitions
from luth_assets.lib.source_reading import SourceError, read_source_batches
from luth_assets.materialize import materialize_all
from luth_assets.run_config import ConfigError, Settings, load_config, parse_config

from .helpers import FR_A, FR_Q, SOURCES_STAGE, chat, sources_config, write_jsonl


def read_all(config: Path, name: str) -> list[dict]:
    source = load_config(config).sources[name]
    return [row for batch in read_source_batches(name, source) for row in batch]


def one_source(folder: Path, uri: str, fmt: str, mapping: dict) -> Path:
    return sources_config(folder, {"s": {"uri": uri, "format": fmt, "mapping": mapping}})


def test_latin1_csv_fails_naming_file_and_row(tmp_path: Path) -> None:
    text = "instruction,output\nBonjour,Salut à toi\nÇa va ?,Très bien\n"
    (tmp_path / "alpaca.csv").write_bytes(text.encode("latin-1"))
    config = one_source(tmp_path, "alpaca.csv", "csv", {"instruction": "instruction",
                                                         "output": "output"})
    with pytest.raises(SourceError) as err:
        read_all(config, "s")
    message = str(err.value)
    assert "alpaca.csv row 1" in message and "not UTF-8" in message and "'output'" in message


def test_latin1_jsonl_fails_naming_file_and_row(tmp_path: Path) -> None:
    good = '{"id": "1", "messages": [{"role": "user", "content": "ok"}]}\n'
    bad = '{"id": "2", "messages": [{"role": "user", "content": "déjà"}]}\n'
    (tmp_path / "chat.jsonl").write_bytes(good.encode() + bad.encode("latin-1"))
    config = one_source(tmp_path, "chat.jsonl", "jsonl", {"id": "id", "messages": "messages"})
    with pytest.raises(SourceError, match=r"chat\.jsonl row 2: not UTF-8 text"):
        read_all(config, "s")


@pytest.mark.parametrize("fmt,content", [("csv", b""), ("parquet", b"")])
def test_empty_files_name_the_file(tmp_path: Path, fmt: str, content: bytes) -> None:
    (tmp_path / f"empty.{fmt}").write_bytes(content)
    config = one_source(tmp_path, f"empty.{fmt}", fmt, {"prompt": "q", "response": "a"})
    with pytest.raises(SourceError) as err:
        read_all(config, "s")
    assert f"empty.{fmt}: cannot read as {fmt}" in str(err.value)


def test_control_characters_are_rejected_with_a_reason(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "chat.jsonl", [
        {"id": "clean", "messages": chat(FR_Q, FR_A)},
        {"id": "nul", "messages": chat(FR_Q + "\x00", FR_A)},
        {"id": "bel", "messages": chat(FR_Q, FR_A + "\x07")},
        {"id": "ansi", "messages": chat("\x1b[31m" + FR_Q + "\x1b[0m", FR_A)},
        {"id": "tabs", "messages": chat(FR_Q + "\t\r\n", FR_A)},
    ])
    config = one_source(tmp_path, "chat.jsonl", "jsonl", {"id": "id", "messages": "messages"})
    lake = tmp_path / "lake"
    defs = build_definitions(Settings(config_path=config, lake_root=str(lake)))
    report = materialize_all(defs, dg.DagsterInstance.ephemeral(),
                             selection=[dg.AssetKey.from_user_string(k) for k in SOURCES_STAGE],
                             log=lambda _: None)
    assert all(o.success for o in report.outcomes), [o.error for o in report.failures]
    kept = pl.read_parquet(lake / "silver" / "french_slices.parquet")["source_row_id"].to_list()
    rejects = pl.read_parquet(lake / "silver" / "french_slices_rejects.parquet")
    assert sorted(kept) == ["clean", "tabs"]
    assert dict(rejects.select("source_row_id", "reason").rows()) == {
        "nul": "control_characters", "bel": "control_characters", "ansi": "control_characters"}


@pytest.mark.parametrize("value", ["zz", "fr; rm", "FR"])
def test_target_language_must_be_a_detector_language(value: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config({"target_language": value})
    assert "target_language" in str(err.value) and "not a language the detector knows" in str(err.value)
    assert parse_config({"target_language": "es"}).target_language == "es"


def test_a_glob_never_hands_out_a_file_outside_its_folder(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    write_jsonl(tmp_path / "data" / "a.jsonl", [{"id": "1", "messages": chat(FR_Q, FR_A)}])
    write_jsonl(tmp_path / "secret.jsonl", [{"id": "s", "messages": chat(FR_Q, FR_A)}])
    (tmp_path / "data" / "b.jsonl").symlink_to(tmp_path / "secret.jsonl")
    config = one_source(tmp_path, "data/*.jsonl", "jsonl", {"id": "id", "messages": "messages"})
    with pytest.raises(SourceError, match=r"b\.jsonl resolves outside .*data"):
        read_all(config, "s")


def test_windows_1252_leftovers_are_repaired_not_rejected() -> None:
    from luth_assets.lib.source_config import FieldMapping
    from luth_assets.lib.source_reading import to_messages

    messages, problem = to_messages({"q": "l\x92eau", "a": "c\x9cur"},
                                    FieldMapping(prompt="q", response="a"))
    assert problem is None
    assert [m["content"] for m in messages] == ["l’eau", "cœur"]
