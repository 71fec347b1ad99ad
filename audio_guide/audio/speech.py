"""Timeline sentences -> speech clips in the house format, through the speech cache.

Clips are not all held in memory: the mixer asks :class:`Clips` for each one as it reaches
it, so an hour of narration costs a few clips of memory, not the hour.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Callable, Iterable

import numpy as np

from .. import engines
from ..errors import AudioGuideError, EngineError
from ..script import Guide, Voice
from ..timeline import HOUSE_RATE, Timeline, plan
from .cache import SpeechCache, speech_key
from .dsp import prepare_speech
from .sounds import cue_length
from .speaker import speak_in_worker

Progress = Callable[[str], None]


class Clips:
    """Lengths and samples of one guide's sentences, keyed by their spoken text."""

    def __init__(self, guide: Guide, cache: SpeechCache, engine: str | None = None,
                 voice: Voice | None = None) -> None:
        self.voice = voice or guide.voice
        self.engine_name = engine or self.voice.engine
        self.language = guide.language
        self.cache = cache
        self._identity: str | None = None
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()

    def key(self, spoken: str) -> str:
        if self._identity is None:
            self._identity = engines.identity(self.engine_name, self.voice.name)
        return speech_key(self._identity, spoken, voice=self.voice.name, rate=self.voice.rate,
                          language=self.language)

    def length(self, spoken: str) -> int | None:
        """Length in samples if the sentence is already spoken (cached), else ``None``."""
        return self.cache.length(self.key(spoken))

    def missing(self, sentences: Iterable[str]) -> list[str]:
        return [s for s in sentences if self.cache.get(self.key(s), HOUSE_RATE) is None]

    def make(self, sentences: Iterable[str], progress: Progress | None = None, *, isolate: bool = False,
             checked: bool = False) -> int:
        """Speak every sentence not yet cached; returns how many were made.

        ``isolate`` speaks in a child process: a neural voice holds a couple of hundred MB,
        which then leaves with the child instead of staying for the long mix and encode.
        ``checked`` says ``sentences`` already holds only the missing ones (see :meth:`missing`).
        """
        todo = list(sentences) if checked else self.missing(sentences)
        if not todo:
            return 0
        if isolate:
            speak_in_worker(self.engine_name, self.voice, self.language, todo, self.store, progress)
        else:
            self._make(todo, progress)
        return len(todo)

    def _make(self, todo: list[str], progress: Progress | None) -> None:
        engine = engines.get(self.engine_name)
        for sentence in todo:
            try:
                speech = engine.synthesize(sentence, voice=self.voice.name, rate=self.voice.rate,
                                           language=self.language)
            except AudioGuideError:
                raise
            except Exception as exc:  # noqa: BLE001 - an engine's own failure (network, model), in words
                raise EngineError(f"the {self.engine_name} engine failed: {exc}") from None
            self.store(sentence, speech.samples, speech.rate)
            if progress:
                progress(sentence)

    def store(self, sentence: str, samples: np.ndarray, rate: int) -> None:
        """Engine output -> house clip in the cache."""
        clip = prepare_speech(samples, rate)
        if clip.size == 0:
            raise EngineError(f"the {self.engine_name} engine made no sound for: {sentence!r}")
        self.cache.put(self.key(sentence), clip, HOUSE_RATE)

    def get(self, spoken: str) -> np.ndarray:
        """A clip for mixing; a few recent ones stay in memory for repeated lines."""
        if spoken in self._recent:
            self._recent.move_to_end(spoken)
            return self._recent[spoken]
        clip = self.cache.get(self.key(spoken), HOUSE_RATE)
        if clip is None:
            raise EngineError(f"speech for {spoken!r} vanished from the cache during the build; run the build again.")
        self._recent[spoken] = clip
        if len(self._recent) > 16:
            self._recent.popitem(last=False)
        return clip


def timeline_for(guide: Guide, clips: Clips | None) -> Timeline:
    """Plan with real speech lengths where known (cache), estimates elsewhere, and real cue lengths."""
    return plan(guide, clips.length if clips is not None else None, cue_length)
