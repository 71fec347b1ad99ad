"""Small signal helpers shared by synthesis and mixing: every clip enters in the house format."""

from __future__ import annotations

from fractions import Fraction
from typing import Final

import numpy as np
import pyloudnorm
from scipy import ndimage, signal

from ..timeline import HOUSE_RATE

TRIM_BELOW_PEAK_DB: Final = -40.0
EDGE_FADE: Final = 0.004
"""Seconds of fade at every clip edge: short enough to keep consonants, long enough not to click."""
SPEECH_REF_LUFS: Final = -23.0
"""Every sentence is brought to this loudness, so lines never jump against each other."""
SPEECH_CEILING_DB: Final = -7.0
"""Sample peak ceiling for speech at the reference loudness (leaves room for the final gain)."""


def to_house_rate(samples: np.ndarray, rate: int) -> np.ndarray:
    """Polyphase resampling to :data:`HOUSE_RATE` (exact ratios, no drift)."""
    if rate == HOUSE_RATE:
        return samples.astype(np.float32)
    ratio = Fraction(HOUSE_RATE, rate)
    out: np.ndarray = signal.resample_poly(samples.astype(np.float64), ratio.numerator, ratio.denominator)
    return out.astype(np.float32)


def trim(samples: np.ndarray, below_peak_db: float = TRIM_BELOW_PEAK_DB, rate: int = HOUSE_RATE) -> np.ndarray:
    """Cut the engine's leading and trailing near-silence, so a hold starts when the words end.

    A 10 ms window counts as speech when its RMS is within ``below_peak_db`` of the clip's
    loudest window: relative, so the cut lands at the same audible point whatever the level.
    """
    if samples.size == 0:
        return samples
    window = max(1, int(0.010 * rate))
    power = ndimage.uniform_filter1d(samples.astype(np.float64) ** 2, window, mode="constant")
    peak = float(power.max())
    if peak <= 0:
        return samples[:0]
    loud = np.flatnonzero(power >= peak * 10 ** (below_peak_db / 10))
    half = window // 2
    return samples[max(0, loud[0] - half): min(len(samples), loud[-1] + half + 1)]


def fade_edges(samples: np.ndarray, seconds: float = EDGE_FADE, rate: int = HOUSE_RATE) -> np.ndarray:
    """Half-cosine fades at both ends: a clip that starts or stops mid-wave would click."""
    n = min(len(samples) // 2, int(seconds * rate))
    out = samples.astype(np.float32, copy=True)
    if n > 0:
        ramp = (0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, n))).astype(np.float32)
        out[:n] *= ramp
        out[-n:] *= ramp[::-1]
    return out


def loudness(samples: np.ndarray, rate: int = HOUSE_RATE) -> float:
    """Integrated loudness (LUFS, BS.1770) of a clip; short clips fall back to K-weighted RMS."""
    if samples.size == 0:
        return float("-inf")
    if len(samples) >= int(0.45 * rate):
        value = pyloudnorm.Meter(rate).integrated_loudness(samples.astype(np.float64))
        if np.isfinite(value):
            return float(value)
    rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))
    return 20 * np.log10(rms) - 0.691 if rms > 0 else float("-inf")


def limit(samples: np.ndarray, ceiling_db: float, rate: int = HOUSE_RATE, window: float = 0.004) -> np.ndarray:
    """Look-ahead peak limiter, click-free by construction.

    The needed gain per sample is min-filtered over ±``window`` and then averaged over a
    shorter span, so the smoothed gain never exceeds what any nearby peak needs.
    Peaks are found on a 4x oversampled copy, to catch inter-sample (true) peaks.
    """
    if samples.size == 0:
        return samples
    ceiling = 10 ** (ceiling_db / 20)
    over = np.abs(signal.resample_poly(samples.astype(np.float64), 4, 1))
    peaks = over.reshape(-1, 4).max(axis=1)[: len(samples)] if over.size >= 4 * len(samples) else np.abs(samples)
    need = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12))
    if need.min() >= 1.0:
        return samples.astype(np.float32)
    span = max(1, int(window * rate))
    held = ndimage.minimum_filter1d(need, 2 * span + 1, mode="nearest")
    smooth: np.ndarray = ndimage.uniform_filter1d(held, span | 1, mode="nearest")
    return np.asarray(samples * smooth, dtype=np.float32)


def prepare_speech(samples: np.ndarray, rate: int) -> np.ndarray:
    """Engine output -> house clip: resampled, trimmed, at the reference loudness, limited, faded."""
    clip = trim(to_house_rate(samples, rate))
    if clip.size == 0:
        return clip
    level = loudness(clip)
    if np.isfinite(level):
        clip = clip * np.float32(10 ** ((SPEECH_REF_LUFS - level) / 20))
    clip = limit(clip, SPEECH_CEILING_DB)
    return fade_edges(clip)


def db(value: float) -> float:
    return float(10 ** (value / 20))
