"""A mix's loudness from what is already known, without mixing it.

The loudness loop needs the mix's integrated loudness at a first gain, to aim the one encode
at the target. Mixing the whole guide once just to measure it cost a fifth of an encode. But
every part of the mix is known: each clip and cue (their K-weighted energy is a short filter
run each), the bed (one period of it, filtered as the loop it is), and the gains :func:`render`
gives them over time. Speech, cues and a noise bed do not correlate, so their energies add in
each 100 ms step of BS.1770's blocks, and its two gates run on the sums.

What is left out is small: the speech limiter's trim of the odd peak, and the filters' ringing
across a clip's edges. The MP3 as written is still measured, and made again if it missed.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Final

import numpy as np

from ..script import BUILTIN_BEDS, Sound
from ..timeline import Event, Timeline
from .bs1770 import BLOCK, HOPS_PER_BLOCK, gated_loudness, k_weighted
from .dsp import SPEECH_REF_LUFS, db
from .mix import BLOCK as MIX_BLOCK
from .mix import DUCK_BRIDGE, ClipSource, bed_gain, cue_level, duck_regions, fade_out_gain
from .shared import made_once
from .sounds import Bed, cue_sound

HOPS_PER_SECOND: Final = 10
ENERGY_GRAIN: Final = 10
"""Samples between the points at which a bed's running energy is kept."""
RINGING: Final = 0.25
"""Seconds of the K-weighting filters' response counted after each clip and cue ends."""
BED_CHUNK: Final = 10
"""Seconds of bed filtered at a time when its energy is worked out."""
GAIN_POINTS: Final = 90
"""Points per hop at which the bed's gain is taken: its ramps last half a second or more."""


def estimated_loudness(timeline: Timeline, clips: ClipSource, sound: Sound, gain_db: float = 0.0,
                       beds: Path | None = None) -> float:
    """Integrated loudness (LUFS) of ``render(timeline, clips, sound, gain_db)``, limiter aside
    (``beds``: where built-in beds are kept, as :func:`~.mix.render` takes it)."""
    rate = timeline.rate
    hop = rate // HOPS_PER_SECOND
    energy = np.zeros(-(-timeline.total // hop), dtype=np.float64)
    _add_sounds(energy, hop, timeline, clips)
    if sound.ambience != "none":
        _add_bed(energy, hop, timeline, sound, beds)
    _fade_out(energy, hop, timeline, sound)
    count = int(np.round((timeline.total / rate - BLOCK) * HOPS_PER_SECOND)) + 1
    if count < 1:
        return float("-inf")
    blocks = sum(energy[i:i + count] for i in range(HOPS_PER_BLOCK))
    return gated_loudness(np.asarray(blocks) * db(gain_db) ** 2 / (BLOCK * rate))


def _add_sounds(energy: np.ndarray, hop: int, timeline: Timeline, clips: ClipSource) -> None:
    """Each speech clip and cue, K-weighted once however often it is heard, into its hops."""
    heard: defaultdict[tuple[str, str, int], list[Event]] = defaultdict(list)
    for event in timeline.events:
        if event.kind == "speech":
            heard["speech", event.spoken, event.voice].append(event)
        elif event.kind == "cue":
            heard["cue", event.text, 0].append(event)
    for (kind, what, _voice), events in heard.items():
        if kind == "speech":
            clip, level = clips.get(what, timeline.voice_of(events[0])), 1.0
        else:
            clip, level = cue_sound(what), cue_level(what)
        if clip.size == 0:
            continue
        # with the filters' ringing after the clip: a clip that ends in low sound rings on into the gap
        ringing = int(RINGING * timeline.rate)
        weighted = k_weighted(np.concatenate([clip, np.zeros(ringing, clip.dtype)]), timeline.rate).astype(np.float64)
        running = np.concatenate(([0.0], np.cumsum(weighted * weighted)))
        for event in events:
            length = min(len(clip), event.length)
            if length <= 0:
                continue
            span = min(length + ringing, timeline.total - event.start)
            first, last = event.start // hop, (event.start + span - 1) // hop
            bounds = np.clip(np.arange(first, last + 2) * hop - event.start, 0, span)
            energy[first:last + 1] += np.diff(running[bounds]) * level * level


def _add_bed(energy: np.ndarray, hop: int, timeline: Timeline, sound: Sound, beds: Path | None) -> None:
    """The bed's energy in each hop: its period's, as it repeats, times the mean square of its gain there."""
    rate = timeline.rate
    running, size = _bed_energy(sound.ambience, rate, _file_state(sound.ambience), beds)
    edges = np.minimum(np.arange(len(energy) + 1) * hop, timeline.total)
    upto = (edges // size) * running[-1] + running[(edges % size) // ENERGY_GRAIN]  # energy from the start to each edge
    bed = np.diff(upto) * db(SPEECH_REF_LUFS + sound.ambience_level) ** 2
    regions = duck_regions(timeline.speech(), int(DUCK_BRIDGE * rate))
    step = hop // GAIN_POINTS
    for b0 in range(0, timeline.total, MIX_BLOCK):
        b1 = min(b0 + MIX_BLOCK, timeline.total)
        shape = bed_gain(b0, b1, sound, regions, rate, step)
        if shape is not None:
            _scale_hops(bed, hop // step, b0 // step, -(-(b1 - b0) // step) + b0 // step, shape)
    energy += bed


def _file_state(name: str) -> tuple[int, int] | None:
    """A user's bed file as it is now (a changed file is measured again); ``None`` for a built-in."""
    if name in BUILTIN_BEDS:
        return None
    stat = Path(name).stat()
    return stat.st_mtime_ns, stat.st_size


@made_once(2)
def _bed_energy(name: str, rate: int, _state: tuple[int, int] | None, beds: Path | None) -> tuple[np.ndarray, int]:
    """The bed's K-weighted energy from the start of its period to every :data:`ENERGY_GRAIN`-th
    sample, and the period's length: what any stretch of the endless bed holds, by subtraction.

    Filtered a few seconds at a time, each stretch led in by the bed just before it (the period's
    end, before its start: the filters' steady state), so that a three-minute bed of the
    producer's own costs a few MB here, not copies of itself; kept coarse, it costs kilobytes.
    """
    period = Bed(name, rate, beds).period
    size, lead = len(period), int(RINGING * rate)
    step = BED_CHUNK * rate // ENERGY_GRAIN * ENERGY_GRAIN
    grains: list[np.ndarray] = []
    for start in range(0, size, step):
        stop = min(size, start + step)
        before = np.take(period, np.arange(start - lead, start), mode="wrap")
        weighted = k_weighted(np.concatenate([before, period[start:stop]]), rate)[lead:]
        np.square(weighted, out=weighted)
        whole = len(weighted) // ENERGY_GRAIN * ENERGY_GRAIN
        grains.append(weighted[:whole].reshape(-1, ENERGY_GRAIN).sum(axis=1, dtype=np.float64))
        if whole < len(weighted):
            grains.append(np.array([weighted[whole:].sum(dtype=np.float64)]))
    running = np.concatenate(([0.0], np.cumsum(np.concatenate(grains))))
    return running, size


def _fade_out(energy: np.ndarray, hop: int, timeline: Timeline, sound: Sound) -> None:
    start = max(0, timeline.total - int(float(sound.fade_out) * timeline.rate))
    b0 = (start // hop) * hop
    shape = fade_out_gain(b0, timeline.total, sound, timeline.total, timeline.rate)
    if shape is not None:
        _scale_hops(energy, hop, b0, timeline.total, shape)


def _scale_hops(energy: np.ndarray, hop: int, b0: int, b1: int, shape: np.ndarray) -> None:
    """Scale the hops of points ``b0:b1`` (``b0`` on a hop edge; ``hop`` points each) by the mean
    square of ``shape``, the gain at those points, in each."""
    squared = shape.astype(np.float64) ** 2
    whole = (b1 - b0) // hop
    first = b0 // hop
    if whole:
        energy[first:first + whole] *= squared[: whole * hop].reshape(whole, hop).mean(axis=1)
    if (b1 - b0) % hop:
        energy[first + whole] *= squared[whole * hop:].mean()
