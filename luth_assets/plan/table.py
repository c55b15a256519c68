"""Text tables that fit the terminal, for `luth plan`.

A table is printed as is when it fits `width`. Otherwise, in this order until it fits: the free
text column (the last one, `how`) wraps in the room left, or goes under its row when too little
room is left; large numbers are shortened (330,269,400 -> 330.3M) and headers take their short
form; then columns are left out, the least useful first, and a line names them (`--json` has
everything).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

GAP = "  "
MIN_WRAP = 24      # narrower than this, the free text goes on its own line under the row
INDENT = "    "


@dataclass(frozen=True)
class Column:
    name: str
    short: str = ""        # header when shortened ("" = the name)
    drop: int = 0          # 0: never left out; otherwise the higher, the earlier it goes


def number(value: Any, compact: bool = False) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, str):
        return value
    if compact and abs(value) >= 10_000:
        for unit, size in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
            if abs(value) >= size:
                return f"{value / size:,.1f}{unit}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return f"{value:,}"


def _lines(columns: list[Column], rows: list[list[Any]], *, compact: bool, free: int | None,
           width: int) -> list[str]:
    """The table; `free` is the index of the free-text column (wrapped), None for none."""
    header = [c.short or c.name if compact else c.name for c in columns]
    cells = [[number(v, compact) for v in row] for row in rows]
    fixed = [i for i in range(len(columns)) if i != free]
    widths = {i: max([len(header[i])] + [len(r[i]) for r in cells]) for i in range(len(columns))}
    out_lines: list[str] = []
    under = False
    if free is not None:
        room = width - sum(widths[i] for i in fixed) - len(GAP) * len(fixed)
        if room >= MIN_WRAP:
            widths[free] = min(widths[free], room)
        else:
            under = True  # the text goes under its row
    shown = fixed if under else list(range(len(columns)))

    def join(values: dict[int, str]) -> str:
        return GAP.join(values[i].ljust(widths[i]) for i in shown).rstrip()

    out_lines.append(join({i: header[i] for i in shown}))
    out_lines.append(join({i: "-" * widths[i] for i in shown}))
    for row in cells:
        if free is None:
            out_lines.append(join(dict(enumerate(row))))
            continue
        if under:
            out_lines.append(join(dict(enumerate(row))))
            if row[free]:
                out_lines += textwrap.wrap(row[free], width, initial_indent=INDENT,
                                           subsequent_indent=INDENT)
            continue
        wrapped = textwrap.wrap(row[free], widths[free]) or [""]
        for k, piece in enumerate(wrapped):
            values = {i: (row[i] if k == 0 else "") for i in fixed}
            values[free] = piece
            out_lines.append(join(values))
    return out_lines


def fit_table(columns: list[Column], rows: list[list[Any]], width: int,
              free_text: bool = False) -> str:
    """`rows` of raw values (numbers, strings, None) under `columns`, at most `width` wide where
    it can be; `free_text`: the last column is text that may wrap."""
    free = len(columns) - 1 if free_text else None
    for compact in (False, True):
        lines = _lines(columns, rows, compact=compact, free=free, width=width)
        if max(len(line) for line in lines) <= width:
            return "\n".join(lines)
    keep = list(range(len(columns)))
    left_out: list[str] = []
    for index in sorted((i for i, c in enumerate(columns) if c.drop), key=lambda i: -columns[i].drop):
        keep.remove(index)
        left_out.append(columns[index].name)
        kept_free = (keep.index(free) if free in keep else None) if free is not None else None
        lines = _lines([columns[i] for i in keep], [[r[i] for i in keep] for r in rows],
                       compact=True, free=kept_free, width=width)
        if max(len(line) for line in lines) <= width:
            break
    note = f"(left out to fit {width} columns: {', '.join(left_out)}; --json has them)"
    return "\n".join(lines + textwrap.wrap(note, width))
