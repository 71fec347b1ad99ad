"""Words as a recogniser writes them and as a script writes them, made comparable.

A recogniser writes "30" for "thirty", "light house" for "lighthouse", "tofu." for "tofu";
none of that means the word was not said. Both sides are normalised (case, punctuation,
apostrophes, numerals spelled out by num2words) before they are lined up, and a script word
matches a run of up to :data:`MAX_PARTS` heard tokens that spell it (or the reverse). What
is left is a real difference: a word missed or heard as another.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final, Sequence

from num2words import num2words
from rapidfuzz.distance import Levenshtein

MAX_PARTS: Final = 3
"""A compound may be heard split in up to this many pieces ("over the counter" is not one word)."""

FUNCTION_WORDS: Final = frozenset("""
a an the and or but nor so yet if then than as at by for from in into of off on onto out over to up with
is am are was were be been being do does did has have had will would shall should can could may might must
i me my mine you your yours he him his she her hers it its we us our ours they them their theirs this that
these those there here what which who whom whose when where why how not no all any each both some such
just too very also only own same again now once about after before down under until while
""".split())
"""Short English words a small recogniser drops or swaps without the meaning changing: a slip
on one of these is reported but does not fail a guide (every other word is a content word)."""

_ENDINGS: Final = ("s", "es", "d", "ed")


STEM_MIN: Final = 4
"""Letters two words must share before their different endings for one to be taken for the other."""


def inflected(word: str, heard: str) -> bool:
    """``heard`` is ``word`` with or without an ending, or with another one ("let"/"lets",
    "stiffen"/"stiffened", "narrowed"/"narrows").

    A small recogniser guesses endings from grammar more than from sound; such a slip is
    reported but not counted against a guide.
    """
    if any(heard == word + end or word == heard + end for end in _ENDINGS):
        return True
    return bool({stem for stem in _stems(word) if len(stem) >= STEM_MIN} & _stems(heard))


def _stems(word: str) -> set[str]:
    return {word[:-len(end)] for end in _ENDINGS if word.endswith(end)}


_APOSTROPHES = str.maketrans({"\u2019": "", "\u2018": "", "'": "", "`": ""})
_NON_WORD = re.compile(r"[^\w]+|_+")


def tokens(text: str, language: str = "en") -> list[str]:
    """Lowercase words without punctuation, numerals spelled out ("30" -> "thirty").

    Apostrophes are dropped ("Don't" -> "dont"); every other mark separates words; a title
    written short is spelled out ("Dr." -> "doctor").
    """
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # 1,500 -> 1500
    text = re.sub(r"(?<=\d)\.(?=\d)", " point ", text)
    out: list[str] = []
    for word in _NON_WORD.split(text.lower().translate(_APOSTROPHES)):
        if not word:
            continue
        if word.isdigit():
            out.extend(_plain(num2words(int(word), lang=_lang(language))))
        else:
            out.extend(_ABBREVIATIONS.get(_lang(language), {}).get(word, (word,)))
    return out


_ABBREVIATIONS: Final = {"en": {"dr": ("doctor",), "mr": ("mister",), "mrs": ("missus",), "vs": ("versus",)}}
"""Titles a recogniser writes short ("see a Dr. soon"), by language: the same word as spelled out."""


def _plain(text: str) -> list[str]:
    return [w for w in _NON_WORD.split(text.lower().translate(_APOSTROPHES)) if w]


def _lang(language: str) -> str:
    return language.split("-")[0].lower() or "en"


@dataclass(frozen=True)
class Pairing:
    """One script word and what was heard for it."""

    word: int
    """Index of the script word."""
    heard: tuple[int, ...]
    """Indexes of the heard tokens that stand for it (empty: nothing was heard for it)."""
    exact: bool
    """The heard tokens spell the word (alone, split, or shared with its neighbours)."""


def align(script: Sequence[str], heard: Sequence[str]) -> list[Pairing]:
    """Line up script words with heard tokens, one :class:`Pairing` per script word, in order.

    The whole guide is lined up at once by the fewest edits (rapidfuzz's bit-parallel
    Levenshtein, so a long guide costs milliseconds); each stretch that differs is then aligned
    word by word with compounds. Longest-run-first matching (difflib) was used before and
    failed on repeated steps: one repetition misheard in a word or two, its neighbour's words
    formed the longest run, and a whole repetition was reported missed.
    """
    out: list[Pairing] = []
    pending: list[int] | None = None  # a stretch that differs: a0, a1, b0, b1 (adjacent edits merged)
    for op in Levenshtein.opcodes(list(script), list(heard)):
        if op.tag != "equal":
            if pending is None:
                pending = [op.src_start, op.src_end, op.dest_start, op.dest_end]
            else:  # "light house" for "lighthouse" is a replace and an insert: one stretch
                pending[1], pending[3] = op.src_end, op.dest_end
            continue
        if pending is not None:
            out.extend(_align_stretch(script, heard, *pending))
            pending = None
        out.extend(Pairing(op.src_start + k, (op.dest_start + k,), True) for k in range(op.src_end - op.src_start))
    if pending is not None:
        out.extend(_align_stretch(script, heard, *pending))
    return out


def _align_stretch(script: Sequence[str], heard: Sequence[str], a0: int, a1: int, b0: int,
                   b1: int) -> list[Pairing]:
    """Edit-distance alignment of a short unequal stretch, where joins of 1-3 tokens match free."""
    n, m = a1 - a0, b1 - b0
    inf = n + m + 1
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int, bool] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0
    for i in range(n + 1):
        for j in range(m + 1):
            here = cost[i][j]
            if here >= inf:
                continue
            steps: list[tuple[int, int, int, bool]] = [(1, 0, 1, False), (0, 1, 1, False), (1, 1, 1, False)]
            for k in range(1, MAX_PARTS + 1):  # k script words said as one heard token, or the reverse
                for di, dj in ((1, k), (k, 1)):
                    if i + di <= n and j + dj <= m and \
                            "".join(script[a0 + i:a0 + i + di]) == "".join(heard[b0 + j:b0 + j + dj]):
                        steps.append((di, dj, 0, True))
            for di, dj, price, exact in steps:
                if i + di <= n and j + dj <= m and here + price < cost[i + di][j + dj]:
                    cost[i + di][j + dj] = here + price
                    back[i + di][j + dj] = (di, dj, exact)
    pairs: list[Pairing] = []
    i, j = n, m
    while i or j:
        step = back[i][j]
        assert step is not None  # every cell but the origin is reached from another
        di, dj, exact = step
        taken = tuple(range(b0 + j - dj, b0 + j))
        for k in range(di - 1, -1, -1):
            pairs.append(Pairing(a0 + i - di + k, taken, exact))
        i, j = i - di, j - dj
    pairs.reverse()
    return pairs
