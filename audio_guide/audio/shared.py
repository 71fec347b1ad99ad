"""Results made once per build and shared by the guides mixed side by side.

Two guides rendered at once (:mod:`audio_guide.pipeline.turns`) start together and both ask for
the same bed in the same moment. ``functools.lru_cache`` would let both make it, side by side:
twice the time, and twice the memory at the build's peak (making a built-in bed takes 34 MB for
a moment). Here the first asks, makes and keeps it; the second waits, then takes it.
"""

from __future__ import annotations

import functools
import threading
from typing import Callable, TypeVar

T = TypeVar("T")


def made_once(maxsize: int) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """As ``functools.lru_cache(maxsize)``, with one thread at a time making what is missing."""
    def wrap(function: Callable[..., T]) -> Callable[..., T]:
        cached = functools.lru_cache(maxsize=maxsize)(function)
        lock = threading.Lock()

        @functools.wraps(function)
        def call(*args: object) -> T:
            with lock:
                return cached(*args)
        call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        return call
    return wrap
