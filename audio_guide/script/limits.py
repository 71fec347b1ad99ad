"""The script format's limits and timing rules, in one place.

The loader enforces them and the timeline obeys them, so both read them from here: a limit
is part of the format, not of the parser.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Final

MAX_FILE_BYTES: Final = 1_000_000
"""A script file is at most this big: far more than a guide needs, small enough to refuse fast."""
MAX_DEPTH: Final = 40
"""YAML nesting depth: a guide needs a few levels (sections, steps, repeat)."""
MAX_STEP_SECONDS: Final = Fraction(2 * 3600)
"""A single pause, hold, break or tail."""
MAX_GUIDE_SECONDS: Final = Fraction(12 * 3600)
"""All the timed parts of one guide together."""
MAX_SAY_CHARS: Final = 5000
MAX_REPEAT: Final = 100
MAX_EXPANDED_STEPS: Final = 20_000
MAX_BREAK: Final = MAX_STEP_SECONDS
REMINDER_QUIET_END: Final = Fraction(10)
"""No reminder starts in the last 10 s of a hold: the listener hears the cue, not words, at the end."""
MIN_REMIND_EVERY: Final = Fraction(10)
MAX_CUE_SECONDS: Final = 60.0
"""A cue is a bell or a chime, not a soundtrack: longer files are refused (and never decoded whole)."""
MIN_CUE_SECONDS: Final = 0.1
"""Shorter than this a cue is a click (or a file cut short), not something a listener can follow."""
MIN_BED_SECONDS: Final = 1.0
"""An ambience file loops with a crossfade; under a second it would be all seam."""
BED_SECONDS_USED: Final = 180.0
"""Of a longer ambience file only the first three minutes are read and looped: memory stays bounded."""
SILENT_DB: Final = -60.0
"""A sound file whose loudest sample is below this (dBFS) is silent for every purpose here."""
AUDIO_EXTENSIONS: Final = (".wav", ".mp3", ".ogg", ".oga", ".flac", ".m4a", ".aac", ".aif", ".aiff", ".opus")
IMAGE_EXTENSIONS: Final = (".png",)
