"""``preview``: a guide or one section handed to Python callers as a pydub AudioSegment."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import pytest
from support import fakeengine

from audio_guide import preview
from audio_guide.audio import Clips, SpeechCache, section_of, timeline_for
from audio_guide.audio.segment import AudioSegment
from audio_guide.errors import UsageError
from audio_guide.script import load_script

SCRIPT = """
title: Preview
description: A test.
voice: {engine: fake}
sound: {ambience: none, fade_out: 1s, cue: none}
sections:
  - title: Lie Down
    steps:
      - say: Lie down.
      - pause: 2s
  - title: Stretch
    steps:
      - say: Pull your toes up gently.
      - hold: 3s
"""


def test_a_section_is_rendered_alone_as_an_audio_segment(write_script: Callable[[str, str], Path],
                                                         project: Path) -> None:
    guide = load_script(write_script("p.yaml", SCRIPT))
    part = preview(guide, "stretch")
    assert isinstance(part, AudioSegment)
    assert (part.frame_rate, part.channels, part.sample_width) == (44_100, 1, 2)
    expected = timeline_for(section_of(guide, 2), Clips(section_of(guide, 2), SpeechCache())).total
    assert int(part.frame_count()) == expected
    assert fakeengine.calls == ["Pull your toes up gently."]  # only that section's speech is made
    samples = np.array(part.get_array_of_samples())
    assert np.abs(samples).max() > 1000  # the tone is there
    assert not list((project / "output").iterdir())  # nothing is published
    mp3 = part.export(project / "part.mp3", format="mp3")  # with imageio-ffmpeg's ffmpeg, none on PATH
    mp3.close()
    assert (project / "part.mp3").read_bytes()[:3] in (b"ID3", b"\xff\xfb")


def test_the_whole_guide_and_sections_by_number(write_script: Callable[[str, str], Path]) -> None:
    guide = load_script(write_script("p.yaml", SCRIPT))
    whole, first, second = preview(guide), preview(guide, 1), preview(guide, "2")
    assert len(whole) > len(first) and len(whole) > len(second)


@pytest.mark.parametrize(("section", "message"), [
    (3, "there is no section 3; the guide has 2."),
    ("Sleep", "no section is titled 'Sleep'; the sections are 'Lie Down', 'Stretch'."),
])
def test_an_unknown_section_is_named(write_script: Callable[[str, str], Path], section: object, message: str) -> None:
    guide = load_script(write_script("p.yaml", SCRIPT))
    with pytest.raises(UsageError) as error:
        section_of(guide, section)  # type: ignore[arg-type]
    assert str(error.value).endswith(message)
