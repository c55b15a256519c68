"""Numeric answer match (MGSM): the response's final number equals the gold number.

The final number is the one after the last "la réponse est" / "the answer is" (or inside the last
`\\boxed{}`), else the last number of the response. Numbers are read as people write them in the
item's language: French "70 000" and "3,5", English "70,000" and "3.5"; a currency sign or unit
around them is ignored. Two numbers match when they are equal within 1e-6.
"""

from __future__ import annotations

import re

# digits with thin/non-breaking/plain spaces between groups of three, then ",ddd" / ".ddd" parts
_NUMBER = re.compile(r"(?<!\d)-?(?:\d{1,3}(?:[\u00a0\u202f ]\d{3})+(?!\d)|\d+)(?:[.,]\d+)*")
_ANCHORS = {
    "fr": re.compile(r"(?:la\s+)?r[ée]ponse(?:\s+finale)?\s+est\s*:?", re.IGNORECASE),
    "en": re.compile(r"(?:the\s+)?(?:final\s+)?answer\s+is\s*:?", re.IGNORECASE),
}
_BOXED = re.compile(r"\\boxed\{([^{}]*)\}")


def parse_number(text: str, language: str = "en") -> float | None:
    """A written number as a float: "70 000" -> 70000, "3,5" (fr) -> 3.5, "1,234.5" -> 1234.5."""
    found = _NUMBER.search(text)
    if not found:
        return None
    raw = re.sub(r"[\u00a0\u202f ]", "", found.group(0)).rstrip(".,")
    if "," in raw and "." in raw:  # the later separator is the decimal one
        decimal = "," if raw.rfind(",") > raw.rfind(".") else "."
        raw = raw.replace("." if decimal == "," else ",", "").replace(",", ".")
    elif "," in raw:
        thousands = re.fullmatch(r"-?\d{1,3}(,\d{3})+", raw)
        if thousands and (language != "fr" or raw.count(",") > 1):
            raw = raw.replace(",", "")
        else:
            raw = raw.replace(",", ".") if raw.count(",") == 1 else raw.replace(",", "")
    elif raw.count(".") > 1 or (language == "fr" and re.fullmatch(r"-?\d{1,3}(\.\d{3})+", raw)):
        raw = raw.replace(".", "")
    try:
        return float(raw)
    except ValueError:
        return None


def final_number_text(response: str, language: str) -> str | None:
    """The text of the response's final answer number, or None when it has no number."""
    boxed = _BOXED.findall(response)
    if boxed and _NUMBER.search(boxed[-1]):
        return _NUMBER.search(boxed[-1]).group(0).strip()
    anchors = list(_ANCHORS.get(language, _ANCHORS["en"]).finditer(response))
    if language != "en":
        anchors += list(_ANCHORS["en"].finditer(response))
    if anchors:
        last = max(anchors, key=lambda m: m.end())
        after = _NUMBER.search(response, last.end())
        if after:
            return after.group(0).strip()
    numbers = _NUMBER.findall(response)
    return numbers[-1].strip() if numbers else None


def numeric_match(gold: str | float, response: str, language: str) -> tuple[bool, str | None]:
    """(does the response's final number equal the gold number?, the extracted number text)."""
    shown = final_number_text(response or "", language)
    if shown is None:
        return False, None
    value = parse_number(shown, language)
    target = gold if isinstance(gold, float | int) else parse_number(str(gold), "en")
    if value is None or target is None:
        return False, shown
    return abs(value - float(target)) <= 1e-6 * max(1.0, abs(float(target))), shown
