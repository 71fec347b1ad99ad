"""Stage 1, the script: a YAML file in, a validated :class:`Guide` out.

What enters is a producer's text, which may be anything; what leaves is frozen dataclasses
that every later stage can trust without checking again. Every refusal is a
:class:`~audio_guide.errors.ScriptError` with ``file:line:col``, what was expected and a fix.

Rooms: :mod:`.reader` (YAML with positions; also reads ``podcast.yaml``), :mod:`.yaml_errors`
(PyYAML's errors in words), :mod:`.loader` (the guide's rules), :mod:`.assets` (files a script
names), :mod:`.model` (the dataclasses), :mod:`.limits`, :mod:`.text` (sentences, breaks,
spoken form) and :mod:`.durations`. Nothing here imports numpy or a speech engine.
"""

from __future__ import annotations

from .assets import cover_image, cue_seconds, project_file, sound_problem, sound_source
from .durations import (
    DURATION_HELP,
    format_duration,
    human,
    parse_duration,
    parse_level,
    shown,
)
from .limits import (
    AUDIO_EXTENSIONS,
    BED_SECONDS_USED,
    MAX_BREAK,
    MAX_CUE_SECONDS,
    MAX_DEPTH,
    MAX_EXPANDED_STEPS,
    MAX_FILE_BYTES,
    MAX_GUIDE_SECONDS,
    MAX_REPEAT,
    MAX_SAY_CHARS,
    MAX_STEP_SECONDS,
    REMINDER_QUIET_END,
    SILENT_DB,
)
from .loader import STEP_KINDS, load_script, load_scripts
from .model import (
    BUILTIN_BEDS,
    BUILTIN_CUE_SECONDS,
    BUILTIN_CUES,
    Cue,
    Guide,
    Hold,
    Pause,
    Repeat,
    Say,
    Section,
    Sound,
    Step,
    Voice,
    VoiceChange,
    Where,
)
from .reader import LANGUAGE_TAG, Reader, compose, describe, did_you_mean, is_empty
from .text import sentences, split_breaks, spoken_form
from .voices import VoiceProblem, voice_problem

__all__ = [
    "AUDIO_EXTENSIONS", "BED_SECONDS_USED", "DURATION_HELP", "BUILTIN_BEDS", "BUILTIN_CUE_SECONDS", "BUILTIN_CUES", "LANGUAGE_TAG", "MAX_BREAK", "MAX_CUE_SECONDS", "MAX_DEPTH",
    "MAX_EXPANDED_STEPS", "MAX_FILE_BYTES", "MAX_GUIDE_SECONDS", "MAX_REPEAT", "MAX_SAY_CHARS",
    "MAX_STEP_SECONDS", "REMINDER_QUIET_END", "SILENT_DB", "STEP_KINDS",
    "Cue", "Guide", "Hold", "Pause", "Reader", "Repeat", "Say", "Section", "Sound", "Step", "Voice", "VoiceChange", "VoiceProblem", "Where",
    "compose", "cover_image", "cue_seconds", "describe", "did_you_mean", "format_duration", "human", "is_empty", "load_script",
    "load_scripts", "parse_duration", "parse_level", "project_file", "sentences", "shown", "sound_problem", "sound_source",
    "split_breaks", "spoken_form", "voice_problem",
]
