"""Build many guides: check them all first, take the output folder's lock, build, then publish.

Every script and the podcast config are validated before any sound is made, so a bad one
writes nothing at all. Guides already finished stay finished when a later one fails, and
the feed is rewritten to match the files that are there.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import hashlib
import os
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Callable, Sequence

from ..errors import AudioGuideError, MachineError
from ..files import remove_stale_parts
from ..places import cache_dir, cache_problem
from ..podcast import Podcast, cover_file_name, place_cover, podcast_for, publish
from ..script import Guide, load_scripts
from .fingerprint import fingerprint, up_to_date
from .guide import build_guide, speak_first
from .lock import output_lock
from .options import Options, apply_options
from .progress import BuildEvent, Built, Progress
from .turns import render_in_turn, renders


def build(paths: Sequence[Path], options: Options, progress: Progress | None = None, *,
          force: bool = False, jobs: int = 1) -> list[Built]:
    """Build every script into ``options.out_dir`` and publish the feed and page.

    With ``jobs`` > 1 guides are built in that many processes (each loads its own voice);
    ``progress`` then hears only of finished guides.
    """
    guides = [apply_options(g, options) for g in load_scripts(list(paths))]
    _check_output_folder(options.out_dir)
    with output_lock(options.out_dir):
        remove_stale_parts(options.out_dir)  # left by a build that was killed outright
        return _build_all(guides, options, progress, force, jobs)


def _check_output_folder(out_dir: Path) -> None:
    """Refuse an output folder that cannot be written before any speech is made, not after."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        writable = os.access(out_dir, os.W_OK | os.X_OK)
        reason = None if writable else "Permission denied"
    except OSError as exc:
        reason = exc.strerror or str(exc)
    if reason is not None:
        raise MachineError(f"the output folder {out_dir} cannot be written ({reason}); make it writable, "
                           "or choose another with --out DIR.")


def _build_all(guides: list[Guide], options: Options, progress: Progress | None, force: bool,
               jobs: int) -> list[Built]:
    channel = podcast_for(options.podcast, options.out_dir) if options.publish else None  # checked before any audio
    cover, drawn = _finished(), None
    if channel is not None and options.cover is None:
        options, cover = _with_podcast_cover(channel, options, guides, force)
        drawn = options.cover
    results: list[Built] = []

    def finished(built: Built) -> None:
        results.append(built)
        if progress is not None:
            progress(BuildEvent("built", built.guide, built=built))
    try:
        if jobs <= 1 or len(guides) <= 1:
            spoken = speak_first(guides, options, progress, force)
            cover.result()  # drawn while the voice spoke; the MP3s embed it
            failed = len(guides) if spoken is None or spoken.error is None else \
                next(i for i, g in enumerate(guides) if g.slug == spoken.failed)
            if spoken is not None and renders() > 1:  # all speech made, its worker gone
                render_in_turn(guides[:failed], options, progress, force, spoken.counts, finished)
            else:
                for guide in guides[:failed]:
                    finished(build_guide(guide, options, None, progress, force,
                                         spoken.counts.get(guide.slug) if spoken is not None else None))
            if spoken is not None and spoken.error is not None:
                raise spoken.error  # the guides before it are built; it is not asked of the engine again
        else:
            cover.result()
            _build_parallel(guides, options, force, jobs, finished)
    except BaseException:
        wait([cover])  # whatever came of it: the build's own failure is the one to raise
        # guides finished before the failure are in place: keep the feed true to the files
        if channel is not None and any(not b.skipped for b in results):
            with contextlib.suppress(AudioGuideError, OSError):
                publish(channel, options.out_dir, drawn=drawn)
        raise
    if channel is not None:
        publish(channel, options.out_dir, drawn=drawn)
    return results


def _with_podcast_cover(channel: Podcast, options: Options, guides: list[Guide],
                        force: bool) -> tuple[Options, Future[None]]:
    """The podcast's cover for embedding in the MP3s, drawn (or copied) into the cache.

    Not into the output folder: :func:`publish` puts it there only once every guide has
    succeeded, so a failed build changes nothing there. And only when a guide will be made:
    an up-to-date build never touches the cache, so it works where the cache cannot be written.
    It is drawn on a thread, beside the speech worker's start (drawing takes a few tenths of a
    second, which a build waited for before its first line).
    """
    own = hashlib.sha256(str(options.out_dir.resolve()).encode("utf-8")).hexdigest()[:16]
    folder = cache_dir(options.cache_dir) / "covers" / own
    name = cover_file_name(channel)
    options = dataclasses.replace(options, cover=folder / name, cover_digest=name)
    if not force and all(up_to_date(g, options, fingerprint(g, options)) is not None for g in guides):
        return options, _finished()

    def draw() -> None:
        try:
            place_cover(channel, folder)
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise
            raise cache_problem(cache_dir(options.cache_dir), exc) from None
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cover")
    try:
        return options, pool.submit(draw)
    finally:
        pool.shutdown(wait=False)  # the drawing still runs, and its thread ends with it


def _finished() -> Future[None]:
    """Work that is already done: no cover to draw."""
    done: Future[None] = Future()
    done.set_result(None)
    return done


def _build_parallel(guides: list[Guide], options: Options, force: bool, jobs: int,
                    finished: Callable[[Built], None]) -> None:
    with ProcessPoolExecutor(max_workers=min(jobs, len(guides))) as pool:
        futures = [pool.submit(build_guide, guide, options, None, None, force) for guide in guides]
        done = 0
        try:
            for future in futures:
                finished(future.result())
                done += 1
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)  # guides already running finish whole
            for future in futures[done:]:
                if future.done() and not future.cancelled() and future.exception() is None:
                    finished(future.result())
            raise
