"""The speech worker's client: speak sentences in a separate process and store what comes back.

A neural voice holds a couple of hundred MB while it speaks; in a child process that memory
is gone before the long mix and encode start. The child (:mod:`audio_guide.engines.worker`)
returns raw samples; they are prepared and cached in this process by the ``store`` callback.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Callable, Final

import numpy as np

from .. import engines
from ..engines.worker import speak
from ..errors import EngineError
from ..places import CACHE_ENV
from ..timeline import Line

Progress = Callable[[str], None]
Job = tuple[Line, str]
"""A line to speak and the language of the guide it is in."""
Store = Callable[[int, np.ndarray, int], None]
"""Called with each spoken job's index, its samples and their rate."""

WORKER_START_ENV: Final = "AUDIO_GUIDE_WORKER_START"
"""Unset: the speech worker is a fresh interpreter holding only the voice. ``fork``: a forked
process (tests use it, so that what they patch in this process holds in the worker too)."""


def speak_in_worker(engine: str, todo: list[Job], store: Store, progress: Progress | None = None,
                    cache_root: Path | None = None) -> None:
    """Speak ``todo`` (lines of one engine, in any of its voices and languages) in a fresh worker
    process (:mod:`audio_guide.engines.worker`), which loads each voice once.

    The worker holds only the voice; the samples come back through a pipe and are prepared
    and cached here, so the worker's memory is the voice's alone, and it is gone when the
    speaking is done. The worker ignores Ctrl-C: this process receives it, stops the worker
    and unwinds, so a user sees one clean message. ``cache_root`` is the cache folder the build
    uses (``--cache-dir``): the worker keeps what it learns of a voice there too (its split and
    timing), beside the speech.
    """
    receiver, process = _start_worker(engine, todo, cache_root)
    finished = False
    try:
        while True:
            try:
                message = receiver.recv()
            except EOFError:
                code = process.wait(5)
                raise EngineError(f"the {engine} engine stopped unexpectedly "
                                  f"(exit code {code}); run the build again.") from None
            if message[0] == "speech":
                _kind, index, raw, rate = message
                store(index, np.frombuffer(raw, dtype="<f4"), rate)
                if progress:
                    progress(todo[index][0][1])
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

    def __init__(self, popen: subprocess.Popen[bytes] | None = None, forked: BaseProcess | None = None) -> None:
        self.popen, self.forked = popen, forked

    def alive(self) -> bool:
        if self.popen is not None:
            return self.popen.poll() is None
        return self.forked is not None and self.forked.is_alive()

    def terminate(self) -> None:
        if self.popen is not None:
            self.popen.terminate()
        elif self.forked is not None:
            self.forked.terminate()

    def wait(self, timeout: float | None = None) -> int | None:
        if self.popen is not None:
            try:
                return self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                return None
        if self.forked is None:
            return None
        self.forked.join(timeout)
        return self.forked.exitcode


def _start_worker(engine: str, todo: list[Job], cache_root: Path | None) -> tuple[Connection, _Worker]:
    """Start the speech worker: ``python -m audio_guide.engines.worker`` with two pipes, or a
    forked process when ``AUDIO_GUIDE_WORKER_START=fork`` (what tests patch then holds there)."""
    items = [(text, voice.voice_id, voice.speaker, voice.rate, language) for (voice, text), language in todo]
    job = (engines.info(engine), items)
    if os.environ.get(WORKER_START_ENV) == "fork":
        context = multiprocessing.get_context("fork")
        receiver, sender = context.Pipe(duplex=False)
        forked = context.Process(target=_speak_forked, name="audio-guide-speech", args=(cache_root, *job, sender))
        forked.start()
        sender.close()
        return receiver, _Worker(forked=forked)
    to_child_r, to_child_w = os.pipe()
    from_child_r, from_child_w = os.pipe()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}  # engines registered from elsewhere
    if cache_root is not None:
        env[CACHE_ENV] = str(cache_root)
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


def _speak_forked(cache_root: Path | None, *job: object) -> None:
    """The forked worker: :func:`~audio_guide.engines.worker.speak`, with the build's cache folder."""
    if cache_root is not None:
        os.environ[CACHE_ENV] = str(cache_root)
    speak(*job)  # type: ignore[arg-type]
