"""One guide: left alone when nothing that decides its outputs has changed, else rendered."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..script import Guide
from .fingerprint import fingerprint, up_to_date
from .options import Options
from .progress import Built, Progress

if TYPE_CHECKING:  # types only: the audio stage is loaded below, when a guide must be rendered
    from ..audio import SpeechCache, Spoken
    from .outputs import Rendered


def build_guide(guide: Guide, options: Options, cache: SpeechCache | None = None,
                progress: Progress | None = None, force: bool = False, spoken: int | None = None) -> Built:
    """Build one guide, or return the last build's result when it is up to date (unless ``force``).

    Deciding costs a digest of the script and its files; only a guide that must be made again
    loads the audio stage (numpy, soxr: a few tenths of a second), so a no-op rebuild stays instant.
    """
    made = prepare_guide(guide, options, cache, progress, force, spoken)
    return made if isinstance(made, Built) else made.commit()


def prepare_guide(guide: Guide, options: Options, cache: SpeechCache | None = None,
                  progress: Progress | None = None, force: bool = False,
                  spoken: int | None = None) -> Built | Rendered:
    """As :func:`build_guide`, but a guide rendered is returned with its files not yet in place."""
    stamp = fingerprint(guide, options)
    if not force:
        previous = up_to_date(guide, options, stamp)
        if previous is not None:
            return Built(guide, options.out_dir / previous.mp3, previous, skipped=True)
    from .outputs import (
        stage_guide,  # the boundary to the audio stage, crossed only when needed
    )

    return stage_guide(guide, options, stamp, cache, progress, spoken)


def stale(guides: list[Guide], options: Options, force: bool = False) -> list[Guide]:
    """The guides a build will render (out of date, or all with ``force``), in order."""
    return [g for g in guides if force or up_to_date(g, options, fingerprint(g, options)) is None]


def speak_first(guides: list[Guide], options: Options, progress: Progress | None = None,
                force: bool = False) -> Spoken | None:
    """Speak every guide to be rendered in one worker before mixing any; ``None`` when fewer than
    two are: one gains nothing, and an up-to-date build must not load the audio stage."""
    todo = stale(guides, options, force)
    if len(todo) < 2:
        return None
    from .outputs import speak_first as speak

    return speak(todo, options, progress)
