"""Compare what a script says with what a speech recogniser heard, tolerating how it spells.

A recogniser writes "30" for "thirty", "light house" for "lighthouse", "tofu." for "tofu";
none of that means the word was not said. Both sides are normalised (case, punctuation,
apostrophes, numerals spelled out with num2words), and a word counts as heard when it is a
heard token or two or three adjacent heard tokens run together. A word the voice did not say
is still reported: nothing here makes a missing word pass.
"""

from __future__ import annotations

import re
import unicodedata

from num2words import num2words

_APOSTROPHES = str.maketrans({"\u2019": "", "\u2018": "", "'": "", "`": ""})
_TOKEN = re.compile(r"[^\W_]+")
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
MAX_PARTS = 3
"""A compound may be heard split in up to this many pieces ("over the counter" is not one word)."""


def tokens(text: str) -> list[str]:
    """Lower-case words without punctuation, numerals as words ("30" -> "thirty")."""
    plain = unicodedata.normalize("NFKC", text).lower().translate(_APOSTROPHES)
    plain = re.sub(r"(?<=\d),(?=\d{3}\b)", "", plain)  # 1,500 -> 1500
    out: list[str] = []
    for token in re.findall(r"\d+(?:\.\d+)?|[^\W\d_]+", plain):
        if _NUMBER.match(token):
            out.extend(_TOKEN.findall(num2words(float(token) if "." in token else int(token)).lower()))
        else:
            out.append(token)
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
