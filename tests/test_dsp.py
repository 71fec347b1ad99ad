"""The build's signal helpers against the scipy and pyloudnorm code they replaced.

The build no longer imports scipy or pyloudnorm (tens of MB in every build process); each
numpy or soxr replacement must measure, filter and resample as they did. The references
come from the ``test`` extra.
"""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from typing import Callable

import numpy as np
import pyloudnorm
import pytest
from scipy import fft as scipy_fft
from scipy import ndimage, signal

from audio_guide.audio import bs1770, dsp, sounds
from audio_guide.timeline import HOUSE_RATE

RATES = (22050, 24000, 44100, 48000)
LU_TOLERANCE = 0.05


def white(rate: int, seconds: float = 3.0, seed: int = 1) -> np.ndarray:
    return 0.1 * np.random.default_rng(seed).standard_normal(int(seconds * rate))


def pink(rate: int, seconds: float = 3.0, seed: int = 2) -> np.ndarray:
    n = int(seconds * rate)
    spectrum = np.fft.rfft(np.random.default_rng(seed).standard_normal(n))
    spectrum /= np.sqrt(np.maximum(np.fft.rfftfreq(n, 1 / rate), 1.0))
    x = np.fft.irfft(spectrum, n)
    return 0.1 * x / np.std(x)


def sine(hz: float) -> Callable[[int], np.ndarray]:
    def make(rate: int, seconds: float = 2.0) -> np.ndarray:
        return 0.3 * np.sin(2 * np.pi * hz * np.arange(int(seconds * rate)) / rate)
    return make


def speech_like(rate: int, seconds: float = 6.0, seed: int = 3) -> np.ndarray:
    """Voiced syllables at 4 Hz in phrases, pauses of true silence, and a quiet aside well
    under the relative gate: both gates change the result."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    voiced = sum(a * np.sin(2 * np.pi * f * t + rng.uniform(0, 6))
                 for f, a in [(140, 1.0), (280, 0.6), (700, 0.4), (1200, 0.3), (2500, 0.15)])
    x = (voiced + 0.3 * rng.standard_normal(len(t))) * np.clip(np.sin(2 * np.pi * 4 * t), 0, None) ** 2
    x *= np.sin(2 * np.pi * 0.25 * t) > -0.2  # phrases and pauses
    x[(t > 4.0) & (t < 5.0)] *= 0.01  # the aside, -40 dB
    x[t < 0.3] = 0.0
    return 0.2 * x


def just_over_045(rate: int) -> np.ndarray:
    return white(rate, seed=4)[: int(0.45 * rate) + 1]


SIGNALS: dict[str, Callable[[int], np.ndarray]] = {
    "white": white, "pink": pink, "sine-100": sine(100.0), "sine-1k": sine(1000.0),
    "sine-10k": sine(10_000.0), "speech-like": speech_like, "just-over-0.45s": just_over_045,
}


def reference_lufs(x: np.ndarray, rate: int) -> float:
    return float(pyloudnorm.Meter(rate).integrated_loudness(np.asarray(x, dtype=np.float64)))


# -- loudness -------------------------------------------------------------------------------------

@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("name", SIGNALS)
def test_integrated_loudness_matches_pyloudnorm(name: str, rate: int) -> None:
    x = SIGNALS[name](rate)
    expected = reference_lufs(x, rate)
    assert abs(bs1770.integrated_loudness(x, rate) - expected) < LU_TOLERANCE  # double precision
    assert abs(bs1770.integrated_loudness(x.astype(np.float32), rate) - expected) < LU_TOLERANCE  # single
    assert abs(dsp.loudness(x.astype(np.float32), rate) - expected) < LU_TOLERANCE  # as the build calls it


def test_the_speech_like_signal_exercises_both_gates() -> None:
    """Otherwise the agreement above would not show the gating is right."""
    rate = 48000
    x = speech_like(rate)
    weighted = bs1770.k_weighted(x, rate)
    ungated = -0.691 + 10 * np.log10(np.mean(weighted**2))
    energies = bs1770.block_energies(weighted, rate)
    levels = -0.691 + 10 * np.log10(np.maximum(energies, 1e-30))
    gated = bs1770.integrated_loudness(x, rate)
    assert gated - ungated > 1.0
    assert (levels < bs1770.ABSOLUTE_GATE).any()
    assert ((levels > bs1770.ABSOLUTE_GATE) & (levels < gated + bs1770.RELATIVE_GATE)).any()


@pytest.mark.parametrize("rate", RATES)
def test_k_weighting_is_pyloudnorms_filter(rate: int) -> None:
    """Same coefficients, same response, same filtered samples as pyloudnorm's lfilter."""
    filters = pyloudnorm.Meter(rate)._filters
    ours = {"high_shelf": bs1770.shelf_coefficients(rate), "high_pass": bs1770.high_pass_coefficients(rate)}
    for name, theirs in filters.items():
        np.testing.assert_allclose(ours[name][0], theirs.b, rtol=1e-12)
        np.testing.assert_allclose(ours[name][1], theirs.a, rtol=1e-12)
    w = np.linspace(0.0, np.pi, 2001)
    _, shelf = signal.freqz(filters["high_shelf"].b, filters["high_shelf"].a, worN=w)
    _, high_pass = signal.freqz(filters["high_pass"].b, filters["high_pass"].a, worN=w)
    np.testing.assert_allclose(bs1770.frequency_response(list(ours.values()), w), shelf * high_pass, atol=1e-9)
    x = white(rate, seconds=1.0)
    filtered = x
    for stage in filters.values():
        filtered = stage.apply_filter(filtered)
    np.testing.assert_allclose(bs1770.k_weighted(x, rate), filtered, atol=1e-9)
    np.testing.assert_allclose(bs1770.k_weighted(x.astype(np.float32), rate), filtered, atol=1e-5)


@pytest.mark.parametrize("rate", RATES)
def test_k_weighting_shapes_the_level(rate: int) -> None:
    """Fails if a stage were missing or misplaced: against a 1 kHz tone of the same level, the
    shelf lifts 10 kHz by about 3 dB more, and the high pass takes 6 dB off at 38 Hz."""
    level = {hz: bs1770.integrated_loudness(sine(hz)(rate), rate) for hz in (38.0, 1000.0, 10_000.0)}
    assert 3.0 < level[10_000.0] - level[1000.0] < 3.6
    assert -7.5 < level[38.0] - level[1000.0] < -6.0
    full_scale = np.sin(2 * np.pi * 997 * np.arange(2 * rate) / rate)
    # BS.1770's calibration point; pyloudnorm's cookbook filters (ours too) read it 0.04-0.06 dB low
    assert abs(bs1770.integrated_loudness(full_scale, rate) + 3.01) < 0.1


def test_silence_and_short_clips() -> None:
    rate = HOUSE_RATE
    assert bs1770.integrated_loudness(np.zeros(rate), rate) == float("-inf")
    with pytest.raises(ValueError):
        bs1770.integrated_loudness(np.zeros(int(0.39 * rate)), rate)
    short = white(rate)[: int(0.45 * rate) - 1].astype(np.float32)  # under the meter: RMS fallback
    assert dsp.loudness(short) == pytest.approx(10 * np.log10(np.mean(short.astype(np.float64) ** 2)) - 0.691)
    assert dsp.loudness(np.zeros(rate, dtype=np.float32)) == float("-inf")
    assert dsp.loudness(np.zeros(0, dtype=np.float32)) == float("-inf")


def test_fft_length_is_the_next_5_smooth_number() -> None:
    def smooth(m: int) -> bool:
        for p in (2, 3, 5):
            while m % p == 0:
                m //= p
        return m == 1
    for minimum in [*range(1, 400), 705_601, 727_650, 1_000_001]:
        expected = next(m for m in range(minimum, 2 * minimum + 2) if smooth(m))
        assert bs1770.fft_length(minimum) == expected


# -- moving filters ------------------------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 2, 7, 100, 5000, 150_001])
@pytest.mark.parametrize("size", [1, 2, 3, 4, 9, 176, 353, 441, 480, 6000])
def test_moving_filters_match_scipy_ndimage(n: int, size: int) -> None:
    rng = np.random.default_rng(n + size)
    for x in (rng.standard_normal(n), rng.random(n).astype(np.float32)):
        for mode in ("constant", "nearest"):
            expected = ndimage.uniform_filter1d(x.astype(np.float64), size, mode=mode)
            np.testing.assert_allclose(dsp.moving_mean(x, size, mode), expected, rtol=0, atol=1e-10)
        np.testing.assert_array_equal(dsp.running_min(x, size), ndimage.minimum_filter1d(x, size, mode="nearest"))


# -- resampling and the limiter ------------------------------------------------------------------

def band_limited(rate: int, seconds: float = 2.0, top: float = 0.8) -> np.ndarray:
    """Noise with nothing above ``top`` of Nyquist: there the two resamplers' filters differ
    by design (soxr keeps more of the top octave), and speech has little."""
    x = signal.sosfiltfilt(signal.butter(12, top, output="sos"), white(rate, seconds))
    return (0.2 * x / np.max(np.abs(x))).astype(np.float32)


@pytest.mark.parametrize("rate", [16000, 22050, 24000, 32000, 48000])
def test_to_house_rate_matches_resample_poly(rate: int) -> None:
    ratio = Fraction(HOUSE_RATE, rate)
    for n in (1, 2, 3, 101, 4801, 22_051):
        out = dsp.to_house_rate(np.ones(n, dtype=np.float32), rate)
        assert len(out) == len(signal.resample_poly(np.ones(n), ratio.numerator, ratio.denominator))
        assert out.dtype == np.float32
    x = band_limited(rate)
    expected = signal.resample_poly(x.astype(np.float64), ratio.numerator, ratio.denominator)
    ours = dsp.to_house_rate(x, rate)
    middle = slice(1000, -1000)  # the edges are filtered differently
    assert np.max(np.abs(ours[middle] - expected[middle])) < 0.01 * np.max(np.abs(expected))


@pytest.mark.parametrize("rate", [16000, 22050, 24000, 48000])
def test_resampling_keeps_onsets_in_place(rate: int) -> None:
    n = rate
    impulse = np.zeros(n, dtype=np.float32)
    impulse[n // 3] = 1.0
    step = np.zeros(n, dtype=np.float32)
    step[n // 2:] = 0.5
    ratio = Fraction(HOUSE_RATE, rate)
    for x in (impulse, step):
        ours = dsp.to_house_rate(x, rate)
        theirs = signal.resample_poly(x.astype(np.float64), ratio.numerator, ratio.denominator)
        onset = (lambda y: int(np.argmax(np.abs(y)))) if x is impulse else (lambda y: int(np.argmax(y > 0.25)))
        assert abs(onset(ours) - onset(theirs)) <= 1
    peaks = dsp.true_peaks(impulse, rate)
    assert int(np.argmax(peaks)) == n // 3


def test_same_rate_is_a_float32_copy() -> None:
    x = np.linspace(-1, 1, 100, dtype=np.float32)
    out = dsp.to_house_rate(x, HOUSE_RATE)
    assert out is not x and out.dtype == np.float32
    np.testing.assert_array_equal(out, x)


def test_true_peaks_match_4x_resample_poly() -> None:
    x = band_limited(HOUSE_RATE, seconds=4.0)  # longer than one stream chunk
    over = np.abs(signal.resample_poly(x.astype(np.float64), 4, 1))
    expected = over.reshape(-1, 4).max(axis=1)
    ours = dsp.true_peaks(x, HOUSE_RATE)
    assert len(ours) == len(x)
    np.testing.assert_allclose(ours, expected, rtol=0, atol=0.005 * expected.max())
    # between samples: a quarter-rate sine sampled 45 degrees off its crests reads 0.707
    t = np.arange(4000)
    between = np.sin(np.pi / 2 * t + np.pi / 4).astype(np.float32)
    assert np.max(np.abs(between)) < 0.71
    assert np.max(dsp.true_peaks(between, HOUSE_RATE)[100:-100]) > 0.99


def reference_limit(x: np.ndarray, ceiling_db: float, rate: int = HOUSE_RATE, window: float = 0.004) -> np.ndarray:
    """The limiter as it was, on scipy."""
    over = np.abs(signal.resample_poly(x.astype(np.float64), 4, 1))
    need = np.minimum(1.0, 10 ** (ceiling_db / 20) / np.maximum(over.reshape(-1, 4).max(axis=1), 1e-12))
    span = max(1, int(window * rate))
    held = ndimage.minimum_filter1d(need, 2 * span + 1, mode="nearest")
    return np.asarray(ndimage.uniform_filter1d(held, span | 1, mode="nearest"))


def test_limiter_matches_the_scipy_limiter() -> None:
    x = 3 * band_limited(HOUSE_RATE, seconds=3.0)
    ours = dsp.limit(x, -7.0)
    assert ours.dtype == np.float32 and len(ours) == len(x)
    gain = 20 * np.log10(ours[x != 0] / x[x != 0])
    expected = 20 * np.log10(reference_limit(x, -7.0)[x != 0])
    assert np.max(np.abs(gain - expected)) < 0.05
    assert np.max(dsp.true_peaks(ours, HOUSE_RATE)) < 10 ** (-7.0 / 20) * 1.01
    quiet = 0.1 * x
    np.testing.assert_array_equal(dsp.limit(quiet, 0.0), quiet)  # under the ceiling: untouched


def reference_trim(x: np.ndarray, below_peak_db: float = dsp.TRIM_BELOW_PEAK_DB, rate: int = HOUSE_RATE) -> slice:
    window = max(1, int(0.010 * rate))
    power = ndimage.uniform_filter1d(x.astype(np.float64) ** 2, window, mode="constant")
    loud = np.flatnonzero(power >= power.max() * 10 ** (below_peak_db / 10))
    return slice(max(0, loud[0] - window // 2), min(len(x), loud[-1] + window // 2 + 1))


@pytest.mark.parametrize("rate", [HOUSE_RATE, 48000])
def test_trim_cuts_where_the_scipy_version_did(rate: int) -> None:
    x = np.concatenate([np.zeros(rate // 3), speech_like(rate, seconds=2.5)[int(0.3 * rate):], np.zeros(rate // 5)])
    x = x.astype(np.float32)
    cut = reference_trim(x, rate=rate)
    np.testing.assert_array_equal(dsp.trim(x, rate=rate), x[cut])


# -- beds ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["pink-noise", "brown-noise", "rain", "waves"])
def test_beds_are_what_scipy_fft_made(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    rate = 8000  # a 90 s loop: small enough to build twice
    ours = sounds._builtin_loop.__wrapped__(name, rate)
    monkeypatch.setattr(np.fft, "rfft", scipy_fft.rfft)
    monkeypatch.setattr(np.fft, "irfft", scipy_fft.irfft)
    theirs = sounds._builtin_loop.__wrapped__(name, rate)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-5 * np.max(np.abs(theirs)))


# -- what a build imports ------------------------------------------------------------------------

def test_the_build_imports_neither_scipy_nor_pyloudnorm() -> None:
    code = ("import audio_guide.audio, audio_guide.pipeline.outputs, sys; "
            "print('scipy' in sys.modules, 'pyloudnorm' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
