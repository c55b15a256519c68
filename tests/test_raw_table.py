"""The sources stage's raw table (`write_raw_table`): the same Parquet rows, in the same order, with
1 and 2 workers and as the row-by-row reference path (read, detect, one Arrow table), including
rows with problems and a source of several files; a bad record in a worker is still an error
naming the file and row."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from luth_assets.lib.lid_cascade import LidOptions, detect_rows
from luth_assets.lib.source_config import SourceConfig
from luth_assets.lib.source_reading import SourceError, read_source_batches
from luth_assets.stages.sources import raw_table
from luth_assets.stages.sources.raw_table import RAW_SCHEMA, write_raw_table
from luth_assets.stages.sources.settings import LanguageIdConfig

TEXTS = ["Peux-tu m'expliquer pourquoi le ciel est bleu pendant la journée ?",
         "La lumière du soleil est diffusée par l'air, et le bleu est diffusé bien plus.",
         "Sunlight is scattered by the air, and blue light is scattered much more.",
         "Le concert de rock", "Post tenebras lux.", "El gato duerme sobre la mesa.", ""]


def write_source(folder: Path, files: int = 2, rows: int = 150) -> SourceConfig:
    folder.mkdir()
    for f in range(files):
        with (folder / f"part{f}.jsonl").open("w", encoding="utf-8") as out:
            for i in range(rows):
                turns = [{"role": "user", "content": TEXTS[(i + f) % len(TEXTS)]},
                         {"role": "assistant", "content": TEXTS[(i * 3 + 1) % len(TEXTS)]}]
                if i % 17 == 0:
                    turns[1]["content"] += " \x07"  # control character: a problem, still a row
                if i % 23 == 0:
                    turns[0]["role"] = "narrator"  # unknown role: a problem, still a row
                out.write(json.dumps({"id": f"r{i}", "messages": turns}, ensure_ascii=False) + "\n")
    return SourceConfig(uri=str(folder / "*.jsonl"), format="jsonl",
                        mapping={"id": "id", "messages": "messages"})


def reference_table(source: SourceConfig, lid: LanguageIdConfig) -> pa.Table:
    """The path before the workers did the per-row work: rows read here, detection, one table."""
    batches = read_source_batches("src", source, lid.batch_size)
    rows = [row for batch in detect_rows(batches, LidOptions.from_config(lid, "fr"), workers=1)
            for row in batch]
    return pa.Table.from_pylist(rows, schema=RAW_SCHEMA)


def test_same_rows_for_any_worker_count_and_as_the_reference(tmp_path, monkeypatch) -> None:
    source = write_source(tmp_path / "src")
    monkeypatch.setattr(raw_table, "ROW_GROUP_BYTES", 16_000)  # several row groups, written by the thread
    expected = reference_table(source, LanguageIdConfig(batch_size=32))
    assert expected.num_rows == 300
    for workers in (1, 2):
        out = tmp_path / f"raw{workers}.parquet"
        stats = write_raw_table("src", source, LanguageIdConfig(batch_size=32, workers=workers), out)
        written = pq.read_table(out)
        assert written.equals(expected), f"workers={workers}: rows differ from the reference"
        assert pq.ParquetFile(out).metadata.num_row_groups > 1
        assert stats.rows == 300
        assert stats.turns == pc.sum(pc.list_value_length(written["messages"])).as_py()
        # row 0 of each file has both problems; the role is found first
        assert stats.problems == {"control_characters": 16, "unknown_role:narrator": 14}
        for column, counter in (("language", stats.languages), ("language_decided_by", stats.decided_by)):
            assert counter == {c["values"]: c["counts"] for c in pc.value_counts(written[column]).to_pylist()}


def test_bad_record_in_a_worker_names_file_and_row(tmp_path) -> None:
    source = write_source(tmp_path / "src", files=1, rows=40)
    with (tmp_path / "src" / "part0.jsonl").open("a", encoding="utf-8") as out:
        out.write(json.dumps({"messages": []}) + "\n")  # no id
    with pytest.raises(SourceError, match=r"part0.jsonl row 41: id field 'id' is missing"):
        write_raw_table("src", source, LanguageIdConfig(batch_size=8, workers=2), tmp_path / "o.parquet")


NOT_JSON = b'{"id": "r5", "messages": [\n'
NOT_UTF8 = '{"id": "r9", "messages": [{"role": "user", "content": "Caf\u00e9"}]}\n'.encode("latin-1")
NO_ID = b'{"messages": []}\n'


@pytest.mark.parametrize(("bad_lines", "error"), [
    ({5: NOT_JSON}, "row 6: invalid JSON (Expecting value)"),
    ({9: NOT_UTF8}, "row 10: not UTF-8 text"),
    ({9: NOT_UTF8, 5: NOT_JSON}, "row 6: invalid JSON"),  # the first bad line is the one named
    ({25: NOT_JSON, 9: NOT_UTF8}, "row 10: not UTF-8 text"),
    ({33: NOT_JSON}, "row 36: invalid JSON"),  # after the two blank lines
    ({3: NO_ID, 12: NOT_UTF8, 20: NOT_JSON}, "row 4: id field"),  # an earlier batch comes first
], ids=["json", "utf8", "json-first", "utf8-first", "after-blanks", "record-first"])
def test_unparsable_line_in_a_worker_is_the_same_error_as_read_here(tmp_path, bad_lines, error) -> None:
    """jsonl lines are parsed in the workers: a line that is not JSON, or not UTF-8, still fails
    with the error `read_source_batches` gives, naming the file and row."""
    source = write_source(tmp_path / "src", files=1, rows=40)
    path = tmp_path / "src" / "part0.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    for index, line in bad_lines.items():
        lines[index] = line
    path.write_bytes(b"".join(lines[:30] + [b"\n", b"  \n"] + lines[30:]))  # skipped, still counted
    lid = LanguageIdConfig(batch_size=8, workers=2)
    with pytest.raises(SourceError) as read_here:
        for _ in read_source_batches("src", source, lid.batch_size):
            pass
    with pytest.raises(SourceError) as in_workers:
        write_raw_table("src", source, lid, tmp_path / "o.parquet")
    assert str(in_workers.value) == str(read_here.value)
    assert str(read_here.value).startswith(f"{path} {error}")
