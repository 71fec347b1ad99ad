"""Stage 3, the audio: a :class:`~audio_guide.timeline.Timeline` in, an MP3 out.

Sentences are spoken (in a worker process, through a content-addressed speech cache), mixed
block by block with the bed and cues, levelled to the loudness target and encoded once, with
ID3 tags, chapters and cover art. This is the only stage that imports numpy (and soxr, to
resample); the stages before it stay cheap, so ``--help`` and ``validate`` never load it. It
does not import scipy: its filters and loudness meter (:mod:`.bs1770`) are numpy alone, and
scipy is left to the optional ``check`` extra.

Rooms: :mod:`.speech` (clips by spoken text), :mod:`.speaker` (the worker's client), :mod:`.ahead`
(a whole build's lines, spoken at once),
:mod:`.cache`, :mod:`.dsp`, :mod:`.bs1770` (a clip's loudness), :mod:`.sounds` (beds and cues),
:mod:`.mix`, :mod:`.pcm` (ffmpeg pipes), :mod:`.loudness`, :mod:`.estimate` (a mix's loudness from its parts), :mod:`.level` (the loudness loop), :mod:`.export`, and
:mod:`.segment` (a guide or section as a pydub ``AudioSegment``).
"""

from __future__ import annotations

from .ahead import Spoken, speak_ahead
from .cache import CacheInfo, SpeechCache, speech_key
from .dsp import SPEECH_REF_LUFS, prepare_speech
from .export import Tags, encode_mp3, tag_mp3
from .level import TRUE_PEAK_LIMIT, encode_to_target
from .loudness import Loudness, measure_file
from .mix import render, render_all
from .pcm import decode
from .segment import preview, section_of
from .sounds import Bed, cue_length, cue_sound
from .speech import Clips, timeline_for

__all__ = [
    "SPEECH_REF_LUFS", "TRUE_PEAK_LIMIT", "Bed", "CacheInfo", "Clips", "Loudness", "SpeechCache", "Spoken", "Tags",
    "cue_length", "cue_sound", "decode", "encode_mp3", "encode_to_target", "measure_file",
    "prepare_speech", "preview", "render", "render_all", "section_of", "speak_ahead", "speech_key", "tag_mp3", "timeline_for",
]
