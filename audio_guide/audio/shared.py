"""Results made once per build and shared by the guides mixed side by side.

Two guides rendered at once (:mod:`audio_guide.pipeline.turns`) start together and both ask for
the same bed in the same moment. ``functools.lru_cache`` would let both make it, side by side:
twice the time, and twice the memory at the build's peak (making a built-in bed takes 34 MB for
a moment). Here the first asks, makes and keeps it; the second waits, then takes it. Two guides
asking for different beds make them at once, each on its core: their encoders wait for them.
"""

from __future__ import annotations

import functools
import threading
from typing import Callable, TypeVar

T = TypeVar("T")


class _Asked:
    """A result being asked for: the lock its maker holds, and how many threads want it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.askers = 0


def made_once(maxsize: int) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """As ``functools.lru_cache(maxsize)``, with one thread at a time making each missing result."""
    def wrap(function: Callable[..., T]) -> Callable[..., T]:
        cached = functools.lru_cache(maxsize=maxsize)(function)
        guard = threading.Lock()
        asked: dict[tuple[object, ...], _Asked] = {}

        @functools.wraps(function)
        def call(*args: object) -> T:
            with guard:
                this = asked.setdefault(args, _Asked())
                this.askers += 1
            try:
                with this.lock:
                    return cached(*args)
            finally:
                with guard:
                    this.askers -= 1
                    if not this.askers:
                        del asked[args]
        call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        return call
    return wrap
