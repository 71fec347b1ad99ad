"""Timeline sentences -> speech clips in the house format, through the speech cache.

Clips are not all held in memory: the mixer asks :class:`Clips` for each one as it reaches
it, so an hour of narration costs a few clips of memory, not the hour.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from multiprocessing.connection import Connection
from collections import OrderedDict
from typing import Callable, Final, Iterable

import numpy as np

from . import engines
from .cache import SpeechCache, speech_key
from .dsp import prepare_speech
from .errors import AudioGuideError, EngineError
from .model import HOUSE_RATE, Guide, Voice

Progress = Callable[[str], None]
WORKER_START_ENV: Final = "AUDIO_GUIDE_WORKER_START"
"""Unset: the speech worker is a fresh interpreter holding only the voice. ``fork``: a forked
process (tests use it, so that what they patch in this process holds in the worker too)."""


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
            _make_in_child(self, todo, progress)
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


def _make_in_child(clips: Clips, todo: list[str], progress: Progress | None) -> None:
    """Speak ``todo`` in a fresh worker process (:mod:`audio_guide.engines.worker`).

    The worker holds only the voice; the samples come back through a pipe and are prepared
    and cached here, so the worker's memory is the voice's alone, and it is gone when the
    speaking is done. The worker ignores Ctrl-C: this process receives it, stops the worker
    and unwinds, so a user sees one clean message.
    """
    import numpy as np

    receiver, process = _start_worker(clips, todo)
    finished = False
    try:
        while True:
            try:
                message = receiver.recv()
            except EOFError:
                code = process.wait(5)
                raise EngineError(f"the {clips.engine_name} engine stopped unexpectedly "
                                  f"(exit code {code}); run the build again.") from None
            if message[0] == "speech":
                _kind, text, raw, rate = message
                clips.store(text, np.frombuffer(raw, dtype="<f4"), rate)
                if progress:
                    progress(text)
            elif message[0] == "ok":
                finished = True
                return
            else:
                finished = True
                raise EngineError(message[1])
    finally:
        receiver.close()
        if finished:
            process.wait(10)
        if process.alive():
            process.terminate()
            process.wait()


class _Worker:
    """One interface over the two ways the worker runs: a subprocess, or (tests) a fork."""

    def __init__(self, popen: "subprocess.Popen[bytes] | None" = None, forked: "object | None" = None) -> None:
        self.popen, self.forked = popen, forked

    def alive(self) -> bool:
        if self.popen is not None:
            return self.popen.poll() is None
        return self.forked.is_alive()  # type: ignore[union-attr]

    def terminate(self) -> None:
        (self.popen or self.forked).terminate()  # type: ignore[union-attr]

    def wait(self, timeout: float | None = None) -> int | None:
        if self.popen is not None:
            try:
                return self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                return None
        self.forked.join(timeout)  # type: ignore[union-attr]
        return self.forked.exitcode  # type: ignore[union-attr]


def _start_worker(clips: Clips, todo: list[str]) -> tuple[Connection, _Worker]:
    """Start the speech worker: ``python -m audio_guide.engines.worker`` with two pipes, or a
    forked process when ``AUDIO_GUIDE_WORKER_START=fork`` (what tests patch then holds there)."""
    from .engines.worker import speak

    job = (engines.info(clips.engine_name), todo, clips.voice.name, clips.voice.rate, clips.language)
    if os.environ.get(WORKER_START_ENV) == "fork":
        context = multiprocessing.get_context("fork")
        receiver, sender = context.Pipe(duplex=False)
        forked = context.Process(target=speak, name="audio-guide-speech", args=(*job, sender))
        forked.start()
        sender.close()
        return receiver, _Worker(forked=forked)
    to_child_r, to_child_w = os.pipe()
    from_child_r, from_child_w = os.pipe()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}  # engines registered from elsewhere
    try:
        popen = subprocess.Popen([sys.executable, "-m", "audio_guide.engines.worker", str(to_child_r), str(from_child_w)],
                                 pass_fds=(to_child_r, from_child_w), env=env, stdin=subprocess.DEVNULL,
                                 start_new_session=True)  # Ctrl-C goes to us; we stop the worker
    finally:
        os.close(to_child_r)
        os.close(from_child_w)
    with Connection(to_child_w, readable=False) as outbox:
        outbox.send(job)
    return Connection(from_child_r, writable=False), _Worker(popen=popen)
