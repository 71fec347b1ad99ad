"""Timeline + clips + bed + cues -> one audio stream, produced block by block.

Each output block sums only the clips that overlap it, so the work is linear in the guide's
length and memory stays at a block plus the clips in play, however long the guide runs.
Nothing is built with repeated ``+`` on growing segments.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final, Iterator, Protocol

import numpy as np

from ..script import Sound, Voice
from ..timeline import Event, Timeline
from .dsp import SPEECH_REF_LUFS, db, limit, loudness
from .sounds import Bed, cue_sound

RECENT_CLIPS: Final = 8
"""Clips kept in memory for lines said again soon (a repeat's few lines). Two guides mix at once,
each with this many clips (and as many limited copies in the mixer): 16 cost about 22 MB more
at the build's peak."""

BLOCK: Final = 44_100 * 5
CUE_LEVEL: Final = -9.0
"""Cue loudness relative to the voice: clearly heard, never louder than the words."""
DUCK_ATTACK: Final = 0.5
DUCK_RELEASE: Final = 0.8
DUCK_BRIDGE: Final = 2.0
"""Speech separated by less than this keeps the bed ducked, so it does not pump between sentences."""


class ClipSource(Protocol):
    def get(self, spoken: str, voice: Voice | None = None) -> np.ndarray: ...


@dataclass(frozen=True)
class Region:
    """A stretch of speech the bed is ducked under (lines less than :data:`DUCK_BRIDGE` apart are one)."""

    start: int
    end: int


def render(timeline: Timeline, clips: ClipSource, sound: Sound, gain_db: float = 0.0,
           block: int = BLOCK, ceiling_db: float | None = None, beds: Path | None = None) -> Iterator[np.ndarray]:
    """Yield consecutive float32 blocks covering ``timeline.total`` samples exactly.

    ``ceiling_db`` (dBFS, after ``gain_db``) runs each speech clip through the true-peak
    limiter first, so raising the guide to its loudness target never clips a word. ``beds``
    is the folder where a built-in bed is kept once made (:class:`~.sounds.Bed`).
    """
    rate = timeline.rate
    audible = [e for e in timeline.events if e.kind in ("speech", "cue")]
    bed = Bed(sound.ambience, rate, beds) if sound.ambience != "none" else None
    bed_level = db(SPEECH_REF_LUFS + sound.ambience_level)
    regions = duck_regions(timeline.speech(), int(DUCK_BRIDGE * rate))
    gain = np.float32(db(gain_db))
    limited: OrderedDict[tuple[str, int], np.ndarray] = OrderedDict()

    def speech_clip(event: Event) -> np.ndarray:
        voice = timeline.voice_of(event)
        if ceiling_db is None:
            return clips.get(event.spoken, voice)
        key = (event.spoken, event.voice)
        if key not in limited:
            limited[key] = limit(clips.get(event.spoken, voice), ceiling_db - gain_db, rate)
            if len(limited) > RECENT_CLIPS:
                limited.popitem(last=False)
        return limited[key]
    pending = 0
    active: list[Event] = []

    for b0 in range(0, timeline.total, block):
        b1 = min(b0 + block, timeline.total)
        out = np.zeros(b1 - b0, dtype=np.float32)
        while pending < len(audible) and audible[pending].start < b1:
            active.append(audible[pending])
            pending += 1
        active = [e for e in active if e.end > b0]
        for event in active:
            if event.kind == "speech":
                clip = speech_clip(event)
                level = 1.0
            else:
                clip = cue_sound(event.text)
                level = cue_level(event.text)
            clip = clip[: event.length]
            lo, hi = max(b0, event.start), min(b1, event.start + len(clip))
            if hi > lo:
                out[lo - b0:hi - b0] += clip[lo - event.start:hi - event.start] * np.float32(level)
        if bed is not None:
            bed_block = bed.read(b1 - b0) * np.float32(bed_level)
            shape = bed_gain(b0, b1, sound, regions, rate)
            if shape is not None:
                bed_block *= shape
            out += bed_block
        closing = fade_out_gain(b0, b1, sound, timeline.total, rate)
        if closing is not None:
            out *= closing
        out *= gain
        yield out


@lru_cache(maxsize=8)
def cue_level(name: str) -> float:
    """The gain that puts cue ``name`` :data:`CUE_LEVEL` under the voice."""
    return db(SPEECH_REF_LUFS + CUE_LEVEL - loudness(cue_sound(name)))


def bed_gain(b0: int, b1: int, sound: Sound, regions: list[Region], rate: int, step: int = 1) -> np.ndarray | None:
    """The bed's gain over samples ``b0:b1`` (every ``step``-th), ducked under speech and faded
    in; ``None`` when it is 1 throughout."""
    t = np.arange(b0, b1, step)
    shape = duck_gain(t, regions, sound.duck, rate, step)
    fade_in = int(float(sound.fade_in) * rate)
    if fade_in > 0 and b0 < fade_in:
        rising = rise(np.minimum(t / fade_in, 1.0))
        shape = rising if shape is None else shape * rising
    return shape


def fade_out_gain(b0: int, b1: int, sound: Sound, total: int, rate: int) -> np.ndarray | None:
    """The whole mix's gain over samples ``b0:b1`` for the closing fade; ``None`` before it starts."""
    fade_out = min(total, int(float(sound.fade_out) * rate))
    if fade_out <= 0 or b1 <= total - fade_out:
        return None
    return rise(np.clip((total - np.arange(b0, b1)) / fade_out, 0.0, 1.0))


def render_all(timeline: Timeline, clips: ClipSource, sound: Sound, gain_db: float = 0.0) -> np.ndarray:
    """The whole mix in memory: for tests and short guides."""
    return np.concatenate(list(render(timeline, clips, sound, gain_db)) or [np.zeros(0, np.float32)])


def rise(x: np.ndarray) -> np.ndarray:
    """Raised-cosine 0->1: smooth at both ends, so fades never click."""
    return (0.5 - 0.5 * np.cos(np.pi * x)).astype(np.float32)


def duck_regions(speech: list[Event], bridge: int) -> list[Region]:
    regions: list[Region] = []
    for event in sorted(speech, key=lambda e: e.start):
        if regions and event.start - regions[-1].end < bridge:
            regions[-1] = Region(regions[-1].start, max(regions[-1].end, event.end))
        else:
            regions.append(Region(event.start, event.end))
    return regions


def duck_gain(t: np.ndarray, regions: list[Region], duck_db: float, rate: int, step: int = 1) -> np.ndarray | None:
    """Bed gain at sample times ``t`` (every ``step``-th sample of a block): ``-duck_db`` under
    speech, with smooth ramps either side.

    Only regions that touch the block are visited (found by bisection), so the cost per block
    does not grow with the guide. ``None`` means no ducking in this block.
    """
    if duck_db <= 0 or not regions:
        return None
    attack, release = int(DUCK_ATTACK * rate), int(DUCK_RELEASE * rate)
    lo, hi = int(t[0]), int(t[-1]) + 1
    first = bisect.bisect_left(regions, lo - release, key=lambda r: r.end)
    depth: np.ndarray | None = None
    for region in regions[first:]:
        if region.start - attack >= hi:
            break
        a, b = max(lo, region.start - attack), min(hi, region.end + release)
        if b <= a:
            continue
        i0, i1 = -(-(a - lo) // step), -(-(b - lo) // step)  # the points of t within [a, b)
        tt = lo + np.arange(i0, i1, dtype=np.float64) * step
        before = np.clip((tt - (region.start - attack)) / attack, 0.0, 1.0)
        after = np.clip(((region.end + release) - tt) / release, 0.0, 1.0)
        if depth is None:
            depth = np.zeros(len(t), dtype=np.float32)
        depth[i0:i1] = np.maximum(depth[i0:i1], rise(np.minimum(before, after)))
    if depth is None:
        return None
    return (10 ** (-duck_db * depth / 20)).astype(np.float32)
