"""Stopping work that runs beside the build's main thread, at once, when the build stops.

A build mixes and encodes two guides at a time on worker threads. When one fails, or Ctrl-C
or SIGTERM arrives (Python delivers both to the main thread only), the other's encoder must
stop now: its result would be thrown away, and a build told to stop must not keep running
for the minutes an encode takes. Work on such a thread runs under a :class:`Stop`; the code
that starts a long-lived process (an ffmpeg) registers how to end it with :func:`on_stop`, and
checks :func:`stopped` between blocks.
"""

from __future__ import annotations

import contextlib
import threading
from contextvars import ContextVar
from typing import Callable, Iterator

from .errors import AudioGuideError


class Stopped(AudioGuideError):
    """This work was stopped because the build is stopping; the reason is raised by the main thread."""

    def __init__(self) -> None:
        super().__init__("stopped, because the build stopped")


class Stop:
    """A stop for a group of work: once set, every hook registered runs, and stays set."""

    def __init__(self) -> None:
        self._set = False
        self._lock = threading.Lock()
        self._hooks: dict[int, Callable[[], object]] = {}
        self._next = 0

    def set(self) -> None:
        with self._lock:
            self._set = True
            hooks = list(self._hooks.values())
            self._hooks.clear()
        for hook in hooks:
            hook()

    def is_set(self) -> bool:
        return self._set

    @contextlib.contextmanager
    def hook(self, end: Callable[[], object]) -> Iterator[None]:
        """Within: ``end`` is called when this stop is set (at once when it already is)."""
        with self._lock:
            already = self._set
            key = self._next
            self._next += 1
            if not already:
                self._hooks[key] = end
        if already:
            end()
        try:
            yield
        finally:
            with self._lock:
                self._hooks.pop(key, None)


_current: ContextVar[Stop | None] = ContextVar("audio_guide_stop", default=None)


@contextlib.contextmanager
def stopping_with(stop: Stop) -> Iterator[None]:
    """Run the block (on this thread) under ``stop``."""
    token = _current.set(stop)
    try:
        yield
    finally:
        _current.reset(token)


def stopped() -> None:
    """Raise :class:`Stopped` when the work on this thread has been told to stop."""
    stop = _current.get()
    if stop is not None and stop.is_set():
        raise Stopped()


def on_stop(end: Callable[[], object]) -> contextlib.AbstractContextManager[None]:
    """Within: ``end`` is called if this thread's work is told to stop (nothing without a stop)."""
    stop = _current.get()
    return stop.hook(end) if stop is not None else contextlib.nullcontext()
