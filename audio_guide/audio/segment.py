"""A guide, or one section of it, rendered into memory as a pydub ``AudioSegment`` for Python callers.

pydub is the right hand-over here: a caller can play, slice, export or inspect the result
with the library everyone knows, and nothing is written to the output folder. It is not
used for whole builds (a long guide is streamed block by block, never held in memory).
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np

with warnings.catch_warnings():  # pydub looks for ffmpeg on PATH at import; it is given imageio-ffmpeg's below
    warnings.filterwarnings("ignore", "Couldn't find ffmpeg", RuntimeWarning)
    warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)  # audioop-lts from 3.13
    from pydub import AudioSegment

from ..errors import UsageError
from ..media import ffmpeg_exe
from ..script import Guide
from ..timeline import spoken_lines
from .cache import SpeechCache
from .dsp import SPEECH_REF_LUFS
from .level import PEAK_MARGIN, TRUE_PEAK_LIMIT
from .mix import render
from .speech import Clips, timeline_for


def section_of(guide: Guide, section: int | str) -> Guide:
    """The guide cut down to one section (1-based number or exact title), as a guide of its own."""
    sections = guide.sections
    if isinstance(section, int) or (isinstance(section, str) and section.isdigit()):
        number = int(section)
        if not 1 <= number <= len(sections):
            raise UsageError(f"{guide.path}: there is no section {number}; the guide has {len(sections)}.")
        chosen = sections[number - 1]
    else:
        matches = [s for s in sections if s.title.casefold() == section.casefold()]
        if not matches:
            titles = ", ".join(f"'{s.title}'" for s in sections)
            raise UsageError(f"{guide.path}: no section is titled '{section}'; the sections are {titles}.")
        chosen = matches[0]
    return dataclasses.replace(guide, sections=(chosen,))


def preview(guide: Guide, section: int | str | None = None, cache: SpeechCache | None = None) -> AudioSegment:
    """Speak what is not cached yet, mix, and return 16-bit mono audio at the house rate.

    The voice sits at the guide's loudness target (set from the speech reference, not by
    measuring an encode), so a preview sounds as the built guide will, in a fraction of the time.
    """
    part = section_of(guide, section) if section is not None else guide
    cache = cache if cache is not None else SpeechCache()
    clips = Clips(part, cache)
    clips.make(spoken_lines(part), isolate=True)
    timeline = timeline_for(part, clips)
    gain = part.sound.loudness - SPEECH_REF_LUFS
    blocks = list(render(timeline, clips, part.sound, gain, ceiling_db=TRUE_PEAK_LIMIT - PEAK_MARGIN,
                         beds=cache.beds))
    mix = np.concatenate(blocks) if blocks else np.zeros(0, np.float32)
    pcm = np.round(np.clip(mix, -1.0, 1.0) * 32767).astype("<i2")
    AudioSegment.converter = ffmpeg_exe()  # so that segment.export("x.mp3") needs no system ffmpeg
    return AudioSegment(data=pcm.tobytes(), sample_width=2, frame_rate=timeline.rate, channels=1)
