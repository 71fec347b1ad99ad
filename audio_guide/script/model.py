"""The validated guide: frozen dataclasses that every later stage can trust.

Nothing here parses or checks; :mod:`.loader` builds these only from input it has
already validated, so the planner and renderer never re-check a user's script.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any, Final, Iterator, Union

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
    model: Path | None = None
    """A producer's own voice file (absolute), used instead of ``name``."""
    speaker: str | None = None
    """One speaker of a voice that has several: its name, or its number as text."""
    rate: float = DEFAULT_RATE
    """Speaking speed: 1.0 is the voice's normal speed, 0.8 slower."""
    sentence_pause: Fraction = DEFAULT_SENTENCE_PAUSE
    """Silence after each sentence inside a ``say``: the engine adds none by itself."""
    paragraph_pause: Fraction = DEFAULT_PARAGRAPH_PAUSE
    """Silence after a ``say`` followed by another ``say`` or a ``cue``."""

    @property
    def voice_id(self) -> str | None:
        """What the engine is told to speak with: the model file's path, else the voice's name."""
        return str(self.model) if self.model is not None else self.name

    def label(self) -> str:
        """The voice as a person would name it: ``piper en_GB-alba-medium (speaker 2), rate 0.8``."""
        who = self.model.name if self.model is not None else (self.name or "default voice")
        return (f"{self.engine} {who}" + (f" (speaker {self.speaker})" if self.speaker is not None else "")
                + (f", rate {self.rate:g}" if self.rate != DEFAULT_RATE else ""))


@dataclass(frozen=True)
class VoiceChange:
    """A ``voice:`` given on a section, a ``say`` or a hold's reminders: only what it sets.

    Kept apart from :class:`Voice` so that what is not set still comes from above, including a
    voice chosen on the command line for the whole guide.
    """

    engine: str | None = None
    name: str | None = None
    model: Path | None = None
    speaker: str | None = None
    rate: float | None = None
    sentence_pause: Fraction | None = None
    paragraph_pause: Fraction | None = None

    def apply(self, base: Voice) -> Voice:
        """``base`` with this change on top. Another engine, voice name or file starts from that
        voice's own defaults: a speaker of one voice means nothing to another."""
        values: dict[str, Any] = {f: getattr(self, f) for f in ("rate", "sentence_pause", "paragraph_pause")
                                  if getattr(self, f) is not None}
        who: dict[str, Any] = {}
        if self.engine is not None and self.engine != base.engine:
            who = {"engine": self.engine, "name": None, "model": None, "speaker": None}
        if self.name is not None:
            who.update(name=self.name, model=None, speaker=None)
        if self.model is not None:
            who.update(name=None, model=self.model, speaker=None)
        if self.speaker is not None:
            who["speaker"] = self.speaker
        return replace(base, **who, **values)


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
    voice: VoiceChange | None = None
    """This line's own voice, over its section's."""


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
    voice: VoiceChange | None = None
    """The reminders' own voice, over the section's (e.g. a second, softer one)."""


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
    voice: VoiceChange | None = None
    """The section's own voice or pace, over the guide's (e.g. a slower closing)."""

    def written_steps(self) -> Iterator[Step]:
        """Every step as written, a repeat's own steps included once (not expanded)."""
        return _walk(self.steps)


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

    def voice_for(self, section: Section, step: Say | Hold | None = None) -> Voice:
        """The voice a line is spoken in: the guide's, then its section's, then its own."""
        voice = self.voice
        for change in (section.voice, step.voice if step is not None else None):
            if change is not None:
                voice = change.apply(voice)
        return voice

    def voices(self) -> tuple[Voice, ...]:
        """Every voice the guide speaks in, the guide's own first, each once."""
        found = {self.voice: None}
        for section in self.sections:
            found.setdefault(self.voice_for(section))
            for step in section.written_steps():
                if isinstance(step, (Say, Hold)) and step.voice is not None:
                    found.setdefault(self.voice_for(section, step))
        return tuple(found)

    def written_steps(self) -> Iterator[Step]:
        """Every step as written, a repeat's own steps included once (not expanded)."""
        for section in self.sections:
            yield from section.written_steps()


def _walk(steps: tuple[Step, ...]) -> Iterator[Step]:
    for step in steps:
        yield step
        if isinstance(step, Repeat):
            yield from _walk(step.steps)

