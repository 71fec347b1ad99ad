"""Files that are not scripts: finding and running ffmpeg, probing sound files, checking cover images.

Below every stage and light on purpose: reading a script checks the files it names with
these, and that must not load numpy. Decoding into arrays is the audio stage's business.
"""

from __future__ import annotations

from .ffmpeg import decode_pcm, ffmpeg_exe, last_words, run
from .image import MAX_SIZE, MIN_SIZE, check_cover, cover_problem
from .probe import AudioProbe, ProbeError, probe_audio

__all__ = ["MAX_SIZE", "MIN_SIZE", "AudioProbe", "ProbeError", "check_cover", "cover_problem", "decode_pcm",
           "ffmpeg_exe", "last_words", "probe_audio", "run"]
