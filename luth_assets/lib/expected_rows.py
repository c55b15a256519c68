"""Expected row counts (`expected_rows` in the run configuration) against what a table holds.

The paper states how many rows each component of Luth-SFT keeps; a run that lands far from those
counts (a wrong file, a mapping that drops rows, a filter stricter than the authors') should say
so where the user looks: the table's metadata in the Dagster UI.
"""

from __future__ import annotations

TOLERANCE = 0.05  # more than 5% off the expected count is a warning


def compare_expected(counts: dict[str, int], expected: dict[str, int | None],
                     tolerance: float = TOLERANCE) -> tuple[dict[str, dict], list[str]]:
    """Per component with an expected count: rows, expected rows and the gap in percent; and
    one warning line per component more than `tolerance` off."""
    report: dict[str, dict] = {}
    warnings: list[str] = []
    for name, want in sorted(expected.items()):
        if want is None:
            continue
        got = int(counts.get(name, 0))
        off = (got - want) / want if want else (0.0 if got == 0 else float("inf"))
        report[name] = {"rows": got, "expected_rows": want, "off_pct": round(100 * off, 2)}
        if abs(off) > tolerance:
            warnings.append(f"{name}: {got} rows, expected {want} ({100 * off:+.1f}%, more than "
                            f"{100 * tolerance:.0f}% off)")
    return report, warnings
