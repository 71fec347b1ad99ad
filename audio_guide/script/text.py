"""Narration text: inline breaks, sentences, and the words the engine is actually given.

Splitting into sentences here (not in the engine) puts every sentence on the timeline, so
transcripts get real per-sentence times and the speech cache re-makes only an edited sentence.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Final, Iterable

from .durations import parse_duration
from .units import spoken_durations

BREAK_TAG: Final = re.compile(r"<\s*break\b(?P<attrs>[^<>]*?)/?\s*>", re.IGNORECASE)
_TIME_ATTR = re.compile(r"""^\s*time\s*=\s*(?P<q>["'])(?P<value>[^"']*)(?P=q)\s*$""", re.IGNORECASE)

_SPACED_STOPS: Final = ".!?…\u037e"
"""Stops that end a sentence only before a space: "3.5", "e.g.", "Yahoo!" stay whole.
U+037E is the Greek question mark."""
_UNSPACED_STOPS: Final = "؟۔।॥։።፧。！？｡"
"""Stops that never occur inside a word or number (Arabic, Urdu, Devanagari, Armenian, Ethiopic,
CJK), so they end a sentence with or without a space: Chinese and Japanese put none."""
_FULLWIDTH_STOP: Final = "．"
"""The full-width full stop ends a sentence with no space too, except inside a number: "３．５"."""
_OPENERS: Final = "¿¡"
"""Spanish inverted marks open a sentence, so a stop right before one ends the last: "Sí.¿Y tú?"."""
_CLOSERS: Final = "\"'”’“‘)\\]»«›‹」』）］〕】〉》"
"""Quotes and brackets that, right after a stop, close its sentence (German closes with “ and «)."""
_STOPS: Final = _SPACED_STOPS + _UNSPACED_STOPS + _FULLWIDTH_STOP
_CLOSE: Final = rf"(?:[{_CLOSERS}]|\s»(?=\s|$))*"  # French sets its closing guillemet apart: « Non. »
_SENTENCE_END: Final = re.compile(
    rf"[{_STOPS}]*(?:[{_UNSPACED_STOPS}]|{_FULLWIDTH_STOP}(?!\d)){_CLOSE}(?![{_STOPS}{_CLOSERS}])"
    rf"|[{_STOPS}]*[{_SPACED_STOPS}]{_CLOSE}(?=\s+(?!»(?:\s|$))\S|[{_OPENERS}])")
"""A run of stops and the quotes that close it; the sentence ends after the match."""


def split_breaks(text: str) -> list[str | Fraction]:
    """Split a ``say`` text into spoken pieces and break lengths (seconds).

    Raises ValueError naming the bad tag: a ``<`` that is not a well-formed ``<break time=".."/>``
    would otherwise be read aloud as "less than".
    """
    pieces: list[str | Fraction] = []
    position = 0
    for match in BREAK_TAG.finditer(text):
        _append_text(pieces, text[position:match.start()])
        attrs = _TIME_ATTR.match(match["attrs"])
        if attrs is None:
            raise ValueError(f"cannot read the tag {match.group(0)!r}; expected <break time=\"2s\"/>")
        try:
            seconds = parse_duration(attrs["value"])
        except ValueError as exc:
            raise ValueError(f"in {match.group(0)!r}: {exc}") from None
        pieces.append(seconds)
        position = match.end()
    _append_text(pieces, text[position:])
    return pieces


def _append_text(pieces: list[str | Fraction], chunk: str) -> None:
    if "<" in chunk or ">" in chunk:
        bad = chunk[chunk.find("<"):][:30] if "<" in chunk else chunk[chunk.find(">"):][:30]
        raise ValueError(f"unexpected markup {bad!r}; only <break time=\"...\"/> is understood")
    chunk = " ".join(chunk.split())
    if chunk:
        pieces.append(chunk)


def sentences(text: str) -> list[str]:
    """Split plain text into sentences at the stops of the languages voices speak.

    ``.``, ``!``, ``?`` and ``…`` end a sentence before a space; the Arabic, Devanagari,
    Armenian, Ethiopic and CJK stops end one even without (Chinese puts no space after ``。``).
    Closing quotes and brackets stay with the sentence they close; ``¿`` and ``¡`` open one. The
    marks mean a sentence end in any text, so this needs no language.
    """
    found: list[str] = []
    start = 0
    for end in _SENTENCE_END.finditer(text):
        found.append(text[start:end.end()])
        start = end.end()
    found.append(text[start:])
    return [s.strip() for s in found if any(c.isalnum() for c in s)]


def spoken_form(text: str, lexicon: Iterable[tuple[str, str]] = (), language: str = "en") -> str:
    """What the engine is given: durations read as words and the script's lexicon applied.

    ``30s`` becomes ``30 seconds`` in English and ``30 segundos`` in Spanish (``language`` is the
    guide's BCP-47 tag; the engine reads the digits); a language Babel does not know keeps
    ``30s``. Lexicon entries replace whole words, case-insensitively, in script order.
    """
    text = spoken_durations(text, language)
    for word, say_as in lexicon:
        # a function, not a template: a backslash in the spoken form is just a character
        text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", lambda _: say_as, text, flags=re.IGNORECASE)
    return text
