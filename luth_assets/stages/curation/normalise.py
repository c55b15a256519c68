"""Text normalisation and word n-gram hashing shared by dedup and decontamination.

Normalised text: Unicode NFKC, lower case, every run of punctuation, symbols and whitespace
replaced by one space, trimmed. So "  Qu'est-ce qu'un trou noir? " and "qu est ce qu un trou noir"
are the same text.

N-gram hashes are computed column-wise: every word gets a 64-bit hash (Polars), and the hash of
the n words starting at position i is a polynomial over them (numpy, wrapping uint64), so a whole
batch of texts is hashed without a Python loop over words.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import polars as pl

PUNCTUATION = r"[\W_]+"
WORD_SEED = 20251006
_MULTIPLIER = np.uint64(0x100000001B3)  # FNV prime: odd, so the polynomial keeps information


def normalised(text: pl.Expr) -> pl.Expr:
    """Polars expression: NFKC, lower case, punctuation/whitespace runs -> one space, trimmed."""
    return (text.fill_null("").str.normalize("NFKC").str.to_lowercase()
            .str.replace_all(PUNCTUATION, " ").str.strip_chars())


def normalise_text(text: str) -> str:
    """The same normalisation for one Python string (tests, tools)."""
    return re.sub(PUNCTUATION, " ", unicodedata.normalize("NFKC", text or "").lower()).strip()


def word_hashes(texts: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """Hash every word of already-normalised texts.

    Returns ``(hashes, text_index)``: one uint64 per word, in order, and the position of the text
    it came from. Empty texts contribute no words.
    """
    frame = (pl.DataFrame({"text": texts}).with_row_index("text_index")
             .select("text_index", pl.col("text").str.split(" ").alias("word"))
             .explode("word").filter(pl.col("word").is_not_null() & (pl.col("word") != "")))
    hashes = frame["word"].hash(WORD_SEED).to_numpy()
    return hashes, frame["text_index"].cast(pl.Int64).to_numpy()


def window_hashes(hashes: np.ndarray, groups: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Hash of every run of `n` consecutive words that stays inside one group (text).

    Returns ``(ngram_hashes, group_of_each)``. Texts shorter than `n` words give none.
    """
    total = len(hashes)
    if n <= 0 or total < n:
        return np.empty(0, np.uint64), np.empty(0, np.int64)
    count = total - n + 1
    acc = np.zeros(count, np.uint64)
    with np.errstate(over="ignore"):
        for k in range(n):
            acc = acc * _MULTIPLIER + hashes[k:k + count]
    inside = groups[:count] == groups[n - 1:]
    return acc[inside], groups[:count][inside]


def text_lengths(groups: np.ndarray, n_texts: int) -> np.ndarray:
    """Number of words of each text, from the group index of `word_hashes`."""
    return np.bincount(groups, minlength=n_texts) if len(groups) else np.zeros(n_texts, np.int64)
