"""Compare what a script says with what a speech recogniser heard, tolerating how it spells.

A recogniser writes "30" for "thirty", "light house" for "lighthouse", "tofu." for "tofu";
none of that means the word was not said. Both sides are normalised (case, punctuation,
apostrophes, numerals spelled out with num2words), and a word counts as heard when it is a
heard token or two or three adjacent heard tokens run together. A word the voice did not say
is still reported: nothing here makes a missing word pass.
"""

from __future__ import annotations

import re

from num2words import num2words

from .audiocheck import words

MAX_PARTS = 3
"""A compound may be heard split in up to this many pieces ("over the counter" is not one word)."""


def tokens(text: str) -> list[str]:
    """:func:`~.audiocheck.words`, with numerals as words ("30" -> "thirty", "2.5" -> "two point five")."""
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # 1,500 -> 1500
    text = re.sub(r"(?<=\d)\.(?=\d)", " point ", text)
    out: list[str] = []
    for word in words(text):
        out.extend(words(num2words(int(word))) if word.isdigit() else [word])
    return out


def find(word: str, heard: list[str]) -> int | None:
    """Where ``word`` (one normalised token) was heard: its index in ``heard``, or ``None``."""
    for index in range(len(heard)):
        joined = ""
        for part in heard[index:index + MAX_PARTS]:
            joined += part
            if joined == word:
                return index
            if not word.startswith(joined):
                break
    return None


def missing(expected: str, heard: str) -> list[str]:
    """The words of ``expected`` that are not in ``heard``, in order (an empty list: all heard)."""
    heard_tokens = tokens(heard)
    return [w for w in tokens(expected) if find(w, heard_tokens) is None]
