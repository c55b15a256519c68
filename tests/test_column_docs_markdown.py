"""Column descriptions as the Dagster UI renders them (Markdown): a placeholder such as
`merge-<recipe>` stays visible instead of being taken for an HTML tag ("merge-")."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from luth_assets.lib.column_docs import describe, markdown_visible


class _Text(HTMLParser):
    """The text a browser shows: unknown tags such as <recipe> vanish, entities are decoded."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def shown(markdown_text: str) -> str:
    markdown = pytest.importorskip("markdown", reason="Python-Markdown renders the descriptions")
    parser = _Text()
    parser.feed(markdown.markdown(markdown_text))
    return "".join(parser.parts)


def test_the_model_column_shows_merge_recipe():
    for table in ("gold/score_table", "gold/benchmark_scores"):
        description = describe(table, "model")
        assert description is not None
        assert "merge-<recipe>" in shown(description), (table, description)


def test_placeholders_go_in_code_spans_and_code_spans_stay():
    assert markdown_visible("base, sft or merge-<recipe>") == "base, sft or `merge-<recipe>`"
    assert markdown_visible("`merge-<r>` and <lake>/models/merged/<r>/ here") == \
        "`merge-<r>` and `<lake>/models/merged/<r>/` here"
    assert markdown_visible("a < b and c > d") == "a < b and c > d"
    assert "merge-<recipe>" not in shown("base, sft or merge-<recipe>")  # what the UI did before
