"""Cues and ambience beds, synthesized by the project or read from the user's files.

Everything is made at the house rate from a fixed seed, so a rebuild sounds the same. Beds
are generators of consecutive blocks: they can run under a guide of any length without ever
holding it whole in memory, and a synthetic bed never repeats, so it has no seam.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Final, Iterator

import numpy as np
from scipy import signal

from .errors import ExportError
from .ffmpeg import decode
from .model import BUILTIN_BEDS, BUILTIN_CUES, HOUSE_RATE

SEED: Final = 20261126
LOOP_CROSSFADE: Final = 2.0
"""Seconds of equal-power crossfade where a user's bed file loops back to its start."""

_CUE_PARTIALS: Final = {
    # (fundamental Hz, [(ratio, relative amplitude, decay seconds)], length s)
    "bell": (440.0, [(1.0, 1.0, 1.6), (2.0, 0.35, 0.9), (2.76, 0.18, 0.6), (5.4, 0.05, 0.3)], 3.0),
    "chime": (880.0, [(1.0, 1.0, 1.1), (2.4, 0.3, 0.5), (4.1, 0.1, 0.25)], 2.2),
    "bowl": (196.0, [(1.0, 1.0, 3.5), (1.007, 0.8, 3.5), (2.82, 0.4, 2.2), (5.4, 0.12, 1.2)], 5.0),
}


@lru_cache(maxsize=16)
def cue_sound(name: str) -> np.ndarray:
    """A cue at the house rate, peak-normalized to 1.0 (the mixer sets its level).

    Built-ins are struck tones of a few inharmonic partials with a soft 15 ms attack:
    no transient to startle a half-asleep listener.
    """
    if name in BUILTIN_CUES:
        fundamental, partials, seconds = _CUE_PARTIALS[name]
        t = np.arange(int(seconds * HOUSE_RATE)) / HOUSE_RATE
        tone = sum(amp * np.exp(-t / decay) * np.sin(2 * np.pi * fundamental * ratio * t)
                   for ratio, amp, decay in partials)
        attack = np.minimum(1.0, t / 0.015)
        release = np.minimum(1.0, (seconds - t) / 0.3)
        out = np.asarray(tone * attack * release, dtype=np.float32)
    else:
        out = decode(Path(name), HOUSE_RATE, what=f"reading cue {name}")
        out = _edge_fades(out, 0.005)
    peak = float(np.max(np.abs(out))) if out.size else 0.0
    return out / peak if peak > 0 else out


def cue_length(name: str) -> int:
    return len(cue_sound(name))


class Bed:
    """An endless ambience, read block by block, calibrated to 0 LUFS (the mixer sets its level).

    Calibrating by loudness rather than RMS keeps ``ambience_level`` meaning the same thing
    for a rumbling brown noise and a hissing rain, which K-weighting hears very differently.
    """

    def __init__(self, name: str, rate: int = HOUSE_RATE) -> None:
        self.name = name
        self.rate = rate
        self._rng = np.random.default_rng(SEED)
        self._position = 0
        if name in BUILTIN_BEDS:
            self._loop = None
            self._state = _FilterState(name, rate)
            self._scale = _builtin_scale(name, rate)
        else:
            self._loop = _seamless_loop(decode(Path(name), rate, what=f"reading ambience {name}"), rate)
            self._scale = _scale_to_zero_lufs(self._loop[: 60 * rate], rate)

    def read(self, count: int) -> np.ndarray:
        """The next ``count`` samples."""
        if self._loop is not None:
            idx = (self._position + np.arange(count)) % len(self._loop)
            out = self._loop[idx]
        else:
            out = self._state.next(self._rng, count, self._position)
        self._position += count
        return (out * self._scale).astype(np.float32)


@lru_cache(maxsize=8)
def _builtin_scale(name: str, rate: int) -> float:
    """Measure 20 s of the bed once (same seed, so the same sound) to find its 0 LUFS gain."""
    probe = _FilterState(name, rate)
    rng = np.random.default_rng(SEED)
    return _scale_to_zero_lufs(probe.next(rng, 20 * rate, 0), rate)


def _scale_to_zero_lufs(audio: np.ndarray, rate: int) -> float:
    from .dsp import loudness

    level = loudness(np.asarray(audio, dtype=np.float32), rate)
    return float(10 ** (-level / 20)) if np.isfinite(level) else 1.0


class _FilterState:
    """Coloured noise from white noise through a filter whose state carries across blocks."""

    def __init__(self, name: str, rate: int) -> None:
        self.name = name
        self.rate = rate
        if name == "brown-noise":
            # leaky integrator (-6 dB/oct) with a high-pass to keep it centred
            self.b, self.a = np.array([1.0]), np.array([1.0, -0.995])
            self.gain = 0.072
        else:
            # Paul Kellet's economy pink filter (-3 dB/oct), used for pink, rain and waves
            self.b = np.array([0.049922035, -0.095993537, 0.050612699, -0.004408786])
            self.a = np.array([1, -2.494956002, 2.017265875, -0.522189400])
            self.gain = 8.5
        self.zi = np.zeros(max(len(self.a), len(self.b)) - 1)
        if name == "rain":
            self.hp_b, self.hp_a = signal.butter(2, 400 / (rate / 2), "highpass")
            self.lp_b, self.lp_a = signal.butter(2, 7000 / (rate / 2), "lowpass")
            self.hp_zi = np.zeros(2)
            self.lp_zi = np.zeros(2)
        self.smooth_b, self.smooth_a = signal.butter(1, 3000 / (rate / 2), "lowpass")
        self.smooth_zi = np.zeros(1)

    def next(self, rng: np.random.Generator, count: int, position: int) -> np.ndarray:
        white = rng.standard_normal(count)
        out, self.zi = signal.lfilter(self.b, self.a, white, zi=self.zi)
        out = out * self.gain
        if self.name in ("brown-noise", "pink-noise", "waves"):
            out, self.smooth_zi = signal.lfilter(self.smooth_b, self.smooth_a, out, zi=self.smooth_zi)
        if self.name == "rain":
            out, self.hp_zi = signal.lfilter(self.hp_b, self.hp_a, out, zi=self.hp_zi)
            out, self.lp_zi = signal.lfilter(self.lp_b, self.lp_a, out, zi=self.lp_zi)
            out *= 1.6
        if self.name == "waves":
            # slow swells, 9-13 s apart, never dropping below a third
            t = (position + np.arange(count)) / self.rate
            swell = 0.5 + 0.5 * np.sin(2 * np.pi * t / 11.0) * np.sin(2 * np.pi * t / 97.0 + 1.0)
            out *= 0.35 + 1.1 * swell
        return out


def _seamless_loop(audio: np.ndarray, rate: int) -> np.ndarray:
    """Fold the file's end over its start with a crossfade, so looping has no seam.

    The crossfade keeps power constant for the correlation actually found between the two
    ends: equal-power for noise-like beds, nearly linear for tonal ones (which equal-power
    would swell by up to 3 dB).
    """
    fade = min(int(LOOP_CROSSFADE * rate), len(audio) // 3)
    if fade < int(0.05 * rate):
        raise ExportError(f"the ambience file is too short to loop smoothly ({len(audio) / rate:.2f} s); "
                          "use one of at least a second.")
    head, tail = audio[:fade].astype(np.float64), audio[-fade:].astype(np.float64)
    denominator = float(np.sqrt(np.sum(head**2) * np.sum(tail**2)))
    r = float(np.sum(head * tail) / denominator) if denominator > 0 else 0.0
    u = np.linspace(0.0, 1.0, fade)
    g_in, g_out = 0.5 - 0.5 * np.cos(np.pi * u), 0.5 + 0.5 * np.cos(np.pi * u)
    norm = np.sqrt(np.maximum(g_in**2 + g_out**2 + 2 * r * g_in * g_out, 1e-6))
    blended = (tail * g_out + head * g_in) / norm
    return np.concatenate([blended, audio[fade:-fade]]).astype(np.float32)


def _edge_fades(audio: np.ndarray, seconds: float) -> np.ndarray:
    n = min(len(audio) // 2, int(seconds * HOUSE_RATE))
    if n > 0:
        ramp = np.linspace(0.0, 1.0, n, dtype=np.float32)
        audio = audio.copy()
        audio[:n] *= ramp
        audio[-n:] *= ramp[::-1]
    return audio


def bed_blocks(name: str, total: int, block: int) -> Iterator[np.ndarray]:
    """Convenience for tests and the benchmark: a bed cut into blocks."""
    bed = Bed(name)
    done = 0
    while done < total:
        n = min(block, total - done)
        yield bed.read(n)
        done += n
