"""Small builders of Dagster metadata shared by the stages."""


def markdown_counts(counter: dict, header: str) -> str:
    """A two-column Markdown table of counts, largest first (e.g. reject reasons)."""
    lines = [f"| {header} | rows |", "|---|---:|"]
    lines += [f"| {key} | {count} |" for key, count in sorted(counter.items(), key=lambda kv: -kv[1])]
    return "\n".join(lines)
