"""Small signal helpers shared by synthesis and mixing: every clip enters in the house format."""

from __future__ import annotations

from typing import Final, Literal

import numpy as np
import soxr

from ..timeline import HOUSE_RATE
from .bs1770 import integrated_loudness

TRIM_BELOW_PEAK_DB: Final = -40.0
EDGE_FADE: Final = 0.004
"""Seconds of fade at every clip edge: short enough to keep consonants, long enough not to click."""
SPEECH_REF_LUFS: Final = -23.0
"""Every sentence is brought to this loudness, so lines never jump against each other."""
SPEECH_CEILING_DB: Final = -7.0
"""Sample peak ceiling for speech at the reference loudness (leaves room for the final gain)."""
TRUE_PEAK_OVERSAMPLING: Final = 4
"""The limiter looks for peaks between samples on a copy at this many times the rate."""
_STREAM_CHUNK: Final = 1 << 15
"""Input samples per step of the oversampling stream: the 4x copy never exists whole."""


def to_house_rate(samples: np.ndarray, rate: int) -> np.ndarray:
    """Resample to :data:`HOUSE_RATE`, in single precision (soxr, high quality).

    The length is ``ceil(n * HOUSE_RATE / rate)``, as the polyphase resampler this replaced
    gave, so a clip's length in samples does not depend on the library. soxr compensates its
    filter's delay: an onset stays where it was.
    """
    x = np.ascontiguousarray(samples, dtype=np.float32)
    if rate == HOUSE_RATE:
        return x.copy() if x is samples else x
    out = soxr.resample(x, rate, HOUSE_RATE)
    return _fit(out, -(-len(x) * HOUSE_RATE // rate))


def _fit(x: np.ndarray, length: int) -> np.ndarray:
    """Cut or zero-pad to ``length``: resamplers may round the last partial sample either way."""
    if len(x) >= length:
        return x[:length]
    return np.concatenate([x, np.zeros(length - len(x), dtype=x.dtype)])


def moving_mean(x: np.ndarray, size: int, mode: Literal["constant", "nearest"]) -> np.ndarray:
    """Centred mean over ``size`` samples, beyond the ends zeros ("constant") or the end values ("nearest").

    The same windows and edges as ``scipy.ndimage.uniform_filter1d`` (for an even size the
    window has one more sample before the centre than after), in linear time: one cumulative
    sum in double precision, of ``x`` as if padded, written in place (no padded copy). The
    result is float64, a view of that sum: no second array of the clip's length.
    """
    n = len(x)
    left = size // 2
    right = size - 1 - left
    first, last = (float(x[0]), float(x[-1])) if mode == "nearest" and n else (0.0, 0.0)
    total = np.empty(n + size, dtype=np.float64)  # total[k]: sum of the first k padded samples
    total[:left + 1] = np.arange(left + 1) * first
    body = total[left + 1:left + 1 + n]
    body[:] = x
    body[0] += left * first
    np.cumsum(body, out=body)  # in place: cumsum(x, dtype=float64) would allocate a float64 copy of x
    total[left + 1 + n:] = total[left + n] + np.arange(1, right + 1) * last
    mean = total[size:]
    _subtract_shifted(total, size)
    mean /= size
    return mean


def _subtract_shifted(total: np.ndarray, shift: int, chunk: int = 1 << 16) -> None:
    """``total[shift:] -= total[:-shift]`` in place, without the full temporary copy numpy makes
    for overlapping operands: from the end backwards, each source chunk is read before any
    write reaches it."""
    n = len(total) - shift
    for stop in range(n, 0, -chunk):
        start = max(0, stop - chunk)
        total[start + shift:stop + shift] -= total[start:stop].copy()


def running_min(x: np.ndarray, size: int) -> np.ndarray:
    """Centred minimum over ``size`` samples, the ends extended ("nearest").

    The same windows as ``scipy.ndimage.minimum_filter1d``, in linear time (van Herk /
    Gil-Werman): cut the padded signal into blocks of ``size``; any window then spans the
    tail of one block and the head of the next, so it is the smaller of a suffix minimum
    and a prefix minimum, each one ``np.minimum.accumulate`` over the blocks. Two arrays of
    the clip's length are live at once: the padded signal (prefix minima are written over
    it) and the suffix minima (the result is written over them).
    """
    n = len(x)
    if n == 0:
        return x.copy()
    left = size // 2
    blocks = -(-(n + size - 1) // size)
    padded = np.empty(blocks * size, dtype=x.dtype)
    padded[:left] = x[0]
    padded[left:left + n] = x
    padded[left + n:] = x[-1]
    grid = padded.reshape(blocks, size)
    suffix = np.empty_like(grid)
    np.minimum.accumulate(grid[:, ::-1], axis=1, out=suffix[:, ::-1])
    np.minimum.accumulate(grid, axis=1, out=grid)  # prefix minima, in place
    out = suffix.reshape(-1)[:n]
    np.minimum(out, padded[size - 1:size - 1 + n], out=out)
    return out


def trim(samples: np.ndarray, below_peak_db: float = TRIM_BELOW_PEAK_DB, rate: int = HOUSE_RATE) -> np.ndarray:
    """Cut the engine's leading and trailing near-silence, so a hold starts when the words end.

    A 10 ms window counts as speech when its RMS is within ``below_peak_db`` of the clip's
    loudest window: relative, so the cut lands at the same audible point whatever the level.
    """
    if samples.size == 0:
        return samples
    window = max(1, int(0.010 * rate))
    # squares in single precision, summed in double: half the memory, the same cut
    power = moving_mean(np.square(samples, dtype=np.float32), window, mode="constant")
    peak = float(power.max())
    if peak <= 0:
        return samples[:0]
    loud = power >= peak * 10 ** (below_peak_db / 10)
    del power
    first, last = int(np.argmax(loud)), len(loud) - 1 - int(np.argmax(loud[::-1]))
    half = window // 2
    return samples[max(0, first - half): min(len(samples), last + half + 1)]


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
    """Integrated loudness (LUFS, BS.1770) of a clip; short or all-gated clips fall back to RMS
    (unweighted, with BS.1770's -0.691 dB offset)."""
    if samples.size == 0:
        return float("-inf")
    if len(samples) >= int(0.45 * rate):
        value = integrated_loudness(np.asarray(samples, dtype=np.float32), rate)
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
    ceiling = np.float32(10 ** (ceiling_db / 20))
    x = np.ascontiguousarray(samples, dtype=np.float32)
    need = true_peaks(x, rate)
    if float(need.max()) <= ceiling:
        return x.copy() if x is samples else x
    # the gain each sample needs, min(1, ceiling / peak), computed over the peaks in place
    np.maximum(need, np.float32(1e-12), out=need)
    np.divide(ceiling, need, out=need)
    np.minimum(need, np.float32(1.0), out=need)
    span = max(1, int(window * rate))
    held = running_min(need, 2 * span + 1)
    del need
    smooth = moving_mean(held, span | 1, mode="nearest")
    del held
    out = np.empty_like(x)
    np.multiply(x, smooth, out=out, casting="same_kind")  # float32 out: no float64 copy of the clip
    return out


def true_peaks(samples: np.ndarray, rate: int) -> np.ndarray:
    """Per sample, the largest magnitude on a 4x oversampled copy over that sample's period.

    The oversampling is streamed (soxr's stream output is the one-shot output, cut where
    it happens to be ready), so memory stays a chunk, not four copies of the clip.
    Should the stream come up short, the remaining samples stand for themselves.
    """
    x = np.ascontiguousarray(samples, dtype=np.float32)
    n, k = len(x), TRUE_PEAK_OVERSAMPLING
    peaks = np.abs(x)
    stream = soxr.ResampleStream(rate, k * rate, 1, dtype="float32")
    done, carry = 0, np.empty(0, dtype=np.float32)
    for start in range(0, n, _STREAM_CHUNK):
        out = stream.resample_chunk(x[start:start + _STREAM_CHUNK], last=start + _STREAM_CHUNK >= n)
        out = np.concatenate([carry, out]) if carry.size else out
        ready = min(len(out) // k, n - done)
        _group_max(np.abs(out[:ready * k]), k, peaks[done:done + ready])
        done, carry = done + ready, out[ready * k:]
    return peaks


def _group_max(x: np.ndarray, k: int, out: np.ndarray) -> None:
    """``out[i] = max(x[k*i : k*i + k])``, as k strided maxima: numpy's reduction over a short
    last axis (``reshape(-1, k).max(axis=1)``) is over ten times slower."""
    np.copyto(out, x[0::k])
    for j in range(1, k):
        np.maximum(out, x[j::k], out=out)


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
