"""A second opinion for language ID: frequent function words of the target language.

langdetect has no profile for some languages (Latin, for one) and then confidently answers a
neighbour: Latin comes out as French with probability 1.0. A row kept in the target slice must
therefore also contain at least one function word of the target language. The lists avoid words
shared with the usual confusions (Latin `de`, `est`, `et`, `in`, `qui`, `non`, `a`).
Languages without a list skip the check.
"""

from __future__ import annotations

FUNCTION_WORDS: dict[str, list[str]] = {
    "fr": "le la les des du une un au aux pour dans avec sur pas ne il elle ils elles nous vous "
          "je tu on ce cette ces son sa ses leur leurs mais ou où être avoir à été plus très de "
          "votre vos notre nos mon ma mes ton ta tes sont cet "
          "aussi comme tout tous par".split(),
    "es": "el la los las del una uno por para con sin pero como muy también este esta estos "
          "estas ese esa yo tú él ella nosotros ellos es son está están hay qué".split(),
    "de": "der die das den dem des ein eine einen und ist sind nicht mit für auf auch ich du "
          "er sie wir ihr es zu von im dass wie aber oder".split(),
    "it": "il lo gli della delle dei degli una uno per con che non sono è anche come questo "
          "questa nel nella sul alla io tu lui lei noi voi".split(),
    "pt": "o os as da das do dos uma um para com não são é também como este esta isso eu "
          "você ele ela nós eles no na pelo pela".split(),
    "en": "the and of to is are was were this that with for not you it he she we they have "
          "has be on at by from".split(),
    "nl": "de het een en van is zijn niet met voor op ook ik je hij zij wij dat die maar of".split(),
}

# elided articles/pronouns written with an apostrophe (French, Italian)
ELISIONS: dict[str, list[str]] = {
    "fr": ["d", "l", "qu", "n", "s", "c", "j", "m", "t"],
    "it": ["l", "un", "dell", "all", "nell", "c"],
}


def function_word_pattern(language: str) -> str | None:
    """A case-insensitive regex matching one function word of `language`, or None."""
    words = FUNCTION_WORDS.get(language)
    if not words:
        return None
    alternatives = "|".join(sorted(words, key=len, reverse=True))
    pattern = rf"(?:^|[^\p{{L}}])(?:{alternatives})(?:$|[^\p{{L}}])"
    elisions = ELISIONS.get(language)
    if elisions:
        pattern += rf"|(?:^|[^\p{{L}}])(?:{'|'.join(elisions)})['’]\p{{L}}"
    return "(?i)" + pattern
