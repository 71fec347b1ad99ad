"""Exact event positions from the planner (a pure function: no audio is made here)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from audio_guide.script import Guide, load_script
from audio_guide.timeline import plan, samples, spoken_sentences

SCRIPT = """
title: T
description: D
voice: {engine: fake, sentence_pause: 500ms, paragraph_pause: 1s}
sound: {cue: bell, fade_out: 2s, tail: 3s}
sections:
  - title: One
    steps:
      - say: Hello there. Breathe.
      - say: Stretch <break time="2s"/> now.
      - hold: 30s
      - say: Done.
  - title: Two
    steps:
      - repeat: 2
        steps:
          - say: Again.
          - pause: 1.5s
      - hold: 1m
        cue: none
        remind_every: 20s
        remind: Keep going.
"""


def ten_ms_per_char(text: str, _voice: object) -> int:
    return 441 * len(text)


def test_exact_positions(write_script: Callable[[str, str], Path]) -> None:
    guide = load_script(write_script("g.yaml", SCRIPT))
    timeline = plan(guide, ten_ms_per_char, lambda _name: 5000)
    got = [(e.kind, e.start, e.length, e.text, e.section) for e in timeline.events]
    assert got == [
        ("speech", 44100, 5292, "Hello there.", 0),
        ("gap", 49392, 22050, "", 0),
        ("speech", 71442, 3528, "Breathe.", 0),
        ("gap", 74970, 44100, "", 0),
        ("speech", 119070, 3087, "Stretch", 0),
        ("break", 122157, 88200, "", 0),
        ("speech", 210357, 1764, "now.", 0),
        ("hold", 212121, 1323000, "", 0),
        ("cue", 1535121, 5000, "bell", 0),
        ("speech", 1540121, 2205, "Done.", 0),
        ("gap", 1542326, 44100, "", 0),
        ("speech", 1586426, 2646, "Again.", 1),
        ("pause", 1589072, 66150, "", 1),
        ("speech", 1655222, 2646, "Again.", 1),
        ("pause", 1657868, 66150, "", 1),
        ("hold", 1724018, 2646000, "", 1),
        ("speech", 2606018, 4851, "Keep going.", 1),
        ("speech", 3488018, 4851, "Keep going.", 1),
    ]
    assert [e.reminder for e in timeline.events if e.kind == "speech"][-2:] == [True, True]
    assert timeline.content_end == 4370018
    assert timeline.total == 4370018 + 132300 + 88200
    assert [(c.title, c.start, c.end) for c in timeline.chapters] == [
        ("One", 0, 1586426), ("Two", 1586426, timeline.total)]
    assert not timeline.estimated
    assert timeline.warnings == ()


def test_hold_is_measured_from_end_of_speech_to_cue(write_script: Callable[[str, str], Path]) -> None:
    guide = load_script(write_script("g.yaml", SCRIPT))
    events = plan(guide, ten_ms_per_char, lambda _n: 5000).events
    hold = next(e for e in events if e.kind == "hold")
    before = max((e for e in events if e.kind == "speech" and e.end <= hold.start), key=lambda e: e.end)
    cue = next(e for e in events if e.kind == "cue")
    assert before.end == hold.start
    assert cue.start - before.end == samples(30) == 1_323_000


def test_unknown_lengths_are_estimated_and_flagged(write_script: Callable[[str, str], Path]) -> None:
    guide = load_script(write_script("g.yaml", SCRIPT))
    timeline = plan(guide)
    assert timeline.estimated
    assert all(e.estimated for e in timeline.speech())
    assert timeline.to_dict()["estimated"] is True


def reminder_guide(write_script: Callable[[str, str], Path], hold: str, every: str, remind: str) -> Guide:
    """A guide of one line and one hold with reminders; the hold's line is line 7."""
    return load_script(write_script("g.yaml", f"""
        title: T
        description: D
        sections:
          - title: S
            steps:
              - say: Go.
              - hold: {hold}
                remind_every: {every}
                remind: {remind}
    """))


def test_reminder_that_would_overrun_is_dropped_with_warning(write_script: Callable[[str, str], Path]) -> None:
    guide = reminder_guide(write_script, "30s", "15s", "A very long reminder that will not fit.")
    long_lines = plan(guide, lambda text, _v: samples(20) if "reminder" in text else 441)
    assert [e for e in long_lines.speech() if e.reminder] == []
    assert len(long_lines.warnings) == 1 and ":7: a reminder at 15s" in long_lines.warnings[0]
    short_lines = plan(guide, lambda text, _v: samples(1))
    # 15 s into a 30 s hold is more than 10 s before its end: it is kept
    assert [e.start - 44100 - samples(1) for e in short_lines.speech() if e.reminder] == [samples(15)]


def test_no_reminder_in_last_ten_seconds(write_script: Callable[[str, str], Path]) -> None:
    guide = load_script(write_script("g.yaml", """
        title: T
        description: D
        sections:
          - title: S
            steps:
              - say: Go.
              - hold: 35s
                remind_every: 12s
                remind: Breathe.
    """))
    timeline = plan(guide, lambda _t, _v: 441)
    hold = next(e for e in timeline.events if e.kind == "hold")
    offsets = [(e.start - hold.start) / 44100 for e in timeline.speech() if e.reminder]
    assert offsets == [12.0, 24.0]  # 36 s is past the hold; 24 s starts 11 s before its end


def test_spoken_sentences_are_unique_and_in_engine_form(write_script: Callable[[str, str], Path]) -> None:
    guide = load_script(write_script("g.yaml", """
        title: T
        description: D
        lexicon: {calf: kaff}
        sections:
          - title: S
            steps:
              - repeat: 3
                steps:
                  - say: Hold for 30s. Relax the calf.
    """))
    assert spoken_sentences(guide) == ["Hold for 30 seconds.", "Relax the kaff."]


def test_total_is_a_length_an_mp3_can_state_exactly(write_script: Callable[[str, str], Path]) -> None:
    guide = load_script(write_script("g.yaml", """
        title: T
        description: D
        sound: {fade_out: 0s}
        sections:
          - title: S
            steps:
              - say: Go.
    """))
    for length in range(0, 3000, 7):
        timeline = plan(guide, lambda _t, _v: length, lambda _n: 0)
        raw = 44100 + length
        rest = raw % 1152
        assert timeline.total == (raw + 47 - rest if 0 < rest <= 46 else raw)
        assert not 0 < timeline.total % 1152 <= 46


def test_reminders_never_talk_over_each_other(write_script: Callable[[str, str], Path]) -> None:
    guide = reminder_guide(write_script, "60s", "10s", "A reminder that takes fifteen seconds to say.")
    timeline = plan(guide, lambda text, _v: samples(15) if "reminder" in text else 441)
    hold = next(e for e in timeline.events if e.kind == "hold")
    starts = [(e.start - hold.start) / 44100 for e in timeline.speech() if e.reminder]
    assert starts == [10.0, 30.0]  # 20 s and 40 s would overlap the one before; 50 s is in the last 10 s
    assert sum("before the previous one ends" in w for w in timeline.warnings) == 2


def test_no_paragraph_pause_before_a_silent_cue(write_script: Callable[[str, str], Path]) -> None:
    guide = load_script(write_script("g.yaml", """
        title: T
        description: D
        sections:
          - title: S
            steps:
              - say: One.
              - cue: none
              - say: Two.
    """))
    one, two = plan(guide, lambda _t, _v: 441).speech()
    assert two.start - one.end == samples(1.5)  # one paragraph pause, not two
