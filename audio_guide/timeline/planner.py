"""Guide -> Timeline: a pure function of the script and the lengths of its sounds.

Positions are integer samples at :data:`HOUSE_RATE`. Speech lengths come from a callback
(the speech cache, or an estimate when a sentence has not been spoken yet), so ``plan``
shows a timeline without making audio and the renderer re-plans with the real lengths.

Layout rules (documented in the README):
- the guide opens with :data:`LEAD_IN` of quiet;
- sentences of one ``say`` are separated by ``voice.sentence_pause``; a ``<break>`` replaces it;
- after a ``say``, ``voice.paragraph_pause`` follows when the next step is a ``say`` or ``cue``;
- the voice of a line (and so its pauses) is the guide's, over which its section's and then its
  own ``voice:`` are laid;
- a ``hold`` starts where the previous step ended (the end of the speech before it) and
  lasts exactly its length; its end cue starts at its end; reminders sit inside it, at
  every ``remind_every``, and none starts in its last 10 s or would run past its end;
- the guide ends with ``sound.tail`` and then ``sound.fade_out``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Callable, Final, Iterator

from ..script import (
    REMINDER_QUIET_END,
    Cue,
    Guide,
    Hold,
    Pause,
    Repeat,
    Say,
    Step,
    Voice,
    sentences,
    split_breaks,
    spoken_form,
)
from .events import HOUSE_RATE, LEAD_IN, Chapter, Event, Timeline, samples

MP3_FRAME: Final = 1152
MP3_FRAME_SLACK: Final = 46
ESTIMATE_SECONDS_PER_CHAR: Final = 0.05
"""Speech length guess at rate 1.0, for sentences not yet in the cache (piper: ~0.049)."""

Line = tuple[Voice, str]
"""A sentence in engine form, and the voice it is spoken in: what synthesis makes."""
LengthOf = Callable[[str, Voice], "int | None"]


def estimate_length(spoken: str, rate: float) -> int:
    return samples(Fraction(len(spoken)) * Fraction(ESTIMATE_SECONDS_PER_CHAR).limit_denominator(1000) / Fraction(rate).limit_denominator(1000))


def spoken_lines(guide: Guide) -> list[Line]:
    """Every distinct sentence the guide speaks with its voice, in engine form: what synthesis must make."""
    seen: dict[Line, None] = {}
    for _kind, step, section in _flatten(guide):
        text = step.text if isinstance(step, Say) else step.remind if isinstance(step, Hold) else None
        if not text or not isinstance(step, (Say, Hold)):
            continue
        voice = guide.voice_for(guide.sections[section], step)
        for piece in split_breaks(text):
            if isinstance(piece, str):
                for sentence in sentences(piece):
                    seen.setdefault((voice, spoken_form(sentence, guide.lexicon, guide.language)))
    return list(seen)


def spoken_sentences(guide: Guide) -> list[str]:
    """Every distinct sentence the guide speaks, in engine form, whatever its voice."""
    return list(dict.fromkeys(text for _voice, text in spoken_lines(guide)))


def plan(guide: Guide, length_of: LengthOf | None = None, cue_length: Callable[[str], int] | None = None,
         rate: int = HOUSE_RATE) -> Timeline:
    """Lay the guide out on a timeline.

    ``length_of(spoken_sentence, voice)`` gives a sentence's length in samples or ``None`` (then
    it is estimated); ``cue_length(name)`` gives a cue's length in samples.
    """
    length_of = length_of or (lambda _text, _voice: None)
    cue_length = cue_length or (lambda _name: samples(Fraction(2), rate))
    voices: dict[Voice, int] = {guide.voice: 0}
    events: list[Event] = []
    warnings: list[str] = []
    section_starts: list[int] = []
    cursor = samples(LEAD_IN, rate)

    def speak(text: str, section: int, line: int, reminder: bool, at: int, voice: Voice) -> tuple[list[Event], int]:
        """Events for one say/remind text starting at ``at``; returns them and the end."""
        out: list[Event] = []
        pos = at
        which = voices.setdefault(voice, len(voices))
        sentence_gap = samples(voice.sentence_pause, rate)
        pieces = split_breaks(text)
        for index, piece in enumerate(pieces):
            if isinstance(piece, Fraction):
                out.append(Event("break", pos, samples(piece, rate), section, line=line, reminder=reminder))
                pos += out[-1].length
                continue
            said = sentences(piece)
            for s_index, sentence in enumerate(said):
                spoken = spoken_form(sentence, guide.lexicon, guide.language)
                known = length_of(spoken, voice)
                length = known if known is not None else estimate_length(spoken, voice.rate)
                out.append(Event("speech", pos, length, section, sentence, spoken, reminder, known is None, line,
                                 which))
                pos += length
                last_piece = index == len(pieces) - 1
                if s_index < len(said) - 1 or (not last_piece and not isinstance(pieces[index + 1], Fraction)):
                    out.append(Event("gap", pos, sentence_gap, section, line=line, reminder=reminder))
                    pos += sentence_gap
        return out, pos

    flat = list(_flatten(guide))
    current_section = -1
    for index, (kind, step, section) in enumerate(flat):
        if section != current_section:
            current_section = section
            section_starts.append(0 if section == 0 else cursor)
        line = step.where.line
        if isinstance(step, Say):
            voice = guide.voice_for(guide.sections[section], step)
            spoken, cursor = speak(step.text, section, line, False, cursor, voice)
            events.extend(spoken)
            following = next((later for _kind, later, _section in flat[index + 1:] if not _silent(later)), None)
            if isinstance(following, (Say, Cue)):
                events.append(Event("gap", cursor, samples(voice.paragraph_pause, rate), section, line=line))
                cursor += events[-1].length
        elif isinstance(step, Pause):
            events.append(Event("pause", cursor, samples(step.seconds, rate), section, line=line))
            cursor += events[-1].length
        elif isinstance(step, Cue):
            if step.sound != "none":
                events.append(Event("cue", cursor, cue_length(step.sound), section, text=step.sound, line=line))
                cursor += events[-1].length
        elif isinstance(step, Hold):
            start, length = cursor, samples(step.seconds, rate)
            events.append(Event("hold", start, length, section, line=line))
            if step.remind_every is not None and step.remind is not None:
                voice = guide.voice_for(guide.sections[section], step)
                events.extend(_reminders(step, voice, start, length, section, speak, warnings, guide, rate))
            cursor = start + length
            cue = step.cue or guide.sound.cue
            if cue != "none":
                events.append(Event("cue", cursor, cue_length(cue), section, text=cue, line=line))
                cursor += events[-1].length

    content_end = cursor
    total = _frame_safe(content_end + samples(guide.sound.tail, rate) + samples(guide.sound.fade_out, rate))
    chapters = tuple(
        Chapter(s.title, section_starts[i], section_starts[i + 1] if i + 1 < len(section_starts) else total)
        for i, s in enumerate(guide.sections)
    )
    events.sort(key=lambda e: (e.start, e.kind != "hold"))
    return Timeline(rate, tuple(events), chapters, content_end, total, tuple(warnings), tuple(voices))


def _silent(step: Step) -> bool:
    """A cue of ``none`` plays nothing, so it is no step for the pauses around it."""
    return isinstance(step, Cue) and step.sound == "none"


def _frame_safe(total: int) -> int:
    """Round the length up (by at most 46 samples of silence) to one an MP3 can say exactly.

    The Info header's end-padding field cannot describe a last frame holding only 1-46
    samples, so such files decode up to 46 samples long; every other length decodes exactly.
    """
    rest = total % MP3_FRAME
    return total + (MP3_FRAME_SLACK + 1 - rest) if 0 < rest <= MP3_FRAME_SLACK else total


def _reminders(step: Hold, voice: Voice, start: int, length: int, section: int,
               speak: Callable[[str, int, int, bool, int, Voice], tuple[list[Event], int]],
               warnings: list[str], guide: Guide, rate: int) -> list[Event]:
    assert step.remind_every is not None and step.remind is not None  # guarded by the caller
    out: list[Event] = []
    every = samples(step.remind_every, rate)
    last_start = start + length - samples(REMINDER_QUIET_END, rate)
    at = start + every
    free_from = start
    while at < last_start:
        events, end = speak(step.remind, section, step.where.line, True, at, voice)
        if end > start + length:
            warnings.append(f"{guide.path}:{step.where.line}: a reminder at {(at - start) / rate:.0f}s into the hold "
                            "would run past its end, so it is left out.")
        elif at < free_from:
            warnings.append(f"{guide.path}:{step.where.line}: a reminder at {(at - start) / rate:.0f}s into the hold "
                            "would start before the previous one ends, so it is left out.")
        else:
            out.extend(events)
            free_from = end
        at += every
    return out


def _flatten(guide: Guide) -> Iterator[tuple[str, Step, int]]:
    """Steps in playing order with repeats expanded, each tagged with its section index."""
    def walk(steps: tuple[Step, ...], section: int) -> Iterator[tuple[str, Step, int]]:
        for step in steps:
            if isinstance(step, Repeat):
                for _ in range(step.times):
                    yield from walk(step.steps, section)
            else:
                yield type(step).__name__.lower(), step, section

    for index, section in enumerate(guide.sections):
        yield from walk(section.steps, index)
