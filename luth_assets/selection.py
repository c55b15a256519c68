"""What `luth materialize --select` accepts, resolved against the built asset graph.

    bronze/raw_multilingual     an asset key (the SQL spelling bronze.raw_multilingual works too)
    group:evaluation            every asset of a group
    kind:pytorch                every asset of a kind (the UI's kind tags)
    tag:NAME[=VALUE]            every asset carrying that tag

An unknown key, group, kind or tag is an error that lists the close matches; a selection that
names nothing is an error too (never "0/0 runs succeeded").
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

import dagster as dg

KIND_TAG_PREFIX = "dagster/kind/"


class SelectionError(ValueError):
    """A selection that names nothing or something unknown; the message says what exists."""


def _suggest(word: str, choices: Iterable[str], what: str) -> str:
    choices = sorted(set(choices))
    close = difflib.get_close_matches(word, choices, n=3, cutoff=0.5)
    if not close:  # a bare name such as "score_tabel" matched against "gold/score_table"
        tails = {c.rsplit("/", 1)[-1]: c for c in choices}
        close = [tails[t] for t in difflib.get_close_matches(word.rsplit("/", 1)[-1], list(tails),
                                                             n=3, cutoff=0.6)]
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    if not choices:
        return f"unknown {what} {word!r}: no asset has one"
    listing = ", ".join(choices) if len(choices) <= 12 else f"{len(choices)} of them: luth assets"
    return f"unknown {what} {word!r}{hint} (known: {listing})"


def resolve_selection(graph, items: Sequence[str]) -> list[dg.AssetKey]:
    """Asset keys (in graph order) that ``items`` select from ``graph`` (a resolved asset graph)."""
    keys = sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string())
    by_name = {k.to_user_string(): k for k in keys}
    nodes = {k: graph.get(k) for k in keys}
    selected: set[dg.AssetKey] = set()
    for item in items:
        if item.startswith("group:"):
            name = item.removeprefix("group:")
            hits = {k for k, n in nodes.items() if n.group_name == name}
            if not hits:
                raise SelectionError(_suggest(name, {n.group_name for n in nodes.values()}, "group"))
        elif item.startswith("kind:"):
            name = item.removeprefix("kind:")
            hits = {k for k, n in nodes.items() if name in n.kinds}
            if not hits:
                raise SelectionError(_suggest(name, {x for n in nodes.values() for x in n.kinds},
                                              "kind"))
        elif item.startswith("tag:"):
            name, _, value = item.removeprefix("tag:").partition("=")
            hits = {k for k, n in nodes.items()
                    if name in n.tags and (not value or n.tags[name] == value)}
            if not hits:
                known = {f"{t}={v}" if v else t for n in nodes.values() for t, v in n.tags.items()
                         if not t.startswith(KIND_TAG_PREFIX)}
                raise SelectionError(_suggest(item.removeprefix("tag:"), known, "tag"))
        else:
            name = item if item in by_name else item.replace(".", "/")
            if name not in by_name:
                raise SelectionError(_suggest(item, by_name, "asset key"))
            hits = {by_name[name]}
        selected |= hits
    if not selected:
        raise SelectionError("the selection is empty: give asset keys, group:NAME, kind:NAME or "
                             "tag:NAME[=VALUE] (luth assets lists them)")
    order = {k: i for i, k in enumerate(graph.toposorted_asset_keys)}
    return sorted(selected, key=lambda k: order.get(k, len(order)))


def describe_assets(graph) -> list[tuple[str, str, str, str]]:
    """(key, group, kinds, partitions) per asset, ordered by group then key, for `luth assets`."""
    rows = []
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        parts = node.partitions_def
        kind = type(parts).__name__.replace("PartitionsDefinition", "").lower() if parts else ""
        rows.append((key.to_user_string(), node.group_name or "", ", ".join(sorted(node.kinds)), kind))
    return sorted(rows, key=lambda r: (r[1], r[0]))
