"""Mixing and encoding guides two at a time once a build's speech is made, put in place in order.

After the speaking, each guide's mix and encode keeps one core busy with libmp3lame and part
of the other with its loudness meter; a second guide's encode takes up the rest (a cold build
of the shipped guides: 43.0 s one at a time, 40.3 s two at a time, README). The speech
worker has exited by then, so the build's memory does not peak again.

Renders run on threads: the work is in the ffmpeg processes and numpy, and the stop that a
failure or an interrupt needs is then one call away (:mod:`audio_guide.stopping`), where a
process pool would wait for a running encode to finish. The outputs of each guide are put in
place in the build's order, so that a failure leaves exactly what a build one guide at a
time would have left: the guides before it done, those after it untouched.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Callable, Final

from ..script import Guide
from ..stopping import Stop, Stopped, stopped, stopping_with
from ..timeline import plan
from .guide import prepare_guide
from .options import Options
from .progress import BuildEvent, Built, Progress

if TYPE_CHECKING:  # a type only: the audio stage is loaded when a guide is rendered
    from .outputs import Rendered

RENDERS: Final = 2
"""Guides mixed and encoded at once: one encoder per core, their meters in the gaps."""
M_ARENA_MAX: Final = -8
"""glibc's ``mallopt`` setting for how many heaps threads may spread over (malloc.h)."""


def renders() -> int:
    """How many guides this machine mixes and encodes at once."""
    return min(RENDERS, os.cpu_count() or 1)


def render_in_turn(guides: list[Guide], options: Options, progress: Progress | None, force: bool,
                   spoken: dict[str, int], finished: Callable[[Built], None]) -> None:
    """Build ``guides`` (their speech made: ``spoken`` lines of each) :func:`renders` at a time.

    The longest starts first, so that the others run beside it rather than leave it running
    alone at the end. A guide that fails stops those after it at once (their encoders killed,
    their temporary files removed); those before it finish and are put in place, then its
    error is raised. An interrupt stops them all.
    """
    if not guides:
        return
    stops = [Stop() for _guide in guides]
    told_lock = threading.Lock()

    def told(event: BuildEvent) -> None:
        if progress is not None:
            with told_lock:
                progress(event)

    def job(index: int) -> Built | Rendered:
        with stopping_with(stops[index]):
            stopped()  # its turn came after the build stopped
            guide = guides[index]
            return prepare_guide(guide, options, None, told, force, spoken.get(guide.slug))

    def stop_later(index: int) -> Callable[[Future[Built | Rendered]], None]:
        def check(future: Future[Built | Rendered]) -> None:
            if not future.cancelled() and not isinstance(future.exception(), (type(None), Stopped)):
                for stop in stops[index + 1:]:
                    stop.set()
        return check

    _share_heaps()
    longest_first = sorted(range(len(guides)), key=lambda i: -plan(guides[i]).total)
    pool = ThreadPoolExecutor(max_workers=min(renders(), len(guides)), thread_name_prefix="render")
    futures: dict[int, Future[Built | Rendered]] = {}
    placed = 0
    try:
        for index in longest_first:
            futures[index] = pool.submit(job, index)
            futures[index].add_done_callback(stop_later(index))
        for index in range(len(guides)):
            made = _result(futures[index])
            finished(made if isinstance(made, Built) else made.commit())
            placed = index + 1
    except BaseException:
        for stop in stops:
            stop.set()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        for index in range(placed, len(guides)):  # made, but a guide before it failed
            future = futures.get(index)
            if future is not None and not future.cancelled() and future.exception() is None:
                made = future.result()
                if not isinstance(made, Built):
                    made.discard()


def _result(future: Future[Built | Rendered]) -> Built | Rendered:
    """The future's result, waited for a moment at a time.

    The OS may deliver SIGTERM or SIGINT to any of the process's threads; Python then runs the
    handler in the main thread, but only once the main thread runs again. A main thread waiting
    with no timeout would sleep on until the guide was done, the interrupt unseen.
    """
    while True:
        try:
            return future.result(timeout=0.1)
        except TimeoutError:
            continue


def _share_heaps() -> None:
    """Let the render threads share :data:`RENDERS` heaps, where glibc would give more threads
    heaps of their own, each holding memory freed into it for its thread's next use.

    Measured on a cold build of the shipped guides: the whole process tree's peak, which falls
    while two guides are encoded, 263 to 270 MB instead of 288 to 289, and no slower. Elsewhere
    than glibc there is nothing to set.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).mallopt(M_ARENA_MAX, RENDERS)
