"""What ``check`` found in one guide, its verdict, and the report as plain data for ``--json``.

Every figure is kept with the tolerance it was judged against, so a podcast's own CI can read
the JSON without knowing this tool's defaults.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Final

DEFAULT_PACE: Final = (100.0, 130.0)


@dataclass(frozen=True)
class Tolerances:
    """How far a guide may be from its script and still pass. The defaults are documented in the README."""

    timing: float = 0.05
    """Seconds a hold, pause or break may be off where the track is silent around it."""
    timing_bed: float = 0.3
    """The same over a bed: the fading tail of a line's last word (a soft "m", the release of a
    final "t") sinks under the bed up to a quarter of a second before the speech itself ends."""
    loudness: float = 1.0
    """LU the integrated loudness may be off the script's target."""
    true_peak: float = -1.0
    """dBTP the true peak may not exceed."""
    pace: tuple[float, float] = DEFAULT_PACE
    """Words a minute a section may take, sentence gaps counted, timed pauses not."""
    pace_min_words: int = 20
    """Sections with fewer words are measured but not judged: a minute is too few words to mean much."""
    content_words: int = 0
    """Content words that may be missed or misheard (slips on short function words never fail)."""


@dataclass(frozen=True)
class WordSlip:
    word: str
    heard: str
    """What was heard in its place; empty when nothing was."""
    at: float
    content: bool
    """A content word: not a short function word, nor the word with another ending ("lets" for
    "let"), which a small recogniser drops or swaps without the meaning changing."""
    again: str | None = None
    """What a second listen, to its sentence alone, heard for it ("" nothing); ``None`` when it
    was not listened to again (only content words are)."""
    confirmed: bool = True
    """Heard wrong the second time too. A content word heard right when its sentence is heard
    alone was the recogniser guessing from the lines around it, not the voice: it is listed but
    not counted."""

    @property
    def counts(self) -> bool:
        """Counts against the guide."""
        return self.content and self.confirmed


@dataclass(frozen=True)
class SentenceCheck:
    text: str
    section: int
    line: int | None
    at: float | None
    """When its first word was heard; ``None`` when no word of it was."""
    heard: str
    slips: tuple[WordSlip, ...]
    reminder: bool = False


@dataclass(frozen=True)
class TimingCheck:
    kind: str
    """hold, pause or break."""
    section: int
    line: int | None
    at: float | None
    """Where the quiet begins (the end of the sound before it), as heard."""
    expected: float
    measured: float | None
    bed: bool
    """Measured over a bed (else as the silence in the samples)."""
    ok: bool
    note: str = ""


@dataclass(frozen=True)
class PaceCheck:
    section: int
    title: str
    words: int
    seconds: float
    """Speaking time: from its first word to its last, without holds, pauses, breaks and cues."""
    wpm: float
    judged: bool
    ok: bool


@dataclass(frozen=True)
class LoudnessCheck:
    integrated: float
    true_peak: float
    target: float
    ok: bool


@dataclass(frozen=True)
class GuideCheck:
    slug: str
    script: str
    mp3: str
    duration: float
    tolerances: Tolerances
    loudness: LoudnessCheck
    sentences: tuple[SentenceCheck, ...] = ()
    timings: tuple[TimingCheck, ...] = ()
    pace: tuple[PaceCheck, ...] = ()
    words_checked: bool = True
    notes: tuple[str, ...] = field(default=())

    @property
    def slips(self) -> list[WordSlip]:
        return [slip for s in self.sentences for slip in s.slips]

    @property
    def content_slips(self) -> list[WordSlip]:
        return [slip for slip in self.slips if slip.counts]

    @property
    def words_ok(self) -> bool:
        return len(self.content_slips) <= self.tolerances.content_words

    @property
    def timings_ok(self) -> bool:
        return all(t.ok for t in self.timings)

    @property
    def pace_ok(self) -> bool:
        return all(p.ok for p in self.pace)

    @property
    def ok(self) -> bool:
        return self.words_ok and self.timings_ok and self.pace_ok and self.loudness.ok

    def problems(self) -> list[str]:
        """One line per thing out of tolerance, each with the time to jump to."""
        out = [] if self.words_ok else [
            f"{clock(s.at)}  {'misheard' if s.heard else 'missed'} '{s.word}'"
            + (f" (heard '{s.heard}')" if s.heard else "") for s in self.content_slips]
        for t in self.timings:
            if not t.ok:
                measured = f"{t.measured:.2f}s" if t.measured is not None else "not measured"
                out.append(f"{clock(t.at)}  {t.kind} at line {t.line}: {measured}, the script says {t.expected:.2f}s"
                           + (f" ({t.note})" if t.note else ""))
        for p in self.pace:
            if not p.ok:
                low, high = self.tolerances.pace
                out.append(f"section {p.section + 1} '{p.title}': {p.wpm:.0f} words a minute, "
                           f"expected {low:g} to {high:g}")
        if not self.loudness.ok:
            out.append(f"loudness {self.loudness.integrated:.1f} LUFS (target {self.loudness.target:g} "
                       f"± {self.tolerances.loudness:g}), true peak {self.loudness.true_peak:.1f} dBTP "
                       f"(at most {self.tolerances.true_peak:g})")
        return out

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["ok"] = self.ok
        data["verdict"] = {"words": self.words_ok, "timings": self.timings_ok, "pace": self.pace_ok,
                           "loudness": self.loudness.ok}
        return data


def clock(seconds: float | None) -> str:
    """m:ss (h:mm:ss past an hour): what a player's position shows, to jump there."""
    if seconds is None:
        return "-:--"
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"
