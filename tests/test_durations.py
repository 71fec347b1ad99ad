"""Durations and levels: exact Fractions for every form of the format, and a reason for every refusal."""

from __future__ import annotations

from fractions import Fraction

import pytest

from audio_guide.script import (
    DURATION_HELP,
    format_duration,
    parse_duration,
    parse_level,
)


@pytest.mark.parametrize(("value", "seconds"), [
    ("500ms", Fraction(1, 2)),
    ("2s", Fraction(2)),
    ("1.5s", Fraction(3, 2)),
    ("3m", Fraction(180)),
    ("1m30s", Fraction(90)),
    ("1h", Fraction(3600)),
    ("1h30m", Fraction(5400)),
    ("1h0m5s", Fraction(3605)),
    ("2s500ms", Fraction(5, 2)),
    ("1h2m3s4ms", Fraction(3723004, 1000)),
    ("1.5m", Fraction(90)),
    ("0.1s", Fraction(1, 10)),       # exact, never 0.1000000000000000055...
    ("1ms", Fraction(1, 1000)),
    ("45", Fraction(45)),
    ("2.25", Fraction(9, 4)),
    ("+3", Fraction(3)),
    ("  2s\n", Fraction(2)),
    (90, Fraction(90)),
    (1.5, Fraction(3, 2)),
    (0.1, Fraction(1, 10)),
    (0, Fraction(0)),                # the caller decides whether zero is allowed
    ("0s", Fraction(0)),
    ("-5", Fraction(-5)),            # ... and refuses negatives with its own message
    (-2, Fraction(-2)),
])
def test_parse_duration(value: object, seconds: Fraction) -> None:
    result = parse_duration(value)
    assert result == seconds
    assert isinstance(result, Fraction)


@pytest.mark.parametrize("value", [
    "", "   ", "s", "ms", "3x", "1m30", "1h30", "2 s", "2S", "2sec", "2 min", ".5s", "1.s", "1..5s", "1h1h", "30s1m",
    "500ms2s", "-2s", "+2s", "1e3", "1_000", "inf", "nan", "\u0663s", "\uff13s", "2s ms", "1m 30s",
])
def test_parse_duration_rejects_text(value: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_duration(value)
    assert str(info.value) == f"expected {DURATION_HELP}, got {value!r}"


@pytest.mark.parametrize(("value", "shown"), [
    (True, "True"), (False, "False"), (float("nan"), "nan"), (float("inf"), "inf"), (float("-inf"), "-inf"),
])
def test_parse_duration_rejects_values(value: object, shown: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_duration(value)
    assert str(info.value) == f"expected {DURATION_HELP}, got {shown}"


@pytest.mark.parametrize(("value", "kind"), [(None, "NoneType"), ([2], "list"), (Fraction(1, 2), "Fraction")])
def test_parse_duration_rejects_other_types(value: object, kind: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_duration(value)
    assert str(info.value) == f"expected {DURATION_HELP}, got {kind}"


def test_duration_help_lists_every_form_of_the_contract() -> None:
    assert DURATION_HELP == "a duration such as 500ms, 2s, 1.5s, 3m, 1m30s, 1h or a number of seconds"


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0:00.000"),
    (Fraction(1, 3), "0:00.333"),
    (1.5, "0:01.500"),
    (62.25, "1:02.250"),
    (Fraction(3723250, 1000), "1:02:03.250"),
    (36000, "10:00:00.000"),
    (59.9996, "1:00.000"),           # rounding to the millisecond carries into the minutes
    (-1.5, "-0:01.500"),
])
def test_format_duration(seconds: float | Fraction, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize(("value", "unit", "level"), [
    ("-20 LUFS", "LUFS", -20.0),
    ("-20LUFS", "LUFS", -20.0),
    ("-16.5 lufs", "LUFS", -16.5),
    (" -23 ", "LUFS", -23.0),
    (-18, "LUFS", -18.0),
    (-18.5, "LUFS", -18.5),
    ("-26 dB", "dB", -26.0),
    ("+6 dB", "dB", 6.0),
    ("6 DB", "dB", 6.0),
    ("0", "dB", 0.0),
])
def test_parse_level(value: object, unit: str, level: float) -> None:
    assert parse_level(value, unit) == level


@pytest.mark.parametrize(("value", "unit", "message"), [
    ("-20 dB", "LUFS", "expected a level in LUFS, got '-20 dB'"),
    ("-20 LUFS", "dB", "expected a level in dB, got '-20 LUFS'"),
    ("loud", "LUFS", "expected a number of LUFS, such as -20 LUFS, got 'loud'"),
    ("", "LUFS", "expected a number of LUFS, such as -20 LUFS, got ''"),
    ("-2e1 LUFS", "LUFS", "expected a number of LUFS, such as -20 LUFS, got '-2e1 LUFS'"),
    ("-.5 dB", "dB", "expected a number of dB, such as -20 dB, got '-.5 dB'"),
    ("-\uff12\uff10 LUFS", "LUFS", "expected a number of LUFS, such as -20 LUFS, got '-\uff12\uff10 LUFS'"),
    (True, "LUFS", "expected a number of LUFS, such as -20 LUFS"),
    (None, "dB", "expected a number of dB, such as -20 dB"),
    (float("nan"), "LUFS", "expected a finite number of LUFS"),
    (float("-inf"), "dB", "expected a finite number of dB"),
    (-10 ** 400, "LUFS", "expected a finite number of LUFS"),
    ("-" + "9" * 400, "LUFS", "expected a finite number of LUFS"),
])
def test_parse_level_rejects(value: object, unit: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_level(value, unit)
    assert str(info.value) == message
