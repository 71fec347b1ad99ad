"""Speaking a whole build's lines at once: one worker, the voice loaded once, before any guide is mixed.

A build of several guides would otherwise start a worker, load the voice and time it once per
guide. Speaking them all first costs what piper alone costs. The speaking is not overlapped with
the mixing of earlier guides: piper already keeps both cores busy, and measured on the shipped
guides the overlap made a cold build slower while the worker and the mix together held more
memory. A line two guides share is spoken once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..errors import AudioGuideError
from ..script import Guide
from ..timeline import Line, spoken_lines
from .speaker import Job, speak_in_worker
from .speech import Clips

Told = Callable[[Guide, int, int], None]
"""Told ``(guide, spoken, of)`` as a guide's lines are spoken: first with 0, then after each line."""


@dataclass
class Spoken:
    """What :func:`speak_ahead` did: lines spoken for each guide, and where it failed, if it did."""

    counts: dict[str, int] = field(default_factory=dict)
    failed: str | None = None
    """The first guide (in build order) whose lines are not all spoken; those before it are."""
    error: AudioGuideError | None = None


def speak_ahead(parts: list[tuple[Guide, Clips]], told: Told | None = None) -> Spoken:
    """Speak every line the guides miss, guide after guide.

    An engine's failure is not raised here but returned, with the first guide it leaves without
    its speech: the guides before it can still be built, and the failure is reported when that
    guide's turn comes, without asking the engine (an online service, perhaps) a second time.
    """
    jobs: list[Job] = []
    owner: list[tuple[Guide, Clips]] = []
    seen: set[str] = set()
    counts: dict[str, int] = {}
    for guide, clips in parts:
        lines: list[Line] = []
        for line in clips.missing(spoken_lines(guide)):
            key = clips.key(line[1], line[0])
            if key not in seen:  # said once, for the first guide that needs it
                seen.add(key)
                lines.append(line)
        counts[guide.slug] = len(lines)
        jobs.extend((line, guide.language) for line in lines)
        owner.extend((guide, clips) for _line in lines)
    stored = [False] * len(jobs)
    try:
        for engine in dict.fromkeys(voice.engine for (voice, _text), _language in jobs):
            mine = [i for i, ((voice, _text), _language) in enumerate(jobs) if voice.engine == engine]
            speak_in_worker(engine, [jobs[i] for i in mine], _Store(jobs, owner, mine, told, stored),
                            cache_root=owner[mine[0]][1].cache.root)
    except AudioGuideError as exc:
        left = {owner[i][0].slug for i, done in enumerate(stored) if not done}
        failed = next(guide.slug for guide, _clips in parts if guide.slug in left)
        return Spoken(counts, failed, exc)
    return Spoken(counts)


class _Store:
    """Keeps each line the worker sends, and tells of each guide's progress in the order it is spoken."""

    def __init__(self, jobs: list[Job], owner: list[tuple[Guide, Clips]], numbers: list[int],
                 told: Told | None, stored: list[bool]) -> None:
        self._jobs, self._owner, self._numbers, self._told, self._stored = jobs, owner, numbers, told, stored
        self._total: dict[str, int] = {}
        for number in numbers:
            slug = owner[number][0].slug
            self._total[slug] = self._total.get(slug, 0) + 1
        self._done: dict[str, int] = {}

    def __call__(self, index: int, samples: np.ndarray, rate: int) -> None:
        number = self._numbers[index]
        guide, clips = self._owner[number]
        if guide.slug not in self._done:
            self._done[guide.slug] = 0
            self._tell(guide)
        clips.store(self._jobs[number][0], samples, rate)
        self._stored[number] = True
        self._done[guide.slug] += 1
        self._tell(guide)

    def _tell(self, guide: Guide) -> None:
        if self._told is not None:
            self._told(guide, self._done[guide.slug], self._total[guide.slug])
