"""The validated guide: frozen dataclasses that every later stage can trust.

Nothing here parses or checks; :mod:`.loader` builds these only from input it has
already validated, so the planner and renderer never re-check a user's script.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Final, Iterator, Union

DEFAULT_ENGINE: Final = "piper"
DEFAULT_RATE: Final = 1.0
DEFAULT_SENTENCE_PAUSE: Final = Fraction(7, 10)
DEFAULT_PARAGRAPH_PAUSE: Final = Fraction(3, 2)
DEFAULT_LOUDNESS: Final = -20.0
DEFAULT_FADE_OUT: Final = Fraction(3)
DEFAULT_FADE_IN: Final = Fraction(3)
DEFAULT_AMBIENCE_LEVEL: Final = -26.0
DEFAULT_DUCK: Final = 6.0

BUILTIN_BEDS: Final = ("brown-noise", "pink-noise", "rain", "waves")
BUILTIN_CUES: Final = ("bell", "chime", "bowl")
BUILTIN_CUE_SECONDS: Final = {"bell": 3.0, "chime": 2.2, "bowl": 5.0}
"""How long each built-in cue rings: the synthesizer makes them this long, the limits count them."""


@dataclass(frozen=True)
class Where:
    """A position in a script, kept so that late errors can still point at a line."""

    path: str
    line: int
    column: int


@dataclass(frozen=True)
class Voice:
    """How narration is spoken."""

    engine: str = DEFAULT_ENGINE
    """Registry name of the speech engine."""
    name: str | None = None
    """The engine's voice id; ``None`` takes the engine's default voice."""
    rate: float = DEFAULT_RATE
    """Speaking speed: 1.0 is the voice's normal speed, 0.8 slower."""
    sentence_pause: Fraction = DEFAULT_SENTENCE_PAUSE
    """Silence after each sentence inside a ``say``: the engine adds none by itself."""
    paragraph_pause: Fraction = DEFAULT_PARAGRAPH_PAUSE
    """Silence after a ``say`` followed by another ``say`` or a ``cue``."""


@dataclass(frozen=True)
class Sound:
    """The bed, cues and loudness of the finished guide."""

    ambience: str = "none"
    """``none``, a built-in bed, or an absolute path to an audio file."""
    cue: str = "bell"
    """Default end-of-hold cue: ``none``, a built-in, or an absolute path."""
    loudness: float = DEFAULT_LOUDNESS
    """Target integrated loudness in LUFS."""
    fade_out: Fraction = DEFAULT_FADE_OUT
    """Fade to silence at the very end."""
    fade_in: Fraction = DEFAULT_FADE_IN
    """Fade-in of the bed at the start."""
    ambience_level: float = DEFAULT_AMBIENCE_LEVEL
    """Bed level in dB relative to the voice's level."""
    duck: float = DEFAULT_DUCK
    """How many dB the bed dips under speech."""
    tail: Fraction = Fraction(0)
    """How long the bed runs on after the last event, before the fade-out."""


@dataclass(frozen=True)
class Say:
    """Narration; ``text`` may hold inline ``<break time=".."/>`` tags."""

    text: str
    where: Where


@dataclass(frozen=True)
class Pause:
    """Silence (over the bed) of exactly ``seconds``."""

    seconds: Fraction
    where: Where


@dataclass(frozen=True)
class Cue:
    """Play a cue sound; ``sound`` is ``none``, a built-in name or an absolute path."""

    sound: str
    where: Where


@dataclass(frozen=True)
class Hold:
    """A timed interval, measured from the end of the speech before it to its end cue."""

    seconds: Fraction
    where: Where
    cue: str | None = None
    """End cue; ``None`` means the guide's ``sound.cue``."""
    remind_every: Fraction | None = None
    remind: str | None = None


@dataclass(frozen=True)
class Repeat:
    """Run ``steps`` ``times`` times."""

    times: int
    steps: tuple["Step", ...]
    where: Where


Step = Union[Say, Pause, Cue, Hold, Repeat]


@dataclass(frozen=True)
class Section:
    """One chapter of the guide."""

    title: str
    steps: tuple[Step, ...]
    where: Where


@dataclass(frozen=True)
class Guide:
    """A whole validated script."""

    path: Path
    title: str
    description: str
    slug: str
    sections: tuple[Section, ...]
    language: str = "en"
    voice: Voice = field(default_factory=Voice)
    sound: Sound = field(default_factory=Sound)
    author: str = "audio-guide"
    album: str = "audio-guide"
    genre: str = "Spoken Word"
    published: dt.date | None = None
    references: tuple[str, ...] = ()
    lexicon: tuple[tuple[str, str], ...] = ()
    """(word, spoken form) pairs, in script order."""
    cover: Path | None = None
    season: int | None = None
    episode: int | None = None
    """Numbers podcast apps show (``itunes:season``, ``itunes:episode``); a serial podcast needs them."""
    draft: bool = False
    """Built into output/ like any guide, but left out of the feed and the page until it is not."""

    def written_steps(self) -> Iterator[Step]:
        """Every step as written, a repeat's own steps included once (not expanded)."""
        def walk(steps: tuple[Step, ...]) -> Iterator[Step]:
            for step in steps:
                yield step
                if isinstance(step, Repeat):
                    yield from walk(step.steps)
        for section in self.sections:
            yield from walk(section.steps)

