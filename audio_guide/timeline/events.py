"""The timeline's vocabulary: events at whole-sample positions, chapters, and the house rate.

Everything after planning (mixing, transcripts, chapters, checks) reads positions from here,
counted in samples at :data:`HOUSE_RATE`, so that nothing drifts by rounding twice.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from ..script import Voice

HOUSE_RATE: Final = 44_100
"""The one sample rate every clip is converted to on entry (mono float32)."""
LEAD_IN: Final = Fraction(1)
"""Quiet (or bed) before the first words, so a guide never starts mid-breath."""


@dataclass(frozen=True)
class Event:
    """One thing on the timeline."""

    kind: str
    """speech, gap, break, pause, hold or cue."""
    start: int
    length: int
    section: int
    text: str = ""
    """Speech: the sentence as written. Cue: the cue's name or path."""
    spoken: str = ""
    """Speech: what the engine is given (units spelled out, lexicon applied)."""
    reminder: bool = False
    estimated: bool = False
    """The speech length is a guess: the sentence is not in the cache yet."""
    line: int | None = None
    voice: int = 0
    """Speech: which of :attr:`Timeline.voices` says it."""

    @property
    def end(self) -> int:
        return self.start + self.length


@dataclass(frozen=True)
class Chapter:
    title: str
    start: int
    end: int


@dataclass(frozen=True)
class Timeline:
    """Everything the mixer and publishers need to know about positions."""

    rate: int
    events: tuple[Event, ...]
    chapters: tuple[Chapter, ...]
    content_end: int
    """End of the last event; the tail and the fade-out follow."""
    total: int
    warnings: tuple[str, ...] = field(default=())
    voices: tuple[Voice, ...] = field(default=())
    """The voices speech events name by index; the guide's own is the first."""

    def voice_of(self, event: Event) -> Voice | None:
        return self.voices[event.voice] if self.voices else None

    @property
    def estimated(self) -> bool:
        return any(e.estimated for e in self.events)

    def speech(self) -> list[Event]:
        return [e for e in self.events if e.kind == "speech"]

    def to_dict(self) -> dict[str, object]:
        """Plain data for ``plan --json``: samples and seconds side by side."""
        def secs(samples: int) -> float:
            return round(samples / self.rate, 6)

        return {
            "rate": self.rate,
            "total_samples": self.total,
            "total_seconds": secs(self.total),
            "estimated": self.estimated,
            "chapters": [{"title": c.title, "start": secs(c.start), "end": secs(c.end)} for c in self.chapters],
            "events": [
                {**{k: v for k, v in asdict(e).items() if k not in ("spoken",)},
                 "start_seconds": secs(e.start), "length_seconds": secs(e.length)}
                for e in self.events
            ],
            "voices": [voice.label() for voice in self.voices],
            "warnings": list(self.warnings),
        }


def samples(seconds: Fraction | float, rate: int = HOUSE_RATE) -> int:
    """Seconds -> whole samples, rounding once, half up."""
    value = Fraction(seconds) * rate
    return int(value + Fraction(1, 2)) if value >= 0 else -int(-value + Fraction(1, 2))
