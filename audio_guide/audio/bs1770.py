"""Integrated loudness of a mono clip (ITU-R BS.1770-4), with numpy alone.

Why this exists: pyloudnorm applies its two K-weighting biquads with ``scipy.signal.lfilter``,
so using it pulls scipy into every build process (tens of MB of memory and over half a second
of import) for a few lines of arithmetic. This is the same measurement as
``pyloudnorm.Meter(rate).integrated_loudness``: its filter coefficients at any rate, its
block bounds and its two gates; ``tests/test_dsp.py`` checks the two agree.

A recursive filter cannot be vectorised in numpy, so the filters are applied in the frequency
domain instead: the clip, zero-padded, is multiplied by the filters' exact frequency response.
That is the same causal filtering as running the recursion from rest, as long as the padding
outlasts the impulse response (the 38 Hz high pass rings for a few tens of ms; we pad 0.5 s).
"""

from __future__ import annotations

from typing import Final

import numpy as np

BLOCK: Final = 0.400
"""Seconds in a gating block."""
OVERLAP: Final = 0.75
"""Of a block with the next; so a block starts every quarter block (a hop)."""
HOPS_PER_BLOCK: Final = 4
ABSOLUTE_GATE: Final = -70.0
"""LUFS; quieter blocks are silence and never count."""
RELATIVE_GATE: Final = -10.0
"""LU below the loudness of the blocks over the absolute gate."""
TAIL_PAD: Final = 0.5
"""Seconds of zeros after the clip, so the filters' ringing does not wrap onto its start."""

Biquad = tuple[tuple[float, float, float], tuple[float, float, float]]
"""``(b0, b1, b2), (1, a1, a2)``: a second-order section, normalised so that a0 is 1."""

_OFFSET: Final = -0.691  # BS.1770's constant: a 997 Hz sine at full scale reads -3.01 LUFS
_RESPONSE_CHUNK: Final = 1 << 14  # frequencies per step: bounds the complex128 temporaries


def integrated_loudness(samples: np.ndarray, rate: int) -> float:
    """Gated loudness in LUFS; ``-inf`` when every block is below the gates.

    Computed in single precision for float32 input (ample for a level in dB, half the memory),
    double otherwise. Raises ``ValueError`` for a clip shorter than one block, as pyloudnorm does.
    """
    x = np.asarray(samples)
    if x.ndim != 1:
        raise ValueError("integrated_loudness measures one channel: pass a 1-D array")
    if len(x) < BLOCK * rate:
        raise ValueError(f"a clip of {len(x)} samples is shorter than one {BLOCK} s block at {rate} Hz")
    energies = block_energies(k_weighted(x, rate), rate)
    return gated_loudness(energies)


def k_weighted(samples: np.ndarray, rate: int) -> np.ndarray:
    """The clip through the K-weighting filters (high shelf, then high pass), from rest."""
    work = np.float32 if samples.dtype == np.float32 else np.float64
    n = len(samples)
    size = fft_length(n + int(TAIL_PAD * rate))
    padded = np.zeros(size, dtype=work)
    padded[:n] = samples
    # norm="forward" (scaled by 1/size, undone in the response): numpy 2 runs the default
    # "backward" forward transform in double precision whatever the input, at twice the time
    spectrum = np.fft.rfft(padded, norm="forward")
    del padded
    _apply_response(spectrum, size, [shelf_coefficients(rate), high_pass_coefficients(rate)], scale=size)
    weighted: np.ndarray = np.fft.irfft(spectrum, size)[:n]
    return weighted.astype(work, copy=False)


def shelf_coefficients(rate: int) -> Biquad:
    """pyloudnorm's K-weighting stage 1: RBJ high shelf, +4 dB, Q 1/sqrt(2), 1500 Hz."""
    a = 10 ** (4.0 / 40)
    w0 = 2 * np.pi * 1500.0 / rate
    cos, alpha = float(np.cos(w0)), float(np.sin(w0)) / (2 / np.sqrt(2))
    root = 2 * np.sqrt(a) * alpha
    b0 = a * ((a + 1) + (a - 1) * cos + root)
    b1 = -2 * a * ((a - 1) + (a + 1) * cos)
    b2 = a * ((a + 1) + (a - 1) * cos - root)
    a0 = (a + 1) - (a - 1) * cos + root
    a1 = 2 * ((a - 1) - (a + 1) * cos)
    a2 = (a + 1) - (a - 1) * cos - root
    return (b0 / a0, b1 / a0, b2 / a0), (1.0, a1 / a0, a2 / a0)


def high_pass_coefficients(rate: int) -> Biquad:
    """pyloudnorm's K-weighting stage 2 (the RLB curve): RBJ high pass, Q 0.5, 38 Hz."""
    w0 = 2 * np.pi * 38.0 / rate
    cos, alpha = float(np.cos(w0)), float(np.sin(w0)) / (2 * 0.5)
    a0 = 1 + alpha
    return ((1 + cos) / 2 / a0, -(1 + cos) / a0, (1 + cos) / 2 / a0), (1.0, -2 * cos / a0, (1 - alpha) / a0)


def frequency_response(biquads: list[Biquad], w: np.ndarray) -> np.ndarray:
    """The cascade's H(e^jw) at angular frequencies ``w`` (radians per sample), in complex128."""
    return _response_at(biquads, np.exp(-1j * np.asarray(w, dtype=np.float64)))


def _response_at(biquads: list[Biquad], z: np.ndarray) -> np.ndarray:
    """H at ``z`` = e^-jw: the cascade as one rational function, numerator over denominator."""
    numerator, denominator = np.ones(1), np.ones(1)
    for b, a in biquads:
        numerator, denominator = np.convolve(numerator, b), np.convolve(denominator, a)
    response: np.ndarray = _polynomial(numerator, z) / _polynomial(denominator, z)
    return response


def _polynomial(coefficients: np.ndarray, z: np.ndarray) -> np.ndarray:
    """sum(c[k] * z**k), by Horner's rule."""
    value = np.full_like(z, coefficients[-1])
    for c in coefficients[-2::-1]:
        value *= z
        value += c
    return value


def _apply_response(spectrum: np.ndarray, size: int, biquads: list[Biquad], scale: float = 1.0) -> None:
    """Multiply an rfft of length ``size`` by ``scale`` times the cascade's response, in place.

    Done a slice of frequencies at a time, to bound the temporaries. The response is
    evaluated in double precision even for a complex64 spectrum: near DC the high pass
    divides two small numbers, which single precision would get visibly wrong. The points
    e^-jw of a slice are one rotation of the first slice's, which is cheaper than exp.
    """
    first = np.exp(-2j * np.pi * np.arange(min(_RESPONSE_CHUNK, len(spectrum))) / size)
    for start in range(0, len(spectrum), _RESPONSE_CHUNK):
        stop = min(start + _RESPONSE_CHUNK, len(spectrum))
        z = first[:stop - start] * np.exp(-2j * np.pi * start / size)
        h = _response_at(biquads, z)
        h *= scale
        spectrum[start:stop] *= h


def block_energies(weighted: np.ndarray, rate: int) -> np.ndarray:
    """Mean square of each 400 ms block, with pyloudnorm's block count and bounds.

    Bounds are computed with pyloudnorm's own float expressions, so a bound that rounds
    down there rounds down here. Block j ends where block j + 4 starts (both are
    ``int(0.4 * (j/4 + 1) * rate)``, exactly), so the clip is summed once, hop by hop, and
    each block is four hops: no cumulative sum of the whole clip in memory.
    """
    n = len(weighted)
    step = 1.0 - OVERLAP
    count = int(np.round((n / rate - BLOCK) / (BLOCK * step))) + 1
    hop = np.arange(count + HOPS_PER_BLOCK)
    bounds = np.minimum((BLOCK * (hop * step) * rate).astype(np.int64), n)
    hops = np.array([_sum_of_squares(weighted[a:b]) for a, b in zip(bounds[:-1], bounds[1:])])
    sums = sum(hops[i:i + count] for i in range(HOPS_PER_BLOCK))
    return np.asarray(sums, dtype=np.float64) / (BLOCK * rate)


def _sum_of_squares(x: np.ndarray) -> float:
    x64 = x.astype(np.float64)
    return float(np.dot(x64, x64))


def gated_loudness(energies: np.ndarray) -> float:
    """BS.1770-4's two gates over block energies, then the loudness of what passes."""
    with np.errstate(divide="ignore"):
        levels = _OFFSET + 10 * np.log10(energies)
    audible = energies[levels >= ABSOLUTE_GATE]
    if audible.size == 0:
        return float("-inf")
    relative = _OFFSET + 10 * np.log10(np.mean(audible)) + RELATIVE_GATE
    kept = energies[(levels > relative) & (levels > ABSOLUTE_GATE)]
    if kept.size == 0:
        return float("-inf")
    return float(_OFFSET + 10 * np.log10(np.mean(kept)))


def fft_length(minimum: int) -> int:
    """The smallest 2^a 3^b 5^c >= ``minimum``: a length numpy's FFT handles fast."""
    best = 1 << max(0, minimum - 1).bit_length()
    five = 1
    while five < best:
        three = five
        while three < best:
            two = three << max(0, -(-minimum // three) - 1).bit_length()
            best = min(best, two)
            three *= 3
        five *= 5
    return best
