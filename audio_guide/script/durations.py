"""Parse the script's durations and levels into exact values.

Durations are kept as :class:`fractions.Fraction` seconds so that converting to samples
happens once, at one rate, with one rounding: a ``1.5s`` hold is exactly 66 150 samples at
44.1 kHz, never 66 149 because of a float.
"""

from __future__ import annotations

import re
from fractions import Fraction

_NUMBER = r"[0-9]+(?:\.[0-9]+)?"  # ASCII digits only: str's \d also matches e.g. "３"
_DURATION = re.compile(
    rf"^(?:(?P<h>{_NUMBER})h)?(?:(?P<m>{_NUMBER})m(?!s))?(?:(?P<s>{_NUMBER})s)?(?:(?P<ms>{_NUMBER})ms)?$"
)
_LEVEL = re.compile(r"^(?P<value>[+-]?[0-9]+(?:\.[0-9]+)?)\s*(?P<unit>[A-Za-z]*)$")

DURATION_HELP = "a duration such as 500ms, 2s, 1.5s, 3m, 1m30s, 1h or a number of seconds"


def shown(value: object, limit: int = 40) -> str:
    """A value quoted for an error message: short, one line, never the whole of a huge input."""
    text = repr(value)
    if len(text) <= limit and "\n" not in str(value):
        return text
    if isinstance(value, str):
        return f"a {len(value):,}-character text" if len(value) > limit else repr(value)
    return f"{text[:limit]}..."


def parse_duration(value: object) -> Fraction:
    """Return seconds as a Fraction, or raise ValueError with the reason.

    Accepts a bare number (seconds) or unit parts in the order h, m, s, ms, each at most once.
    Sign and range are checked by the caller, which knows the limit that applies.
    """
    if isinstance(value, bool):
        raise ValueError(f"expected {DURATION_HELP}, got {shown(value)}")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"expected {DURATION_HELP}, got {shown(value)}")
        return Fraction(str(value))
    if not isinstance(value, str):
        raise ValueError(f"expected {DURATION_HELP}, got {type(value).__name__}")
    text = value.strip()
    if re.fullmatch(rf"[+-]?{_NUMBER}", text):
        return Fraction(text)
    match = _DURATION.match(text)
    if not text or match is None or not any(match.groupdict().values()):
        raise ValueError(f"expected {DURATION_HELP}, got {shown(value)}")
    parts = match.groupdict()
    total = Fraction(0)
    for unit, scale in (("h", 3600), ("m", 60), ("s", 1), ("ms", Fraction(1, 1000))):
        if parts[unit] is not None:
            total += Fraction(parts[unit]) * scale
    return total


def format_duration(seconds: float | Fraction) -> str:
    """Render seconds the way people read a clock: ``1:02:03.250`` or ``2:03.250``."""
    millis = round(float(seconds) * 1000)
    sign = "-" if millis < 0 else ""
    millis = abs(millis)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, ms = divmod(rest, 1000)
    if hours:
        return f"{sign}{hours}:{minutes:02d}:{secs:02d}.{ms:03d}"
    return f"{sign}{minutes}:{secs:02d}.{ms:03d}"


def parse_level(value: object, unit: str) -> float:
    """Parse ``-18 LUFS`` / ``-26 dB`` (or a bare number) into a float in that unit."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number of {unit}, such as -20 {unit}")
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:  # an int with hundreds of digits
            raise ValueError(f"expected a finite number of {unit}") from None
    elif isinstance(value, str):
        match = _LEVEL.match(value.strip())
        if match is None:
            raise ValueError(f"expected a number of {unit}, such as -20 {unit}, got {shown(value)}")
        if match["unit"] and match["unit"].lower() != unit.lower():
            raise ValueError(f"expected a level in {unit}, got {shown(value)}")
        number = float(match["value"])
    else:
        raise ValueError(f"expected a number of {unit}, such as -20 {unit}")
    if number != number or abs(number) == float("inf"):
        raise ValueError(f"expected a finite number of {unit}")
    return number


def parse_number(value: object) -> float:
    """A plain finite number (``rate: 0.8``); raise ValueError with the reason."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a number, got {shown(value)}")
    try:
        number = float(value)
    except OverflowError:  # a 400-digit int
        raise ValueError("expected a finite number") from None
    if number != number or abs(number) == float("inf"):
        raise ValueError("expected a finite number")
    return number


def human(seconds: Fraction) -> str:
    """Seconds in the script's own notation, for messages: ``2h``, ``1m30s``, ``12h0m30s``, ``0.5s``."""
    hours, rest = divmod(Fraction(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours}h" if hours else ""
    if minutes or (hours and secs):
        text += f"{minutes}m"
    if secs or not text:
        text += f"{float(secs):g}s"
    return text
