"""Compare what a script says with what a speech recogniser heard, tolerating how it spells.

A recogniser writes "30" for "thirty", "light house" for "lighthouse", "tofu." for "tofu";
none of that means the word was not said. Both sides are normalised (case, punctuation,
apostrophes, numerals spelled out with num2words), and a word counts as heard when it is a
heard token or two or three adjacent heard tokens run together. A word the voice did not say
is still reported: nothing here makes a missing word pass.
"""

from __future__ import annotations

# the library's normalisation (numerals as words: "30" -> "thirty", "2.5" -> "two point five")
from audio_guide.check.words import MAX_PARTS, tokens

__all__ = ["MAX_PARTS", "find", "missing", "tokens"]


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
