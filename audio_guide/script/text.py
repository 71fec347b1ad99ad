"""Narration text: inline breaks, sentences, and the words the engine is actually given.

Splitting into sentences here (not in the engine) puts every sentence on the timeline, so
transcripts get real per-sentence times and the speech cache re-makes only an edited sentence.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Final, Iterable

from .durations import parse_duration

BREAK_TAG: Final = re.compile(r"<\s*break\b(?P<attrs>[^<>]*?)/?\s*>", re.IGNORECASE)
_TIME_ATTR = re.compile(r"""^\s*time\s*=\s*(?P<q>["'])(?P<value>[^"']*)(?P=q)\s*$""", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?…])([\"'”’)\]]*)\s+(?=\S)")
_UNIT_WORDS: Final = {"ms": "millisecond", "s": "second", "sec": "second", "m": "minute",
                      "min": "minute", "h": "hour", "hr": "hour"}
_DURATION_WORD = re.compile(
    r"(?:\b(?P<before>[A-Za-z]+) )?(?<![\d.])\b(?:(?P<run>(?:\d{1,3}(?:\.\d+)?(?:ms|h|m|s))+)|"
    r"(?P<n>\d{1,3}(?:\.\d+)?)\s(?P<word>sec|min|hr))\b(?!['’]\w)",
    re.IGNORECASE)
_DURATION_PART = re.compile(r"(\d{1,3}(?:\.\d+)?)(ms|h|m|s)", re.IGNORECASE)
_AGE_WORDS: Final = {"your", "their", "the", "his", "her", "my", "our", "early", "late", "mid"}
"""Before these, "40s" is an age or a decade, not forty seconds."""


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
    """Split plain text into sentences at ., ! or ? followed by a space."""
    parts = _SENTENCE_END.split(text)  # text, closing marks, text, closing marks, ..., text
    # the closing quotes or brackets after the stop belong to the sentence they close
    joined = (parts[i] + (parts[i + 1] if i + 1 < len(parts) else "") for i in range(0, len(parts), 2))
    return [s.strip() for s in joined if s.strip() and any(c.isalnum() for c in s)]


def spoken_form(text: str, lexicon: Iterable[tuple[str, str]] = ()) -> str:
    """What the engine is given: units read as words and the script's lexicon applied.

    ``30s`` becomes ``30 seconds`` (the engine reads the digits); lexicon entries replace
    whole words, case-insensitively, in script order.
    """
    def unit(match: re.Match[str]) -> str:
        before = match["before"]
        if before and before.lower() in _AGE_WORDS:
            return match.group(0)
        if match["run"]:
            parts = [(n, _UNIT_WORDS[u.lower()]) for n, u in _DURATION_PART.findall(match["run"])]
        else:
            parts = [(match["n"], _UNIT_WORDS[match["word"].lower()])]
        spoken = " ".join(f"{n} {w}" + ("" if n in ("1", "1.0") else "s") for n, w in parts)
        return f"{before} {spoken}" if before else spoken

    text = _DURATION_WORD.sub(unit, text)
    for word, say_as in lexicon:
        # a function, not a template: a backslash in the spoken form is just a character
        text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", lambda _: say_as, text, flags=re.IGNORECASE)
    return text
