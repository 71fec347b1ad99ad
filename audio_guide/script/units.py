"""Durations read as words in the guide's language: ``30s`` -> ``30 seconds``, ``30 segundos``.

The unit words and their plural forms come from CLDR through Babel, so every language a voice
speaks gets them without a table kept here. The number stays as digits (with the locale's decimal
sign): the engine's phonemizer reads digits in the voice's own language, with the gender the unit
needs, which spelling them out here would get wrong ("uno hora").
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache
from typing import Final

from babel import Locale, UnknownLocaleError
from babel.numbers import UnsupportedNumberingSystemError
from babel.units import format_unit

CLDR_UNITS: Final = {"ms": "duration-millisecond", "s": "duration-second", "sec": "duration-second",
                     "m": "duration-minute", "min": "duration-minute",
                     "h": "duration-hour", "hr": "duration-hour"}
"""Written unit (lower case) -> CLDR unit id."""

_UNSPACED: Final = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
"""Kana and CJK ideographs: scripts written without spaces, where "保持30s" still holds a duration."""
_DURATION: Final = re.compile(
    rf"(?:\b(?P<before>[A-Za-z]+) )?(?<![\d.])(?:\b|(?<=[{_UNSPACED}]))"
    r"(?:(?P<run>(?:\d{1,3}(?:\.\d+)?(?:ms|h|m|s))+)|(?P<n>\d{1,3}(?:\.\d+)?)\s(?P<word>sec|min|hr))"
    rf"(?:\b|(?=[{_UNSPACED}]))(?!['’]\w)",
    re.IGNORECASE)
_PART: Final = re.compile(r"(\d{1,3}(?:\.\d+)?)(ms|h|m|s)", re.IGNORECASE)
_AGE_WORDS: Final = {"your", "their", "the", "his", "her", "my", "our", "early", "late", "mid"}
"""Before these, "40s" is an age or a decade, not forty seconds (English only)."""
_BABEL_FAILURES: Final = (LookupError, ValueError, ArithmeticError, UnknownLocaleError,
                          UnsupportedNumberingSystemError)
"""What Babel raises for a locale, unit or number its data lacks (Icelandic's list patterns lack
an "end" key, for one); the text is then left as written."""


def spoken_durations(text: str, language: str = "en") -> str:
    """Write each duration in ``text`` (``30s``, ``1m30s``, ``10 min``) as words of ``language``.

    ``language`` is a BCP-47 tag. A language Babel does not know, or a locale whose data fails,
    leaves the duration exactly as written: a guide must build even where words are missing.
    """
    english = language.split("-")[0].lower() == "en"

    def speak(match: re.Match[str]) -> str:
        before = match["before"]
        if english and before and before.lower() in _AGE_WORDS:
            return match.group(0)
        if match["run"]:
            parts = _PART.findall(match["run"])
        else:
            parts = [(match["n"], match["word"])]
        # part by part with a space: babel.lists.format_list repeats items in some locales (ar, ne)
        words = [duration_words(number, unit, language) for number, unit in parts]
        if any(word is None for word in words):
            return match.group(0)
        spoken = " ".join(word for word in words if word is not None)
        return f"{before} {spoken}" if before else spoken

    return _DURATION.sub(speak, text)


def duration_words(number: str, unit: str, language: str) -> str | None:
    """``number`` ``unit`` (as written: ``"1.5"``, ``"s"``) in words of ``language``, or None.

    The digits are kept as written, leading and trailing zeros included, so that English reads
    exactly as it always has (cached speech is keyed by the spoken text); only the decimal sign
    follows the locale. CLDR's no-break spaces become plain ones, as everywhere else in narration.
    """
    locale = babel_locale(language)
    if locale is None:
        return None
    whole, _, fraction = number.partition(".")
    pattern = "0" * len(whole) + ("." + "0" * len(fraction) if fraction else "")
    try:
        words = format_unit(Decimal(number), CLDR_UNITS[unit.lower()], length="long",
                            format=pattern, locale=locale)
    except _BABEL_FAILURES:
        return None
    return " ".join(words.split())


@cache
def babel_locale(language: str) -> Locale | None:
    """The Babel locale for a BCP-47 tag: the full tag, else its primary language subtag.

    Cached: parsing a locale loads its CLDR data, and this runs for every sentence.
    """
    for tag in dict.fromkeys((language, language.split("-")[0])):
        try:
            return Locale.parse(tag, sep="-")
        except _BABEL_FAILURES:
            continue
    return None
