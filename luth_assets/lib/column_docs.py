"""Column descriptions for `dagster/column_schema`, read from the "Column descriptions" table of
docs/tables.md (one place to edit them). A `layer/table.column` row wins over a bare `column` row
for that table, and a `<name>` in a row's column stands for any word (`gold/score_table.<benchmark>_std`);
a missing docs file (an installed wheel) means no descriptions, never an error."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

TABLES_DOC = Path(__file__).resolve().parents[2] / "docs" / "tables.md"
HEADING = "## Column descriptions"
ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|\s*(.+?)\s*\|\s*$")
CODE_SPAN = re.compile(r"(`[^`]*`)")
PLACEHOLDER = re.compile(r"((?:[\w./-]*<[A-Za-z_][\w.-]*>)+[\w./-]*)")


def markdown_visible(text: str) -> str:
    """`merge-<recipe>` outside a code span would render as "merge-" in the UI (Markdown takes
    `<recipe>` for an HTML tag): such a name goes in a code span, as the docs would write it."""
    parts = CODE_SPAN.split(text)
    return "".join(part if part.startswith("`") else PLACEHOLDER.sub(r"`\1`", part)
                   for part in parts)


@cache
def column_descriptions(path: Path = TABLES_DOC) -> dict[str, str]:
    if not path.is_file():
        return {}
    text = path.read_text("utf-8")
    if HEADING not in text:
        return {}
    section = text.split(HEADING, 1)[1].split("\n## ", 1)[0]
    return {m.group(1): markdown_visible(m.group(2))
            for line in section.splitlines() if (m := ROW.match(line))}


@cache
def column_patterns(path: Path = TABLES_DOC) -> list[tuple[re.Pattern[str], str]]:
    """The rows whose column has a `<name>` placeholder, as regular expressions."""
    return [(re.compile("".join(r"[\w.-]+?" if part.startswith("<") else re.escape(part)
                                for part in re.split(r"(<[A-Za-z_]\w*>)", key)) + "$"), text)
            for key, text in column_descriptions(path).items() if "<" in key]


def describe(table: str, column: str) -> str | None:
    """Description of `column` in `table` (``silver/french_slices``), None when undocumented."""
    docs = column_descriptions()
    base = table.removesuffix("_rejects")
    exact = docs.get(f"{table}.{column}") or docs.get(f"{base}.{column}") or docs.get(column)
    if exact:
        return exact
    for name in (f"{table}.{column}", f"{base}.{column}", column):
        for pattern, text in column_patterns():
            if pattern.match(name):
                return text
    return None
