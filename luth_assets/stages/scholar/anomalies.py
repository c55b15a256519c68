"""The anomaly filter (the paper's step 4) as deterministic checks on a cleaned item.

Beside the cleaning call's own verdict (``anomaly``), :func:`anomaly_problem` rejects, in order:

- ``needs_figure``: the question points at a figure, a graph, a diagram or an annex that the
  text does not hold (``voir la figure``, ``le graphique ci-contre``, ``à partir du document
  2``), with ``scholar.drop_figure_questions`` (the question call's own flag is checked earlier,
  in silver/scholar_items_rejects; the context is not read: a statement that presents a
  document serves questions that do not need it),
- ``truncated``: the question or the answer stops mid-sentence (on a connecting word, an
  operator, a comma, an open bracket, an ellipsis),
- ``contradicts_corrige``: the cleaned answer's final result (its last number) is not a number
  of the corrigé's answer it was written from (the cleaning rewrote the result).
"""

from __future__ import annotations

import re

FIGURE = re.compile(
    r"\b(?:figure|graphique|sch[ée]ma|document|annexe|courbe|dessin)s?\s+"
    r"(?:ci-(?:contre|dessous|dessus|joint|jointe)|n°\s*\d+|\d+)\b"
    r"|\b(?:voir|sur|d'apr[èe]s|[àa] l'aide d[eu]|repr[ée]sent[ée]e? sur)\s+"
    r"(?:la |le |les |l'|une |un )?(?:figure|graphique|sch[ée]ma|annexe|dessin)s?\b"
    r"|\b(?:la|cette) figure\b",
    re.IGNORECASE)
CONNECTORS = frozenset(
    "et ou de du des le la les un une que qui donc car par pour avec soit à au aux en sur dans "
    "est sont vaut alors puis mais on".split())
_ENDS_OPEN = re.compile(r"(?:[,;=+\-*/×(\[{\\]|\.\.\.|…|\b\w+')\s*$")
_NUMBER = re.compile(r"(?<![\w^_])[-−]?\d+(?:[.,]\d+)?(?![\w])")
# exponents and indices (10^{-2}, x^2, u_{n+1}) are not results; {,} is LaTeX's decimal comma
_SUPER_SUB = re.compile(r"[\^_](?:\{[^{}]*\}|[-−]?\w+)")
_STEP = re.compile(r"\b(?:[ÉEée]tape|question|exercice|partie)\s+\d+", re.IGNORECASE)


def needs_figure(*texts: str) -> str | None:
    """The words pointing at a figure, in the first text that has them."""
    for text in texts:
        found = FIGURE.search(text or "")
        if found:
            return found.group(0)
    return None


def truncated_at(text: str, *, colon_ends: bool = False) -> str | None:
    """The end of `text` when it stops mid-sentence (a connector, an operator, an ellipsis)."""
    tail = (text or "").rstrip().rstrip("$").rstrip()
    if not tail:
        return None
    if _ENDS_OPEN.search(tail) or (colon_ends and tail.endswith(":")):
        return tail[-30:]
    last = re.findall(r"[^\W\d_]+", tail[-40:])
    if last and last[-1].lower() in CONNECTORS and tail[-1].isalpha():
        return tail[-30:]
    return None


def numbers(text: str) -> list[float]:
    """The numbers of a text (decimal comma or point, minus sign), exponents and indices left
    out."""
    out = []
    bare = _STEP.sub(" ", _SUPER_SUB.sub(" ", (text or "").replace("{,}", ",")))
    for raw in _NUMBER.findall(bare):
        try:
            out.append(float(raw.replace(",", ".").replace("−", "-")))
        except ValueError:
            continue
    return out


def contradicts(cleaned_answer: str, corrige_answer: str) -> str | None:
    """A detail when the cleaned answer's last number is not among the corrigé answer's."""
    source = numbers(corrige_answer)
    result = numbers(cleaned_answer)
    if not source or not result:
        return None
    final = result[-1]
    if any(abs(final - n) < 1e-9 or abs(abs(final) - abs(n)) < 1e-9 for n in source):
        return None
    return (f"the cleaned answer ends on {final:g}, a number the corrigé's answer does not have "
            f"({', '.join(f'{n:g}' for n in source[:8])})")


def anomaly_problem(question: str, context: str, answer: str, corrige_answer: str,
                    drop_figures: bool = True) -> tuple[str, str] | None:
    """(reason, detail) of the first anomaly of a cleaned item, or None."""
    if drop_figures and (words := needs_figure(question)):
        return "needs_figure", f"points at a figure: {words!r}"
    for name, text, colon in (("question", question, False), ("answer", answer, True)):
        if (end := truncated_at(text, colon_ends=colon)) is not None:
            return "truncated", f"the {name} stops mid-sentence: ...{end!r}"
    if (detail := contradicts(answer, corrige_answer)) is not None:
        return "contradicts_corrige", detail
    return None
