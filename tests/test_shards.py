"""Shards as partitions (`shards: N` on a source): the demo's sources split by file (a glob of four
files) and by row ranges (one file), materialised through Dagster on a local lake; the same kept
and rejected rows as one shard, per-shard and total counts that reconcile, and a re-run of one
shard that rewrites only that shard's partition file."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from luth_assets.build import build_definitions
from luth_assets.lib.lake import read_table
from luth_assets.lib.shards import parse_shard_key, shard_keys
from luth_assets.materialize import materialize_all
from luth_assets.run_config import Settings, load_config
from luth_assets.stages import keys

REPO = Path(__file__).resolve().parents[1]
DEMO_CONFIG = REPO / "data_lake" / "landing" / "luth.yaml"
CHAT = REPO / "data_lake" / "landing" / "sources" / "chat_fr.jsonl"
SLICE, REJECTS = keys.slices_key("fr"), keys.slice_rejects_key("fr")
SELECTION = [keys.RAW_MULTILINGUAL, SLICE, REJECTS]


def _config(tmp_path: Path, shards: int):
    """The demo's sources plus `chat_split`: chat_fr.jsonl cut into four files (a glob)."""
    split = tmp_path / "split"
    split.mkdir(exist_ok=True)
    lines = CHAT.read_text().splitlines()
    for i in range(4):
        (split / f"part{i}.jsonl").write_text("\n".join(lines[i::4]) + "\n")
    config = load_config(DEMO_CONFIG)
    sources = {name: s.model_copy(update={"shards": shards if name == "chat_fr" else 1})
               for name, s in config.sources.items()}
    sources["chat_split"] = config.sources["chat_fr"].model_copy(
        update={"uri": str(split / "*.jsonl"), "shards": shards})
    return config.model_copy(update={
        "sources": sources,
        "language_id": config.language_id.model_copy(update={"workers": 1})})


def _run(tmp_path: Path, shards: int, name: str):
    lake = tmp_path / name
    config = _config(tmp_path, shards)
    defs = build_definitions(Settings(config_path=DEMO_CONFIG, lake_root=str(lake)), config)
    logs: list[str] = []
    with dg.instance_for_test() as instance:
        report = materialize_all(defs, instance, selection=SELECTION, log=logs.append)
    assert not report.failures, "\n".join(logs)
    return lake, config, defs


def _ids(lake: Path, key: dg.AssetKey) -> set[str]:
    return set(read_table(lake, key.path).select("sample_id").collect()["sample_id"])


def test_three_shards_give_the_rows_of_one(tmp_path):
    one, _, _ = _run(tmp_path, 1, "one")
    three, config, defs = _run(tmp_path, 3, "three")

    partitions = sorted(p.stem for p in (three / "bronze" / "raw_multilingual").glob("*.parquet"))
    assert partitions == sorted(shard_keys(config.sources))
    assert "chat_fr.2of3" in partitions and "chat_split.3of3" in partitions
    assert _ids(one, SLICE) == _ids(three, SLICE) and _ids(one, REJECTS) == _ids(three, REJECTS)
    assert _ids(three, SLICE) and _ids(three, REJECTS)

    # per shard: rows of one source split without overlap; in total: kept + rejected = input
    raw = {p.stem: pl.read_parquet(p) for p in (three / "bronze" / "raw_multilingual").glob("*.parquet")}
    for source, total in (("chat_fr", 150), ("chat_split", 150)):
        parts = [raw[f"{source}.{i}of3"]["sample_id"].to_list() for i in (1, 2, 3)]
        assert all(parts) and sum(map(len, parts)) == total == len(set().union(*parts))
    by_file = {f: raw[f"chat_split.{i + 1}of3"]["source_file"].unique().to_list()
               for i, f in enumerate(["a", "b", "c"])}
    assert sorted(by_file["a"]) == ["part0.jsonl", "part3.jsonl"]       # split by file
    assert raw["chat_fr.1of3"]["row_number"].max() < raw["chat_fr.2of3"]["row_number"].min()
    n_raw = sum(f.height for f in raw.values())
    assert n_raw == len(_ids(three, SLICE)) + len(_ids(three, REJECTS))

    # re-running one shard touches only its partition file
    before = {p.name: p.stat().st_mtime_ns for p in (three / "bronze" / "raw_multilingual").iterdir()}
    job = defs.resolve_implicit_global_asset_job_def()
    with dg.instance_for_test() as instance:
        result = job.execute_in_process(asset_selection=[keys.RAW_MULTILINGUAL],
                                        partition_key="chat_fr.2of3", instance=instance)
    assert result.success
    after = {p.name: p.stat().st_mtime_ns for p in (three / "bronze" / "raw_multilingual").iterdir()}
    changed = sorted(name for name in after if after[name] != before.get(name))
    assert changed == ["chat_fr.2of3.parquet"]


def test_shard_keys_and_their_errors(tmp_path):
    config = _config(tmp_path, 2)
    assert shard_keys({"a": config.sources["aya_style"]}) == ["a"]      # one shard: the name
    assert parse_shard_key("chat_fr.2of2", config.sources).index == 1
    with pytest.raises(KeyError, match="chat_fr.3of2"):
        parse_shard_key("chat_fr.3of2", config.sources)
    demo = load_config(DEMO_CONFIG)
    assert shard_keys(demo.sources) == sorted(demo.sources)              # the demo's partitions


def test_seed_sources_refuse_shards():
    from luth_assets.run_config import ConfigError, parse_config

    source = {"uri": "seeds.jsonl", "format": "jsonl", "mapping": {"messages": "messages"},
              "shards": 2}
    with pytest.raises(ConfigError, match="translation.sources.*tulu.shards: the seed sources"):
        parse_config({"translation": {"sources": {"tulu": source}}})


@pytest.mark.parametrize("trailing_newline", [True, False])
def test_a_jsonl_shard_reads_only_its_bytes(tmp_path, trailing_newline):
    """One large jsonl file split by rows: each shard seeks to its byte span (no line outside it
    is read), and the shards together give the whole file's records with their row numbers,
    blank lines and a missing final newline included."""
    from luth_assets.lib.shards import Shard, plan_shard, shard_chunks
    from luth_assets.lib.source_config import SourceConfig
    from luth_assets.lib.source_reading import source_chunks

    lines = []
    for i in range(23):
        lines.append(f'{{"id": "{i}", "messages": [{{"role": "user", "content": "{"é" * i}"}}]}}')
        if i % 4 == 0:
            lines.append("")
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(lines) + ("\n" if trailing_newline else ""), encoding="utf-8")
    source = SourceConfig(uri=str(path), format="jsonl", mapping={"id": "id", "messages": "messages"})

    def records(chunks):
        return [(number, line) for _, _, batch in chunks for number, line in batch]

    whole = records(source_chunks(source, 4))
    for count in (2, 3, 5):
        together = []
        for index in range(count):
            plan = plan_shard(source, Shard("big", index, count))
            assert plan.split == "rows" and plan.spans is not None
            spanned = records(source_chunks(source, 4, spans=plan.spans))  # the span alone
            assert spanned == records(shard_chunks(source, plan, 4))
            # the shard's reader seeks: without its row filter it still reads only its span
            assert records(shard_chunks(source, dataclasses.replace(plan, rows=None), 4)) == spanned
            rows = plan.rows[str(path)]
            assert all(number in rows for number, _ in spanned)
            together += spanned
        assert together == whole
