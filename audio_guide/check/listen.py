"""Listen to one built guide and compare it with its script: words, timings, pace, loudness.

The MP3 is decoded as published (whatever happened to it after the build), and the plan of
the script says only what should come in what order. The recogniser finds the words and
roughly when; the samples say to the millisecond where the sound before a hold ends and the
sound after it (its cue, the next words) begins.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import numpy as np

from ..audio import cue_length, measure_file
from ..media import decode_pcm
from ..script import Guide, spoken_form
from ..timeline import Event, Timeline, plan
from . import hear as recogniser
from .levels import Envelope, refine, sound_begins, sound_ends, sound_starts, threshold
from .report import (
    GuideCheck,
    LoudnessCheck,
    PaceCheck,
    SentenceCheck,
    TimingCheck,
    Tolerances,
    WordSlip,
)
from .words import FUNCTION_WORDS, align, inflected, tokens

TIMED = ("hold", "pause", "break")
SOUNDS = ("speech", "cue")
"""What is heard in a track, besides the bed: a timed quiet runs from one to the next."""
SLACK = 0.5
"""Seconds the recogniser may place a word away from where its sound is."""
EDGE_REGION = 3.0
"""Seconds either side of a section's first or last word where its quiet is judged (bed or silence)."""
EDGE_QUIET = 0.6
"""How much of the planned quiet before a section (or after it) must be found to count as that quiet."""
EDGE_QUIET_MAX = 1.0
"""Seconds of quiet that no line has inside it (a comma's pause is well under)."""

Progress = Callable[[str], None]


@dataclass
class _Said:
    """One sentence of the plan, with the heard words lined up to it."""

    event: Event
    words: list[str]
    heard: list[int]
    """Per script word: the index of the heard word that stands for it, or -1."""
    slips: list[WordSlip]
    slipped: list[int] = field(default_factory=list)
    """Per slip: the index of its script word."""


def check_guide(guide: Guide, mp3: Path, tolerances: Tolerances | None = None,
                progress: Progress | None = None) -> GuideCheck:
    """Everything ``check`` reports about one guide's MP3."""
    tolerances = tolerances or Tolerances()
    say = progress or (lambda _message: None)
    timeline = plan(guide, None, cue_length)
    measured = measure_file(mp3)
    loudness = LoudnessCheck(measured.integrated, measured.true_peak, guide.sound.loudness,
                             abs(measured.integrated - guide.sound.loudness) <= tolerances.loudness
                             and measured.true_peak <= tolerances.true_peak)
    samples = np.frombuffer(decode_pcm(mp3, recogniser.RATE, what=f"decoding {mp3}"), dtype="<f4")
    duration = len(samples) / recogniser.RATE
    base = dict(slug=guide.slug, script=str(guide.path), mp3=str(mp3), duration=duration, tolerances=tolerances,
                loudness=loudness)
    if recogniser.english_only() and guide.language.split("-")[0].lower() != "en":
        return GuideCheck(**base, words_checked=False, notes=(  # type: ignore[arg-type]
            f"the recogniser hears English only, and this guide is in '{guide.language}': words, timings and "
            f"pace were not checked; set {recogniser.MODEL_ENV} to a multilingual faster-whisper model.",))
    say(f"listening to {mp3.name} ({duration / 60:.0f} min)")
    heard = recogniser.hear(samples, guide.language)
    said = _line_up(timeline, heard, guide.language)
    _listen_again(said, heard, samples, guide.language, timeline.rate)
    say(f"measuring the pauses in {mp3.name}")
    envelope = Envelope.of(samples, recogniser.RATE)
    timings = _timings(timeline, said, heard, envelope, tolerances)
    sentences = tuple(
        SentenceCheck(s.event.text, s.event.section, s.event.line, _first_heard(s, heard),
                      " ".join(heard[i].text for i in sorted({h for h in s.heard if h >= 0})), tuple(s.slips),
                      s.event.reminder)
        for s in said)
    return GuideCheck(**base, sentences=sentences, timings=tuple(timings),  # type: ignore[arg-type]
                      pace=tuple(_pace(guide, timeline, said, heard, timings, envelope, tolerances)))


def _line_up(timeline: Timeline, heard: list[recogniser.HeardWord], language: str) -> list[_Said]:
    """Align every script word with what was heard, and note each one missed or heard as another."""
    script: list[str] = []
    owner: list[int] = []
    said: list[_Said] = []
    for event in timeline.speech():
        words = tokens(spoken_form(event.text, language=language), language)
        said.append(_Said(event, words, [-1] * len(words), []))
        script.extend(words)
        owner.extend([len(said) - 1] * len(words))
    heard_tokens: list[str] = []
    heard_owner: list[int] = []
    for index, heard_word in enumerate(heard):
        parts = tokens(heard_word.text, language)
        heard_tokens.extend(parts)
        heard_owner.extend([index] * len(parts))
    first_word = [0] * len(said)
    for k in range(len(script) - 1, -1, -1):
        first_word[owner[k]] = k
    last_time = 0.0
    for pair in align(script, heard_tokens):
        sentence = said[owner[pair.word]]
        position = pair.word - first_word[owner[pair.word]]
        found = [heard_owner[t] for t in pair.heard]
        if found:
            sentence.heard[position] = found[0]
            last_time = heard[found[-1]].end
        if not pair.exact:
            word = sentence.words[position]
            heard_as = " ".join(heard_tokens[t] for t in pair.heard)
            sentence.slips.append(WordSlip(word, heard_as,
                                           round(heard[found[0]].start if found else last_time, 2),
                                           word not in FUNCTION_WORDS and not inflected(word, heard_as)))
            sentence.slipped.append(position)
    return said


AGAIN_MARGIN = 1.0
"""Seconds of the track either side of a sentence's heard words listened to again with it."""


def _listen_again(said: list[_Said], heard: list[recogniser.HeardWord], samples: np.ndarray, language: str,
                  rate: int) -> None:
    """Listen once more to each sentence with a content word heard wrong, alone, and note what was heard.

    Whisper guesses a word partly from the words around it; heard in a stretch of several
    lines, a word said plainly is now and then taken for another ("leg" as "light" in one take,
    never in the next). A word heard wrong twice, in context and alone, is the voice's doing.
    """
    duration = len(samples) / recogniser.RATE
    for index, sentence in enumerate(said):
        if not any(slip.content for slip in sentence.slips):
            continue
        found = [heard[h] for h in sentence.heard if h >= 0]
        before = next((w.end for s in reversed(said[:index]) if (w := _last_word(s, heard)) is not None), 0.0)
        after = next((heard[h].start for s in said[index + 1:] for h in s.heard if h >= 0), duration)
        if found:
            start, end = max(before, found[0].start - AGAIN_MARGIN), min(after, found[-1].end + AGAIN_MARGIN)
        else:  # nothing of it heard: it lies next to whichever neighbour the plan puts it closer to
            start, end = _beside(said, index, before, after, rate)
        if not 0 < end - start <= recogniser.GROUP_MAX:
            continue
        again = [t for w in recogniser.hear_span(samples, start, end, language) for t in tokens(w.text, language)]
        pairs = {p.word: p for p in align(sentence.words, again)}
        sentence.slips = [
            _again(slip, " ".join(again[t] for t in pairs[k].heard), pairs[k].exact) if slip.content else slip
            for slip, k in zip(sentence.slips, sentence.slipped)]


def _beside(said: list[_Said], index: int, before: float, after: float, rate: int) -> tuple[float, float]:
    """Where a sentence of which no word was heard must be, between the words heard around it.

    A hold or pause lies on one side of it: the sentence sits against the other side, and
    lasts about as long as the plan says (``rate``: the plan's samples a second).
    """
    event = said[index].event
    reach = (event.end - event.start) / rate + 2 * AGAIN_MARGIN
    quiet_before = (event.start - (said[index - 1].event.end if index > 0 else 0)) / rate
    quiet_after = ((said[index + 1].event.start if index + 1 < len(said) else event.end) - event.end) / rate
    if quiet_before > quiet_after:
        end = after - quiet_after + AGAIN_MARGIN
        return max(before, end - reach), min(after, end)
    start = before + quiet_before - AGAIN_MARGIN
    return max(before, start), min(after, start + reach)


def _again(slip: WordSlip, heard_as: str, exact: bool) -> WordSlip:
    return replace(slip, again=heard_as, confirmed=not exact and not inflected(slip.word, heard_as))


def _first_heard(said: _Said, heard: list[recogniser.HeardWord]) -> float | None:
    found = [h for h in said.heard if h >= 0]
    return round(heard[found[0]].start, 2) if found else None


def _last_word(said: _Said, heard: list[recogniser.HeardWord]) -> recogniser.HeardWord | None:
    found = [h for h in said.heard if h >= 0]
    return heard[found[-1]] if found else None


def _timings(timeline: Timeline, said: list[_Said], heard: list[recogniser.HeardWord], envelope: Envelope,
             tolerances: Tolerances) -> list[TimingCheck]:
    """Every hold, pause and break: from the end of the sound before it to the start of the one after."""
    by_event = {id(s.event): s for s in said}
    sounds = [e for e in timeline.events if e.kind in SOUNDS]
    cue_onsets: dict[int, float] = {}
    out: list[TimingCheck] = []
    for event in timeline.events:
        if event.kind not in TIMED:
            continue
        before = next((e for e in reversed(sounds) if e.end <= event.start), None)
        after = next((e for e in sounds if e.start >= event.end), None)
        inside = [e for e in sounds if event.kind == "hold" and e.reminder and event.start <= e.start < event.end]
        expected = ((after.start if after else timeline.content_end) - (before.end if before else 0)) / timeline.rate

        def timing(measured: float | None, at: float | None, bed: bool, note: str = "",
                   event: Event = event, expected: float = expected) -> TimingCheck:
            limit = tolerances.timing_bed if bed else tolerances.timing
            ok = measured is not None and abs(measured - expected) <= limit
            return TimingCheck(event.kind, event.section, event.line, None if at is None else round(at, 3),
                               round(expected, 3), None if measured is None else round(measured, 3), bed, ok, note)

        end = _sound_end(before, by_event, heard, cue_onsets, timeline.rate)
        if end is None:
            out.append(timing(None, None, False, "the sound before it was not heard"))
            continue
        # the quiet is judged over as long as the pause itself: the recogniser may end a line's
        # last word early, and a window that short of the pause would be the word's tail, not the bed
        limit = threshold(envelope, end[1] + 0.3, end[1] + 0.3 + max(0.3, min(expected, 5.0)))
        start = sound_ends(limit, *end)
        if start is None:
            out.append(timing(None, None, limit.bed, "no quiet was found after the sound before it"))
            continue
        search = start
        for reminder in inside:  # the hold runs on under its reminders: look for its end after the last
            last = _last_word(by_event[id(reminder)], heard) if id(reminder) in by_event else None
            after_reminder = sound_ends(limit, last.start - SLACK, last.end + SLACK) if last is not None else None
            if after_reminder is not None:
                search = max(search, after_reminder)
        onset = sound_starts(limit, search)
        if after is not None and after.kind == "cue" and onset is not None:
            cue_onsets[id(after)] = onset
        if onset is not None and not inside:
            start, onset = refine(limit, start, onset)
        out.append(timing(None if onset is None else onset - start, start, limit.bed,
                          "" if onset is not None else "no sound after it was found"))
    return out


def _sound_end(before: Event | None, by_event: dict[int, _Said], heard: list[recogniser.HeardWord],
               cue_onsets: dict[int, float], rate: int) -> tuple[float, float] | None:
    """Where the sound before a quiet ends, roughly: the window to look for the quiet in (seconds)."""
    if before is None:
        return (0.0, SLACK)
    if before.kind == "cue":
        onset = cue_onsets.get(id(before))
        if onset is None:
            return None
        end = onset + before.length / rate
        return (end - SLACK, end + SLACK)
    said = by_event.get(id(before))
    last = _last_word(said, heard) if said is not None else None
    if last is None:
        return None
    return (last.start - SLACK, last.end + SLACK)


def _pace(guide: Guide, timeline: Timeline, said: list[_Said], heard: list[recogniser.HeardWord],
          timings: list[TimingCheck], envelope: Envelope, tolerances: Tolerances) -> list[PaceCheck]:
    """Words a minute per section: its first word to its last, less its holds, pauses, breaks and cues.

    The recogniser says roughly where the first and last words are (it may even hang a stray
    word on the quiet before them); the samples say where their sound begins and ends.
    """
    out: list[PaceCheck] = []
    low, high = tolerances.pace
    timed = [e for e in timeline.events if e.kind in TIMED]  # in the order of ``timings``
    for index, section in enumerate(guide.sections):
        spoken = [s for s in said if s.event.section == index and not s.event.reminder]
        firsts = [_first_heard(s, heard) for s in spoken]
        lasts = [_last_word(s, heard) for s in spoken]
        begin = next((t for t in firsts if t is not None), None)
        finish = next((w.end for w in reversed(lasts) if w is not None), None)
        if begin is None or finish is None or finish <= begin:
            continue
        # anchor on words heard exactly (a stray word on the quiet before a line is not its start)
        sure = [heard[s.heard[k]] for s in spoken for k, h in enumerate(s.heard) if h >= 0 and s.words[k] not in
                {slip.word for slip in s.slips}]
        if sure:
            before, after = _quiet_around(timeline, spoken[0].event, spoken[-1].event)
            opened = sound_begins(threshold(envelope, sure[0].start - EDGE_REGION, sure[0].start + EDGE_REGION),
                                  sure[0].start - EDGE_REGION, sure[0].start + SLACK / 2, _need(before))
            closed = sound_ends(threshold(envelope, sure[-1].end - EDGE_REGION, sure[-1].end + EDGE_REGION),
                                sure[-1].end - SLACK / 2, sure[-1].end + EDGE_REGION, _need(after))
            if opened is not None and closed is not None and closed > opened:
                begin, finish = opened, closed
        first, last = spoken[0].event.start, spoken[-1].event.end
        # the holds, pauses and breaks between the section's first line and its last, chosen by
        # the plan (one measured where the section ends is not inside it)
        quiet = sum((t.measured if t.measured is not None else t.expected) for e, t in zip(timed, timings)
                    if first <= e.start < last)
        cues = sum(e.length for e in timeline.events if e.kind == "cue" and first <= e.start < last) / timeline.rate
        seconds = max(1e-6, finish - begin - quiet - cues)
        words = sum(len(s.words) for s in spoken)
        wpm = words / (seconds / 60)
        judged = words >= tolerances.pace_min_words
        out.append(PaceCheck(index, section.title, words, round(seconds, 2), round(wpm, 1), judged,
                             not judged or low <= wpm <= high))
    return out


def _quiet_around(timeline: Timeline, first: Event, last: Event) -> tuple[float, float]:
    """Seconds of quiet the plan puts before ``first`` and after ``last``: to the sounds either side."""
    sounds = [e for e in timeline.events if e.kind in SOUNDS]
    before = max((e.end for e in sounds if e.end <= first.start), default=0)
    after = min((e.start for e in sounds if e.start >= last.end), default=timeline.content_end)
    return (first.start - before) / timeline.rate, (after - last.end) / timeline.rate


def _need(planned: float) -> float:
    """How long a quiet must be to be the one the plan puts at a section's edge.

    The recogniser may smear a word over seconds (it once put "now" 2 s before its sound); the
    quiet near it that is longest can then be the one before the line before, not the one
    before this line.
    """
    return min(EDGE_QUIET * planned, EDGE_QUIET_MAX)
