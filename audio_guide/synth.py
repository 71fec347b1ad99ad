"""Timeline sentences -> speech clips in the house format, through the speech cache.

Clips are not all held in memory: the mixer asks :class:`Clips` for each one as it reaches
it, so an hour of narration costs a few clips of memory, not the hour.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Callable, Iterable

import numpy as np

from . import engines
from .cache import SpeechCache, speech_key
from .dsp import prepare_speech
from .errors import EngineError
from .model import HOUSE_RATE, Guide, Voice

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

    def make(self, sentences: Iterable[str], progress: Progress | None = None) -> int:
        """Speak every sentence not yet cached; returns how many were made."""
        todo = self.missing(sentences)
        if not todo:
            return 0
        engine = engines.get(self.engine_name)
        for sentence in todo:
            speech = engine.synthesize(sentence, voice=self.voice.name, rate=self.voice.rate,
                                       language=self.language)
            clip = prepare_speech(speech.samples, speech.rate)
            if clip.size == 0:
                raise EngineError(f"the {self.engine_name} engine made no sound for: {sentence!r}")
            self.cache.put(self.key(sentence), clip, HOUSE_RATE)
            if progress:
                progress(sentence)
        return len(todo)

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
