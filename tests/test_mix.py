"""The mixer puts every clip at its planned sample, and pauses and holds are exact to the sample."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import pytest
from support.fakeengine import fake_samples

from audio_guide.audio import Clips, cue_length, cue_sound, render, render_all
from audio_guide.audio.cache import SpeechCache
from audio_guide.script import load_script
from audio_guide.timeline import HOUSE_RATE, plan, samples

SCRIPT = """
title: T
description: D
voice: {engine: fake, sentence_pause: 250ms, paragraph_pause: 750ms}
sound: {cue: chime, fade_out: 0s, fade_in: 0s, ambience: none}
sections:
  - title: A
    steps:
      - say: Pull your toes toward your knee.
      - hold: 2.5s
      - say: Let go. <break time="1.5s"/> Rest.
      - pause: 1234ms
      - say: Again.
      - hold: 3s
        cue: none
"""


class Ones:
    """Clips of exactly the planned length, all 1.0: any misplacement shows as a wrong sample."""

    def __init__(self, lengths: dict[str, int]) -> None:
        self.lengths = lengths

    def get(self, spoken: str, voice: object = None) -> np.ndarray:
        return np.ones(self.lengths[spoken], dtype=np.float32)


@pytest.fixture
def guide(write_script: Callable[[str, str], Path]):
    return load_script(write_script("g.yaml", SCRIPT))


def test_holds_and_pauses_are_sample_exact(guide) -> None:
    lengths = {"Pull your toes toward your knee.": 30_001, "Let go.": 12_345, "Rest.": 7_777, "Again.": 9_999}
    timeline = plan(guide, lambda text, _v: lengths.get(text), cue_length)
    mix = render_all(timeline, Ones(lengths), guide.sound)
    assert len(mix) == timeline.total
    for event in timeline.events:
        if event.kind == "speech":
            assert np.all(mix[event.start:event.end] == 1.0), event
        elif event.kind in ("hold", "pause", "break", "gap"):
            assert np.all(mix[event.start:event.end] == 0.0), event
            assert mix[event.start - 1] != 0.0  # the sample before is the end of the speech
    hold = next(e for e in timeline.events if e.kind == "hold")
    assert hold.length == samples(2.5) == 110_250
    cue = next(e for e in timeline.events if e.kind == "cue")
    assert cue.start == hold.end
    level = mix[cue.start:cue.end][np.argmax(np.abs(cue_sound("chime")))] / cue_sound("chime").max()
    np.testing.assert_allclose(mix[cue.start:cue.end], cue_sound("chime") * level, rtol=1e-5, atol=1e-7)
    pause = next(e for e in timeline.events if e.kind == "pause")
    assert pause.length == round(1.234 * HOUSE_RATE) == 54_419


def test_block_size_does_not_change_the_mix(guide) -> None:
    lengths = {"Pull your toes toward your knee.": 30_001, "Let go.": 12_345, "Rest.": 7_777, "Again.": 9_999}
    timeline = plan(guide, lambda text, _v: lengths.get(text), cue_length)
    whole = render_all(timeline, Ones(lengths), guide.sound)
    small = np.concatenate(list(render(timeline, Ones(lengths), guide.sound, block=4_097)))
    np.testing.assert_array_equal(whole, small)


def test_real_clips_fill_their_planned_lengths(guide, tmp_path: Path) -> None:
    clips = Clips(guide, SpeechCache(tmp_path / "c"))
    from audio_guide.timeline import spoken_lines

    assert clips.make(spoken_lines(guide)) == 4
    timeline = plan(guide, clips.length, cue_length)
    for event in timeline.speech():
        clip = clips.get(event.spoken)
        assert event.length == len(clip)
        # the fake tone is resampled 22 050 -> 44 100: twice as many samples, minus trimmed edges (<= 10 ms)
        assert abs(len(clip) - 2 * fake_samples(event.spoken)) <= 0.01 * HOUSE_RATE * 2
    mix = render_all(timeline, clips, guide.sound)
    hold = next(e for e in timeline.events if e.kind == "hold")
    assert np.all(mix[hold.start:hold.end] == 0.0)
    assert np.max(np.abs(mix[hold.start - 200:hold.start])) > 0.0


def test_gain_scales_everything(guide) -> None:
    lengths = {"Pull your toes toward your knee.": 100, "Let go.": 100, "Rest.": 100, "Again.": 100}
    timeline = plan(guide, lambda text, _v: lengths.get(text), cue_length)
    quiet = render_all(timeline, Ones(lengths), guide.sound, gain_db=-6.0)
    loud = render_all(timeline, Ones(lengths), guide.sound, gain_db=0.0)
    np.testing.assert_allclose(quiet, loud * 10 ** (-6 / 20), rtol=1e-5, atol=1e-7)


def test_fade_out_reaches_silence_without_a_jump(write_script: Callable[[str, str], Path]) -> None:
    guide = load_script(write_script("g.yaml", """
        title: T
        description: D
        voice: {engine: fake}
        sound: {ambience: brown-noise, fade_in: 1s, fade_out: 2s, tail: 1s}
        sections:
          - title: A
            steps:
              - say: Goodnight.
    """))
    lengths = {"Goodnight.": 4410}
    timeline = plan(guide, lambda text, _v: lengths.get(text), cue_length)
    mix = render_all(timeline, Ones(lengths), guide.sound)
    assert timeline.total == timeline.content_end + samples(1) + samples(2)
    assert abs(mix[-1]) < 1e-6 and abs(mix[0]) < 1e-6
    tail = mix[timeline.content_end:]
    assert np.max(np.abs(np.diff(tail))) < 0.01  # no click in the ending
    assert np.max(np.abs(tail[: samples(1)])) > 0.001  # the bed runs on during the tail
