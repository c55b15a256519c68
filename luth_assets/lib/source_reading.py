"""Read a source (jsonl, json, parquet, csv; local file, glob or hf://) as chat rows, in batches.

Every row becomes ``{sample_id, source, source_file, row_number, source_row_id, messages,
problem}`` where ``messages`` is a list of ``{role, content}`` with roles user/assistant/system.
A row whose content cannot be used (null, not a list, unknown role) is still returned, with
``problem`` saying why, so the slicing stage can reject it with that reason: nothing is dropped.
A file that lacks a mapped field altogether is an error naming the file, the row and the field;
rows are numbered from 1 in every message (the ``row_number`` column counts from 0, as before).
Text that is not UTF-8 is an error naming the file and row; a turn holding control characters
(NUL, BEL, ANSI escapes) is kept with the problem ``control_characters`` (so it is rejected with
that reason); C1 controls (Windows-1252 read as Latin-1) are mapped to their characters. A glob only hands out
files whose resolved path lies inside the folder it scans (a symlink leading out is an error).
A jsonl line is parsed when its batch is normalised (`normalise_chunk`), so the sources stage
parses in its detection workers; the errors are the same wherever that runs. Every parse error
(bad JSON, not UTF-8, nesting too deep: the parser's limit for a jsonl line, `JSON_MAX_DEPTH`
levels for a JSON array) is a `SourceError` naming the file and the row; none escapes as a bare
RecursionError or exhausts memory.
"""

from __future__ import annotations

import glob
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from luth_assets.lib.confinement import glob_base, split_confined
from luth_assets.lib.source_config import FieldMapping, SourceConfig
from luth_train.sample_ids import make_sample_id


class SourceError(ValueError):
    """A source that cannot be read; the message names the file, row and field."""


# JSON nesting deeper than this is refused (the json module stops near Python's recursion
# limit; ijson's item builder needs memory quadratic in the depth: 50,000 levels took 6 GB)
JSON_MAX_DEPTH = 512
PARQUET_BUFFER_BYTES = 1 << 20   # read buffer of a Parquet column chunk


def resolve_files(uri: str) -> list[str]:
    """Local file or glob -> sorted file list; hf:// URIs are opened through the hub's fsspec."""
    if uri.startswith("hf://"):
        return _resolve_hub_files(uri)
    if uri.startswith("file://"):
        uri = uri[len("file://"):]
    if any(ch in uri for ch in "*?["):
        files = sorted(glob.glob(uri, recursive=True))
        if not files:
            raise SourceError(f"source {uri}: the glob matches no file")
        _, outside = split_confined(files, glob_base(uri))
        if outside:
            raise SourceError(f"source {uri}: {outside[0]} resolves outside {glob_base(uri)} "
                              f"(a symlink?); {len(outside)} such file(s) refused, none read")
        return files
    if not Path(uri).is_file():
        raise SourceError(f"source file {uri} not found")
    return [uri]


def _resolve_hub_files(uri: str) -> list[str]:
    try:
        from huggingface_hub import HfFileSystem

        fs = HfFileSystem()
        path = uri[len("hf://"):]
        files = sorted(fs.glob(path)) if any(ch in path for ch in "*?[") else [path]
    except Exception as err:  # network errors come in many types; report them all the same way
        raise SourceError(
            f"source {uri}: cannot reach the Hugging Face hub ({type(err).__name__}). "
            "Offline? Download the file and point `uri` at the local copy."
        ) from None
    if not files:
        raise SourceError(f"source {uri}: no file on the hub matches")
    return [f"hf://{f}" for f in files]


def _open_binary(path: str):
    if path.startswith("hf://"):
        from huggingface_hub import HfFileSystem

        try:
            return HfFileSystem().open(path[len("hf://"):], "rb")
        except Exception as err:
            raise SourceError(
                f"source {path}: cannot open on the Hugging Face hub ({type(err).__name__}); "
                "offline? use a local copy"
            ) from None
    return open(path, "rb")


def iter_records(path: str, fmt: str, batch_size: int, span: tuple[int, int, int] | None = None
                 ) -> Iterator[list[tuple[int, Any]]]:
    """Yield batches of (row_number, record) from one file without loading it whole. A jsonl
    record is its line's bytes, blank lines left out: `normalise_chunk` parses it
    (`parse_jsonl_line`), in the detection worker when the raw table is written."""
    if fmt == "jsonl":  # `span`: (first byte, end byte, number of the first line) of a shard
        yield from _batched(_jsonl_lines(path, span), batch_size)
    elif fmt == "json":
        yield from _batched(_json_array_records(path), batch_size)
    elif fmt in ("parquet", "csv"):
        import pyarrow as pa

        try:
            yield from _columnar_records(path, fmt, batch_size)
        except (pa.ArrowMemoryError, MemoryError) as err:
            raise SourceError(f"{path}: out of memory reading it as {fmt} ({err}); a Parquet "
                              "page or CSV block larger than memory allows: rewrite the file "
                              "with smaller pages / row groups") from None
        except (pa.ArrowException, OSError) as err:
            raise SourceError(f"{path}: cannot read as {fmt}: {err}") from None
    else:  # the config model forbids other values; keep a clear message anyway
        raise SourceError(f"source {path}: unknown format {fmt!r}")


def _columnar_records(path: str, fmt: str, batch_size: int) -> Iterator[list[tuple[int, Any]]]:
    if fmt == "parquet":
        import pyarrow.parquet as pq

        with _open_binary(path) as handle:
            start = 0
            # a buffered stream reads a column chunk page by page: memory stays near one batch
            # whatever the row groups' size (unbuffered, a whole column chunk is read at once)
            parquet = pq.ParquetFile(handle, buffer_size=PARQUET_BUFFER_BYTES, pre_buffer=False)
            for batch in parquet.iter_batches(batch_size=batch_size):
                rows = batch.to_pylist()
                yield list(enumerate(rows, start))
                start += len(rows)
    else:
        import pyarrow.csv as pacsv

        with _open_binary(path) as handle:
            reader = pacsv.open_csv(
                handle, read_options=pacsv.ReadOptions(block_size=1 << 22)
            )
            start = 0
            for batch in reader:
                rows = batch.to_pylist()
                for offset in range(0, len(rows), batch_size):
                    chunk = rows[offset: offset + batch_size]
                    yield list(enumerate(chunk, start + offset))
                start += len(rows)


def _jsonl_lines(path: str, span: tuple[int, int, int] | None = None
                 ) -> Iterator[tuple[int, bytes]]:
    start, end, first = span or (0, -1, 0)
    if start < 0:  # a shard whose rows start past the last line
        return
    with _open_binary(path) as handle:
        if start:
            handle.seek(start)
        position = start
        for number, line in enumerate(handle, first):
            if position == end:
                break
            position += len(line)
            if line.strip():
                yield number, line


def parse_jsonl_line(path: str, number: int, line: bytes) -> Any:
    """The record of one jsonl line (`number` counts from 0); the error names file and row."""
    try:
        return json.loads(line)
    except json.JSONDecodeError as err:
        raise SourceError(f"{path} row {number + 1}: invalid JSON ({err.msg})") from None
    except UnicodeDecodeError:
        raise SourceError(f"{path} row {number + 1}: not UTF-8 text (latin-1?): "
                          "re-encode the file as UTF-8") from None
    except RecursionError:
        raise SourceError(f"{path} row {number + 1}: JSON nested too deeply for the parser "
                          "(about a thousand levels of [ or { or more)") from None
    except ValueError as err:  # anything else the parser refuses
        raise SourceError(f"{path} row {number + 1}: invalid JSON ({err})") from None


def _json_array_records(path: str) -> Iterator[tuple[int, Any]]:
    """The items of a JSON array file, one at a time, built from ijson's flat parse events
    (whose memory grows with the depth only) and refused past `JSON_MAX_DEPTH` levels."""
    import ijson

    number = 0
    with _open_binary(path) as handle:
        try:
            events = ijson.basic_parse(handle, use_float=True)
            first = next(events, None)
            if first is None or first[0] != "start_array":
                raise SourceError(f"{path}: expected a JSON array of records, found "
                                  f"{'nothing' if first is None else first[0]}")
            stack: list[Any] = []   # the containers of the record being built
            keys: list[Any] = []    # the pending key of each (None for a list)
            for event, value in events:
                if event == "map_key":
                    keys[-1] = value
                    continue
                if event in ("start_map", "start_array"):
                    if len(stack) >= JSON_MAX_DEPTH:
                        raise SourceError(f"{path} row {number + 1}: JSON nested deeper than "
                                          f"{JSON_MAX_DEPTH} levels")
                    stack.append({} if event == "start_map" else [])
                    keys.append(None)
                    continue
                if event in ("end_map", "end_array"):
                    if not stack:  # the end of the file's array
                        break
                    value = stack.pop()
                    keys.pop()
                if not stack:
                    yield number, value
                    number += 1
                elif keys[-1] is None:
                    stack[-1].append(value)
                else:
                    stack[-1][keys[-1]] = value
            for _ in events:
                raise SourceError(f"{path}: data after the end of the JSON array")
        except ijson.JSONError as err:
            raise SourceError(f"{path} row {number + 1}: invalid JSON array ({err})") from None
        except UnicodeDecodeError:
            raise SourceError(f"{path} row {number + 1}: not UTF-8 text (latin-1?): re-encode "
                              "the file as UTF-8") from None


def _batched(items: Iterator[tuple[int, Any]], size: int) -> Iterator[list[tuple[int, Any]]]:
    batch: list[tuple[int, Any]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


# C0 controls but tab, newline, carriage return, and DEL (ANSI escapes start with ESC): rejected
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# C1 controls are Windows-1252 text read as Latin-1 (\x92 for ’, \x9c for œ): repaired
C1_CONTROLS = re.compile(r"[\x80-\x9f]")


def _cp1252(match: re.Match) -> str:
    try:
        return bytes([ord(match.group())]).decode("cp1252")
    except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined: dropped
        return ""


def to_messages(record: dict, mapping: FieldMapping) -> tuple[list[dict[str, str]], str | None]:
    """Map one record to chat messages; returns (messages, problem or None). A turn holding
    control characters (NUL, BEL, ESC of ANSI escapes...) gives the problem
    ``control_characters`` (the row is rejected with it); C1 controls are mapped to the
    Windows-1252 characters they stand for."""
    messages, problem = _to_messages(record, mapping)
    for message in messages:
        if C1_CONTROLS.search(message["content"]):
            message["content"] = C1_CONTROLS.sub(_cp1252, message["content"])
    if problem is None and any(CONTROL_CHARACTERS.search(m["content"]) for m in messages):
        problem = "control_characters"
    return messages, problem


def _to_messages(record: dict, mapping: FieldMapping) -> tuple[list[dict[str, str]], str | None]:
    messages: list[dict[str, str]] = []
    if mapping.system and record.get(mapping.system):
        messages.append({"role": "system", "content": _text(record[mapping.system])})
    if mapping.messages:
        turns = record[mapping.messages]
        if turns is None:
            return messages, "no_messages"
        if isinstance(turns, str):
            try:
                turns = json.loads(turns)
            except (ValueError, RecursionError):  # bad or too deeply nested JSON text
                return messages, "malformed_messages"
        if not isinstance(turns, list) or not turns:
            return messages, "no_messages" if turns in ([], None) else "malformed_messages"
        for turn in turns:
            if not isinstance(turn, dict):
                return messages, "malformed_messages"
            raw_role = _text(turn.get(mapping.role_key)).strip().lower()
            role = mapping.roles.get(raw_role)
            if role is None:
                return messages, f"unknown_role:{raw_role or 'missing'}"
            messages.append({"role": role, "content": _text(turn.get(mapping.content_key))})
        return messages, None
    if mapping.prompt:
        prompt, response = record[mapping.prompt], record[mapping.response]
    else:
        prompt = _text(record[mapping.instruction])
        extra = _text(record.get(mapping.input)) if mapping.input else ""
        if extra.strip():
            prompt = f"{prompt}\n\n{extra}" if prompt.strip() else extra
        response = record[mapping.output]
    messages.append({"role": "user", "content": _text(prompt)})
    messages.append({"role": "assistant", "content": _text(response)})
    return messages, None


def read_source_batches(
    name: str, source: SourceConfig, batch_size: int = 2000
) -> Iterator[list[dict[str, Any]]]:
    """Yield batches of normalised chat rows from every file of a source, in file/row order."""
    for chunk in source_chunks(source, batch_size):
        yield normalise_chunk(name, source, chunk)


# (file path, whether the source has several files, batch of (row number, record)): what
# `normalise_chunk` turns into rows; plain values, so a process pool can do that part (a jsonl
# record is still its line's bytes: the worker parses it, not the process that reads)
SourceChunk = tuple[str, bool, list[tuple[int, Any]]]


def source_chunks(source: SourceConfig, batch_size: int = 2000, *, files: list[str] | None = None,
                  keep: Callable[[str, int], bool] | None = None,
                  spans: dict[str, tuple[int, int, int]] | None = None) -> Iterator[SourceChunk]:
    """The raw records of every file of a source in batches, in file/row order. A shard
    (`luth_assets.lib.shards`) reads only `files` (a subset of the source's files) and the rows
    `keep(path, row_number)` accepts, a jsonl file only its byte span (`iter_records`); ids stay
    those of the whole source."""
    all_files = resolve_files(source.uri)
    for path in all_files if files is None else files:
        span = spans.get(path) if spans else None
        for batch in iter_records(path, source.format, batch_size, span):
            if keep is not None:
                batch = [(number, record) for number, record in batch if keep(path, number)]
            if batch:
                yield path, len(all_files) > 1, batch


def normalise_chunk(name: str, source: SourceConfig, chunk: SourceChunk) -> list[dict[str, Any]]:
    """The rows of one `source_chunks` batch (see the module docstring)."""
    path, multi_file, batch = chunk
    mapping = source.mapping
    required = mapping.required_fields()
    used = [*required, *(f for f in (mapping.id, mapping.system, mapping.input) if f)]
    label = Path(path).name
    # a whole batch is parsed before any record is checked, as when the reader parsed it
    batch = [(number, parse_jsonl_line(path, number, record) if isinstance(record, bytes) else record)
             for number, record in batch]
    rows = []
    for number, record in batch:
        if not isinstance(record, dict):
            raise SourceError(f"{path} row {number + 1}: expected an object, got "
                              f"{type(record).__name__}")
        for field in required:
            if field not in record:
                raise SourceError(
                    f"{path} row {number + 1}: mapped field {field!r} is missing "
                    f"(fields present: {', '.join(sorted(record)) or 'none'})"
                )
        for key in used:  # a CSV column that is not all UTF-8 comes as bytes
            if isinstance(record.get(key), bytes | bytearray):
                try:
                    record[key] = record[key].decode("utf-8")
                except UnicodeDecodeError:
                    raise SourceError(
                        f"{path} row {number + 1}: field {key!r} is not UTF-8 text "
                        "(latin-1?): re-encode the file as UTF-8") from None
        if mapping.id:
            if record.get(mapping.id) is None:
                raise SourceError(
                    f"{path} row {number + 1}: id field {mapping.id!r} is missing")
            row_id = _text(record[mapping.id])
            if multi_file:
                row_id = f"{label}:{row_id}"
        else:
            row_id = f"{label}:{number}" if multi_file else str(number)
        try:
            messages, problem = to_messages(record, mapping)
            excluded = source.excluded_by(record) if source.exclude_when else None
        except RecursionError:  # a mapped field nested just under the parser's limit
            raise SourceError(f"{path} row {number + 1}: JSON nested too deeply to read its "
                              "fields") from None
        if excluded is not None and problem is None:
            problem = f"excluded:{excluded}"
        rows.append({
            "sample_id": make_sample_id(name, row_id),
            "source": name,
            "source_file": label,
            "row_number": number,
            "source_row_id": row_id,
            "messages": messages,
            "problem": problem,
        })
    return rows
