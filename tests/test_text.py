"""Narration text: inline breaks, sentence splitting, and the words the engine is given."""

from __future__ import annotations

from fractions import Fraction

import pytest

from audio_guide.script import DURATION_HELP, sentences, split_breaks, spoken_form


@pytest.mark.parametrize(("text", "pieces"), [
    ("Breathe in.", ["Breathe in."]),
    ('Breathe in. <break time="2s"/> And out.', ["Breathe in.", Fraction(2), "And out."]),
    ("In.<break time='500ms'/>Out.", ["In.", Fraction(1, 2), "Out."]),
    ('In. <break time="1.5s"> Out.', ["In.", Fraction(3, 2), "Out."]),
    ('In. <BREAK TIME="1m30s" /> Out.', ["In.", Fraction(90), "Out."]),
    ('In. < break  time = "3" /> Out.', ["In.", Fraction(3), "Out."]),
    ('<break time="2s"/>', [Fraction(2)]),
    ('<break time="1s"/><break time="2s"/>Go.', [Fraction(1), Fraction(2), "Go."]),
    ("Line one.\n   Line two.", ["Line one. Line two."]),
    ('<break time="0s"/>', [Fraction(0)]),    # the loader refuses zero, with the line
])
def test_split_breaks(text: str, pieces: list[str | Fraction]) -> None:
    assert split_breaks(text) == pieces


@pytest.mark.parametrize(("text", "message"), [
    ("Wait <break/> now.", "cannot read the tag '<break/>'; expected <break time=\"2s\"/>"),
    ("Wait <break time=2s/> now.", "cannot read the tag '<break time=2s/>'; expected <break time=\"2s\"/>"),
    ("Wait <break time=\"2s\" strength=\"x\"/>.",
     "cannot read the tag '<break time=\"2s\" strength=\"x\"/>'; expected <break time=\"2s\"/>"),
    ("Wait <break time=\"3x\"/> now.", f"in '<break time=\"3x\"/>': expected {DURATION_HELP}, got '3x'"),
    ("Wait <em>now</em>.", "unexpected markup '<em>now</em>.'; only <break time=\"...\"/> is understood"),
    ("If the pain is > 5, stop.", "unexpected markup '> 5, stop.'; only <break time=\"...\"/> is understood"),
    ("Wait <break time=\"2s\"", "unexpected markup '<break time=\"2s\"'; only <break time=\"...\"/> is understood"),
])
def test_split_breaks_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        split_breaks(text)
    assert str(info.value) == message


@pytest.mark.parametrize(("text", "expected"), [
    ("One. Two! Three? Four", ["One.", "Two!", "Three?", "Four"]),
    ("One.\nTwo.", ["One.", "Two."]),
    ('He said "stop." Then he rested.', ['He said "stop."', "Then he rested."]),
    ("(Rest now.) Good.", ["(Rest now.)", "Good."]),
    ("Wait\u2026 now.", ["Wait\u2026", "now."]),
    ("Hold for 3.5 seconds.", ["Hold for 3.5 seconds."]),
    ("No end", ["No end"]),
    ("  ", []),
    ("... !", []),
    ("Yes. ... No.", ["Yes.", "No."]),
])
def test_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Hold for 30s.", "Hold for 30 seconds."),
    ("Hold for 1s.", "Hold for 1 second."),
    ("1m", "1 minute"),
    ("2m", "2 minutes"),
    ("1.5s", "1.5 seconds"),
    ("500ms", "500 milliseconds"),
    ("1h and 2 h", "1 hour and 2 h"),
    ("10 min, 1 hr, 5 sec.", "10 minutes, 1 hour, 5 seconds."),
    ("10 minutes", "10 minutes"),
    ("30 seconds", "30 seconds"),
    ("ms and s alone", "ms and s alone"),
    ("a3s", "a3s"),
    ("3x", "3x"),
])
def test_spoken_form_units(text: str, expected: str) -> None:
    assert spoken_form(text) == expected


def test_spoken_form_lexicon_is_whole_word_and_case_insensitive() -> None:
    lexicon = [("tofu", "toe foo")]
    assert spoken_form("Tofu, TOFU and tofu. Not tofurky or soytofu.", lexicon) == \
        "toe foo, toe foo and toe foo. Not tofurky or soytofu."


def test_spoken_form_lexicon_in_script_order() -> None:
    assert spoken_form("calf", [("calf", "cafe"), ("cafe", "kaff")]) == "kaff"
    assert spoken_form("calf", [("cafe", "kaff"), ("calf", "cafe")]) == "cafe"


def test_spoken_form_lexicon_is_literal() -> None:
    # regex characters in the word and backslashes in the spoken form are plain text
    assert spoken_form("Use C++ daily.", [("C++", "see plus plus")]) == "Use see plus plus daily."
    assert spoken_form("Say A.", [("A", r"ay\1 \g<0>")]) == r"Say ay\1 \g<0>."


def test_spoken_form_units_then_lexicon() -> None:
    assert spoken_form("Wait 30s, Piper.", [("piper", "pie per")]) == "Wait 30 seconds, pie per."


def test_units_are_spoken_only_where_they_are_durations() -> None:
    from audio_guide.script import spoken_form

    assert spoken_form("Hold for 30s, then 1m30s... or 5 min.") == (
        "Hold for 30 seconds, then 1 minute 30 seconds... or 5 minutes.")
    assert spoken_form("Cramps are common in your 40s.") == "Cramps are common in your 40s."
    assert spoken_form("Since the 1990s.") == "Since the 1990s."
    assert spoken_form("Walk 5 m to the door.") == "Walk 5 m to the door."
    assert spoken_form("Wait 500ms and 1.5s.") == "Wait 500 milliseconds and 1.5 seconds."
    assert spoken_form("1h") == "1 hour"


def test_consecutive_durations_are_all_spoken() -> None:
    from audio_guide.script import spoken_form

    assert spoken_form("30s 40s") == "30 seconds 40 seconds"


def test_compound_durations_are_spoken_part_by_part() -> None:
    from audio_guide.script import spoken_form

    assert spoken_form("Hold for 1m30s.") == "Hold for 1 minute 30 seconds."
    assert spoken_form("wait 1h30m") == "wait 1 hour 30 minutes"
