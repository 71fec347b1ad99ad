"""Where sound starts and stops, read from the samples to the millisecond.

Envelopes of 10 ms windows in 1 ms steps: the full band, where a track without a bed is
digitally silent between sounds (anything above :data:`SILENT_DB` is sound), and the band
above :data:`BED_HIGHPASS_HZ`, where a noise bed (brown, pink: its energy is low in pitch)
sits far below the consonants of speech. A soft edge (an "m" ending a line has little above
1 kHz) is placed up to about 0.1 s inside the word over a bed; without a bed, to a few ms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from scipy import ndimage, signal

from ..script import SILENT_DB

HOP: Final = 0.001
WINDOW: Final = 0.010
BED_HIGHPASS_HZ: Final = 1000.0
"""Where speech is told from a bed (a band below 1 kHz was tried: the bed's own swings there,
in 10 ms windows, read as sound)."""
BED_MARGIN_DB: Final = 10.0
"""Sound over a bed: this much above the bed's quietest level nearby (its 20th percentile).
The bed is ducked under speech by a few dB and rises again after it; the margin keeps that
rise from reading as sound."""
SUSTAIN: Final = 0.020
"""A sound must last this long to count as an onset (a single click of noise does not)."""


@dataclass(frozen=True)
class Envelope:
    full: np.ndarray
    high: np.ndarray
    """Levels in dBFS, one per :data:`HOP`, of windows centred on their step."""

    @classmethod
    def of(cls, samples: np.ndarray, rate: int) -> Envelope:
        hop = max(1, round(rate * HOP))
        window = max(1, round(rate * WINDOW))

        def levels(x: np.ndarray) -> np.ndarray:
            power = ndimage.uniform_filter1d(np.square(x, dtype=np.float32), window, mode="constant")[::hop]
            out: np.ndarray = 10 * np.log10(np.maximum(power, 1e-12))
            return out.astype(np.float32)

        sos = signal.butter(4, BED_HIGHPASS_HZ, "highpass", fs=rate, output="sos")
        return cls(levels(samples), levels(signal.sosfilt(sos, samples).astype(np.float32)))

    def __len__(self) -> int:
        return len(self.full)


@dataclass(frozen=True)
class Threshold:
    """How to tell sound from quiet in one stretch of the track."""

    levels: np.ndarray
    at: float
    bed: bool
    """The stretch has a bed under it (else it is digital silence between sounds)."""

    def loud(self) -> np.ndarray:
        """Per step: is there sound?"""
        out: np.ndarray = self.levels >= self.at
        return out


def threshold(env: Envelope, start: float, end: float) -> Threshold:
    """Judge the quiet between ``start`` and ``end`` (seconds): silence, or a bed to rise above."""
    a, b = _index(start, len(env)), _index(end, len(env))
    if b - a < 20:
        a, b = max(0, a - 20), min(len(env), b + 20)
    if float(np.percentile(env.full[a:b], 20)) < SILENT_DB:
        return Threshold(env.full, SILENT_DB, False)
    return Threshold(env.high, float(np.percentile(env.high[a:b], 20)) + BED_MARGIN_DB, True)


def _index(seconds: float, size: int) -> int:
    return min(max(0, round(seconds / HOP)), size)


def _quiet_near(limit: Threshold, start: float, end: float, need: float | None,
                latest: bool) -> tuple[int, int] | None:
    """One quiet (first and last-but-one step) overlapping ``start`` to ``end`` (seconds).

    With ``need``, the latest (or the earliest) quiet at least that long; with none that long,
    or no ``need``, the longest.
    """
    quiet = ~limit.loud()
    edges = np.diff(np.concatenate(([False], quiet, [False])).astype(np.int8))
    begins, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    a, b = _index(start, len(quiet)), _index(end, len(quiet))
    inside = (stops > a) & (begins < b)
    if not inside.any():
        return None
    long_enough = np.flatnonzero(inside & (stops - begins >= need / HOP)) if need else np.empty(0, int)
    if long_enough.size:
        pick = int(long_enough[-1] if latest else long_enough[0])
    else:
        pick = int(np.argmax(np.where(inside, stops - begins, -1)))
    return int(begins[pick]), int(stops[pick])


def sound_ends(limit: Threshold, start: float, end: float, need: float | None = None) -> float | None:
    """Where a quiet near ``start`` to ``end`` (seconds) begins: the end of the sound before it.

    The recogniser places the last word of a line only roughly, often stretching it into the
    quiet after it; the longest quiet near it is the pause that follows, wherever exactly the
    recogniser put the word. Where a longer quiet further on could be taken for it (the
    recogniser may also smear a word over seconds), ``need`` says how long the quiet that
    follows should be, and the first quiet that long is taken. ``None`` when there is no quiet there.
    """
    quiet = _quiet_near(limit, start, end, need, latest=False)
    return None if quiet is None else max(0.0, quiet[0] * HOP - WINDOW / 2)


def sound_begins(limit: Threshold, start: float, end: float, need: float | None = None) -> float | None:
    """Where a quiet near ``start`` to ``end`` (seconds) ends: the start of the sound after it.

    As :func:`sound_ends`, from the other side: with ``need``, the last quiet that long.
    """
    quiet = _quiet_near(limit, start, end, need, latest=True)
    return None if quiet is None else quiet[1] * HOP + WINDOW / 2


def sound_starts(limit: Threshold, after: float) -> float | None:
    """The first onset from ``after`` on (a sound lasting :data:`SUSTAIN`), or ``None``."""
    loud = limit.loud()
    need = max(1, round(SUSTAIN / HOP))
    i = _index(after, len(loud))
    part = loud[i:]
    if part.size < need:
        return None
    runs = np.convolve(part.astype(np.int32), np.ones(need, dtype=np.int32), "valid")
    hit = np.flatnonzero(runs == need)
    return (i + int(hit[0])) * HOP + WINDOW / 2 if hit.size else None


REFINE_WINDOW: Final = 0.4
"""Seconds at each edge of a quiet over a bed searched again with the bed's own measure."""
REFINE_INSET: Final = 0.05
"""Seconds inside each edge where the bed alone is measured."""
BED_PEAK_PERCENTILE: Final = 95
BED_PEAK_MARGIN_DB: Final = 3.0


def refine(limit: Threshold, start: float, end: float) -> tuple[float, float]:
    """Place the edges of a quiet over a bed again, against the bed as heard inside it.

    The first search needs a margin wide enough for the bed's rise after speech (it is ducked
    under speech), and so misses the faint last sound of a word: the burst of a final "p" or
    "t" after its closure. Inside the quiet, the bed's own loudest moments are known; anything
    louder near an edge is the word still going on (or already begun).
    """
    if not limit.bed or end - start < 2 * REFINE_WINDOW:
        return start, end
    a, b = _index(start, len(limit.levels)), _index(end, len(limit.levels))
    inset, edge = round(REFINE_INSET / HOP), round(REFINE_WINDOW / HOP)
    bed_peak = float(np.percentile(limit.levels[a + inset:b - inset], BED_PEAK_PERCENTILE)) + BED_PEAK_MARGIN_DB
    loud = Threshold(limit.levels, bed_peak, True).loud()
    head = np.flatnonzero(loud[a:a + edge])
    tail = np.flatnonzero(loud[b - edge:b])
    new_start = (a + int(head[-1]) + 1) * HOP - WINDOW / 2 if head.size else start
    new_end = (b - edge + int(tail[0])) * HOP + WINDOW / 2 if tail.size else end
    return (new_start, new_end) if new_end > new_start else (start, end)
