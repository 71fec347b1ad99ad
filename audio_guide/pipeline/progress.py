"""What a build reports while it runs: one callback, told of each step as it happens.

A command line draws progress bars and status lines from these; a library caller may log
them or ignore them. With ``--jobs`` the guides build in other processes, and only
``built`` events come back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Literal

from ..podcast import Episode
from ..script import Guide
from ..timeline import Timeline

if TYPE_CHECKING:  # a type only: the audio stage is loaded when something must be rendered
    from ..audio import Loudness


@dataclass(frozen=True)
class Built:
    """One guide after the build: made now, or left as it was because nothing had changed."""

    guide: Guide
    mp3: Path
    episode: Episode
    made: int = 0
    """Sentences spoken for this build."""
    reused: int = 0
    """Sentences taken from the speech cache."""
    skipped: bool = False
    """Nothing had changed since the last build: the outputs were left as they were."""
    timeline: Timeline | None = None
    loudness: Loudness | None = None
    """As measured on the MP3 written (``None`` when skipped)."""

    @property
    def seconds(self) -> float:
        return self.episode.duration

    @property
    def size(self) -> int:
        return self.mp3.stat().st_size


Stage = Literal["speaking", "mixing", "built"]


@dataclass(frozen=True)
class BuildEvent:
    """``speaking``: ``done`` of ``total`` sentences spoken (first with ``done`` 0); ``mixing``: the
    long mix and encode began; ``built``: the guide is finished, see ``built``."""

    stage: Stage
    guide: Guide
    done: int = 0
    total: int = 0
    built: Built | None = None


Progress = Callable[[BuildEvent], None]
