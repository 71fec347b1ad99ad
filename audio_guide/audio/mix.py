"""Timeline + clips + bed + cues -> one audio stream, produced block by block.

Each output block sums only the clips that overlap it, so the work is linear in the guide's
length and memory stays at a block plus the clips in play, however long the guide runs.
Nothing is built with repeated ``+`` on growing segments.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from dataclasses import dataclass
from typing import Final, Iterator, Protocol

import numpy as np

from ..script import Sound, Voice
from ..timeline import Event, Timeline
from .dsp import SPEECH_REF_LUFS, db, limit, loudness
from .sounds import Bed, cue_sound

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
class _Region:
    start: int
    end: int


def render(timeline: Timeline, clips: ClipSource, sound: Sound, gain_db: float = 0.0,
           block: int = BLOCK, ceiling_db: float | None = None) -> Iterator[np.ndarray]:
    """Yield consecutive float32 blocks covering ``timeline.total`` samples exactly.

    ``ceiling_db`` (dBFS, after ``gain_db``) runs each speech clip through the true-peak
    limiter first, so raising the guide to its loudness target never clips a word.
    """
    rate = timeline.rate
    audible = [e for e in timeline.events if e.kind in ("speech", "cue")]
    bed = Bed(sound.ambience, rate) if sound.ambience != "none" else None
    bed_gain = db(SPEECH_REF_LUFS + sound.ambience_level)
    regions = _duck_regions(timeline.speech(), int(DUCK_BRIDGE * rate))
    fade_in = int(float(sound.fade_in) * rate)
    fade_out = min(timeline.total, int(float(sound.fade_out) * rate))
    gain = np.float32(db(gain_db))
    cue_gain: dict[str, float] = {}
    limited: OrderedDict[tuple[str, int], np.ndarray] = OrderedDict()

    def speech_clip(event: Event) -> np.ndarray:
        voice = timeline.voice_of(event)
        if ceiling_db is None:
            return clips.get(event.spoken, voice)
        key = (event.spoken, event.voice)
        if key not in limited:
            limited[key] = limit(clips.get(event.spoken, voice), ceiling_db - gain_db, rate)
            if len(limited) > 16:
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
                if event.text not in cue_gain:
                    cue_gain[event.text] = db(SPEECH_REF_LUFS + CUE_LEVEL - loudness(clip))
                level = cue_gain[event.text]
            clip = clip[: event.length]
            lo, hi = max(b0, event.start), min(b1, event.start + len(clip))
            if hi > lo:
                out[lo - b0:hi - b0] += clip[lo - event.start:hi - event.start] * np.float32(level)
        if bed is not None:
            bed_block = bed.read(b1 - b0) * np.float32(bed_gain)
            t = np.arange(b0, b1)
            duck = _duck_gain(t, regions, sound.duck, rate)
            if duck is not None:
                bed_block *= duck
            if fade_in > 0 and b0 < fade_in:
                bed_block *= _rise(np.minimum(t / fade_in, 1.0))
            out += bed_block
        if fade_out > 0 and b1 > timeline.total - fade_out:
            t = np.arange(b0, b1)
            out *= _rise(np.clip((timeline.total - t) / fade_out, 0.0, 1.0))
        out *= gain
        yield out


def render_all(timeline: Timeline, clips: ClipSource, sound: Sound, gain_db: float = 0.0) -> np.ndarray:
    """The whole mix in memory: for tests and short guides."""
    return np.concatenate(list(render(timeline, clips, sound, gain_db)) or [np.zeros(0, np.float32)])


def _rise(x: np.ndarray) -> np.ndarray:
    """Raised-cosine 0->1: smooth at both ends, so fades never click."""
    return (0.5 - 0.5 * np.cos(np.pi * x)).astype(np.float32)


def _duck_regions(speech: list[Event], bridge: int) -> list[_Region]:
    regions: list[_Region] = []
    for event in sorted(speech, key=lambda e: e.start):
        if regions and event.start - regions[-1].end < bridge:
            regions[-1] = _Region(regions[-1].start, max(regions[-1].end, event.end))
        else:
            regions.append(_Region(event.start, event.end))
    return regions


def _duck_gain(t: np.ndarray, regions: list[_Region], duck_db: float, rate: int) -> np.ndarray | None:
    """Bed gain for sample times ``t``: ``-duck_db`` under speech, with smooth ramps either side.

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
        tt = np.arange(a, b, dtype=np.float64)
        before = np.clip((tt - (region.start - attack)) / attack, 0.0, 1.0)
        after = np.clip(((region.end + release) - tt) / release, 0.0, 1.0)
        if depth is None:
            depth = np.zeros(hi - lo, dtype=np.float32)
        depth[a - lo:b - lo] = np.maximum(depth[a - lo:b - lo], _rise(np.minimum(before, after)))
    if depth is None:
        return None
    return (10 ** (-duck_db * depth / 20)).astype(np.float32)
