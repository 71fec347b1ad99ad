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
from ..timeline import HOUSE_RATE, Line, Timeline, plan
from .cache import SpeechCache, speech_key
from .dsp import prepare_speech
from .mix import RECENT_CLIPS
from .sounds import cue_length
from .speaker import speak_in_worker

Progress = Callable[[str], None]


class Clips:
    """Lengths and samples of one guide's sentences, keyed by their spoken text and voice."""

    def __init__(self, guide: Guide, cache: SpeechCache) -> None:
        self.voice = guide.voice
        self.language = guide.language
        self.cache = cache
        self._identities: dict[tuple[str, str | None], str] = {}
        self._recent: OrderedDict[tuple[str, Voice], np.ndarray] = OrderedDict()

    def key(self, spoken: str, voice: Voice | None = None) -> str:
        voice = voice or self.voice
        engine_voice = (voice.engine, voice.voice_id)
        if engine_voice not in self._identities:
            self._identities[engine_voice] = engines.identity(*engine_voice)
        return speech_key(self._identities[engine_voice], spoken, voice=voice.name, rate=voice.rate,
                          language=self.language, speaker=voice.speaker)

    def length(self, spoken: str, voice: Voice | None = None) -> int | None:
        """Length in samples if the sentence is already spoken (cached), else ``None``."""
        return self.cache.length(self.key(spoken, voice))

    def missing(self, lines: Iterable[Line]) -> list[Line]:
        return [line for line in lines if self.cache.get(self.key(line[1], line[0]), HOUSE_RATE) is None]

    def make(self, lines: Iterable[Line], progress: Progress | None = None, *, isolate: bool = False,
             checked: bool = False) -> int:
        """Speak every line not yet cached; returns how many were made.

        ``isolate`` speaks in a child process (one per engine): a neural voice holds a couple of
        hundred MB, which then leaves with the child instead of staying for the long mix and encode.
        ``checked`` says ``lines`` already holds only the missing ones (see :meth:`missing`).
        """
        todo = list(lines) if checked else self.missing(lines)
        for engine in dict.fromkeys(voice.engine for voice, _text in todo):
            part = [line for line in todo if line[0].engine == engine]
            if isolate:
                speak_in_worker(engine, [(line, self.language) for line in part],
                                lambda index, samples, rate: self.store(part[index], samples, rate), progress,
                                cache_root=self.cache.root)
            else:
                self._make(engine, part, progress)
        return len(todo)

    def _make(self, engine_name: str, todo: list[Line], progress: Progress | None) -> None:
        engine = engines.get(engine_name)
        for line in todo:
            voice, sentence = line
            try:
                speech = engine.synthesize(sentence, voice=voice.voice_id, rate=voice.rate, language=self.language,
                                           speaker=voice.speaker)
            except AudioGuideError:
                raise
            except Exception as exc:  # noqa: BLE001 - an engine's own failure (network, model), in words
                raise EngineError(f"the {engine_name} engine failed: {exc}") from None
            self.store(line, speech.samples, speech.rate)
            if progress:
                progress(sentence)

    def store(self, line: Line, samples: np.ndarray, rate: int) -> None:
        """Engine output -> house clip in the cache."""
        voice, sentence = line
        clip = prepare_speech(samples, rate)
        if clip.size == 0:
            raise EngineError(f"the {voice.engine} engine made no sound for: {sentence!r}")
        self.cache.put(self.key(sentence, voice), clip, HOUSE_RATE)

    def get(self, spoken: str, voice: Voice | None = None) -> np.ndarray:
        """A clip for mixing; a few recent ones stay in memory for repeated lines."""
        voice = voice or self.voice
        if (spoken, voice) in self._recent:
            self._recent.move_to_end((spoken, voice))
            return self._recent[spoken, voice]
        clip = self.cache.get(self.key(spoken, voice), HOUSE_RATE)
        if clip is None:
            raise EngineError(f"speech for {spoken!r} vanished from the cache during the build; run the build again.")
        self._recent[spoken, voice] = clip
        if len(self._recent) > RECENT_CLIPS:
            self._recent.popitem(last=False)
        return clip


def timeline_for(guide: Guide, clips: Clips | None) -> Timeline:
    """Plan with real speech lengths where known (cache), estimates elsewhere, and real cue lengths."""
    return plan(guide, clips.length if clips is not None else None, cue_length)
