"""Guide -> Timeline: a pure function of the script and the lengths of its sounds.

Positions are integer samples at :data:`HOUSE_RATE`. Speech lengths come from a callback
(the speech cache, or an estimate when a sentence has not been spoken yet), so ``plan``
shows a timeline without making audio and the renderer re-plans with the real lengths.

Layout rules (documented in the README):
- the guide opens with :data:`LEAD_IN` of quiet;
- sentences of one ``say`` are separated by ``voice.sentence_pause``; a ``<break>`` replaces it;
- after a ``say``, ``voice.paragraph_pause`` follows when the next step is a ``say`` or ``cue``;
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
    sentences,
    split_breaks,
    spoken_form,
)
from .events import HOUSE_RATE, LEAD_IN, Chapter, Event, Timeline, samples

MP3_FRAME: Final = 1152
MP3_FRAME_SLACK: Final = 46
ESTIMATE_SECONDS_PER_CHAR: Final = 0.05
"""Speech length guess at rate 1.0, for sentences not yet in the cache (piper: ~0.049)."""

LengthOf = Callable[[str], "int | None"]


def estimate_length(spoken: str, rate: float) -> int:
    return samples(Fraction(len(spoken)) * Fraction(ESTIMATE_SECONDS_PER_CHAR).limit_denominator(1000) / Fraction(rate).limit_denominator(1000))


def spoken_sentences(guide: Guide) -> list[str]:
    """Every distinct sentence the guide speaks, in engine form: what synthesis must make."""
    seen: dict[str, None] = {}
    for _kind, _step, _section in _flatten(guide):
        texts = []
        if isinstance(_step, Say):
            texts.append(_step.text)
        elif isinstance(_step, Hold) and _step.remind:
            texts.append(_step.remind)
        for text in texts:
            for piece in split_breaks(text):
                if isinstance(piece, str):
                    for sentence in sentences(piece):
                        seen.setdefault(spoken_form(sentence, guide.lexicon))
    return list(seen)


def plan(guide: Guide, length_of: LengthOf | None = None, cue_length: Callable[[str], int] | None = None,
         rate: int = HOUSE_RATE) -> Timeline:
    """Lay the guide out on a timeline.

    ``length_of(spoken_sentence)`` gives a sentence's length in samples or ``None`` (then it is
    estimated); ``cue_length(name)`` gives a cue's length in samples.
    """
    length_of = length_of or (lambda _text: None)
    cue_length = cue_length or (lambda _name: samples(Fraction(2), rate))
    sentence_gap = samples(guide.voice.sentence_pause, rate)
    paragraph_gap = samples(guide.voice.paragraph_pause, rate)
    events: list[Event] = []
    warnings: list[str] = []
    section_starts: list[int] = []
    cursor = samples(LEAD_IN, rate)

    def speak(text: str, section: int, line: int, reminder: bool, at: int) -> tuple[list[Event], int]:
        """Events for one say/remind text starting at ``at``; returns them and the end."""
        out: list[Event] = []
        pos = at
        pieces = split_breaks(text)
        for index, piece in enumerate(pieces):
            if isinstance(piece, Fraction):
                out.append(Event("break", pos, samples(piece, rate), section, line=line, reminder=reminder))
                pos += out[-1].length
                continue
            said = sentences(piece)
            for s_index, sentence in enumerate(said):
                spoken = spoken_form(sentence, guide.lexicon)
                known = length_of(spoken)
                length = known if known is not None else estimate_length(spoken, guide.voice.rate)
                out.append(Event("speech", pos, length, section, sentence, spoken, reminder, known is None, line))
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
            spoken, cursor = speak(step.text, section, line, False, cursor)
            events.extend(spoken)
            following = next((later for _kind, later, _section in flat[index + 1:] if not _silent(later)), None)
            if isinstance(following, (Say, Cue)):
                events.append(Event("gap", cursor, paragraph_gap, section, line=line))
                cursor += paragraph_gap
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
                events.extend(_reminders(step, start, length, section, speak, warnings, guide, rate))
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
    return Timeline(rate, tuple(events), chapters, content_end, total, tuple(warnings))


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


def _reminders(step: Hold, start: int, length: int, section: int,
               speak: Callable[[str, int, int, bool, int], tuple[list[Event], int]],
               warnings: list[str], guide: Guide, rate: int) -> list[Event]:
    assert step.remind_every is not None and step.remind is not None  # guarded by the caller
    out: list[Event] = []
    every = samples(step.remind_every, rate)
    last_start = start + length - samples(REMINDER_QUIET_END, rate)
    at = start + every
    free_from = start
    while at < last_start:
        events, end = speak(step.remind, section, step.where.line, True, at)
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
