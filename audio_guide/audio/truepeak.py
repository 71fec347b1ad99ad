"""True peak (ITU-R BS.1770-4, Annex 2) of a stream of samples, interpolated only where it can matter.

ffmpeg's ``ebur128`` finds the true peak by resampling every sample to four times the rate: on
the shipped guides that was about 60 % of the MP3 meter's processor time. The Annex's
interpolator is a 48-tap filter in four phases of twelve taps, so each interpolated value is a
weighted sum of twelve neighbouring samples, and can exceed the largest of them by at most
:data:`GAIN` (the largest sum of a phase's absolute taps, about 2). A row of samples whose
neighbourhood's largest sample, times that, is no more than the peak found so far cannot hold a
new peak, and is skipped; the rest are interpolated exactly. A guide is mostly quiet holds and
bed under its speech, and only a few per cent of its rows are interpolated: the same peak as
interpolating every sample, at a small part of the cost, and without a matrix library (numpy's
BLAS threads spin between calls, on the cores the encoder needs).

The peak is the larger of the samples' own peak and the interpolated values', so it is never
under the sample peak whatever the filter's rounding.

This measures; it does not shape. The speech limiter (:func:`.dsp.true_peaks`) needs a peak for
every sample of a clip, not the largest of a stream, and finds them with soxr.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np

TAPS: Final = np.array([
    [0.0017089843750, 0.0109863281250, -0.0196533203125, 0.0332031250000, -0.0594482421875, 0.1373291015625,
     0.9721679687500, -0.1022949218750, 0.0476074218750, -0.0266113281250, 0.0148925781250, -0.0083007812500],
    [-0.0291748046875, 0.0292968750000, -0.0517578125000, 0.0891113281250, -0.1665039062500, 0.4650878906250,
     0.7797851562500, -0.2003173828125, 0.1015625000000, -0.0582275390625, 0.0330810546875, -0.0189208984375],
    [-0.0189208984375, 0.0330810546875, -0.0582275390625, 0.1015625000000, -0.2003173828125, 0.7797851562500,
     0.4650878906250, -0.1665039062500, 0.0891113281250, -0.0517578125000, 0.0292968750000, -0.0291748046875],
    [-0.0083007812500, 0.0148925781250, -0.0266113281250, 0.0476074218750, -0.1022949218750, 0.9721679687500,
     0.1373291015625, -0.0594482421875, 0.0332031250000, -0.0196533203125, 0.0109863281250, 0.0017089843750],
])
"""BS.1770-4 Annex 2's interpolator, phase by phase; tap ``k`` weighs the sample ``k`` before."""
GAIN: Final = float(np.abs(TAPS).sum(axis=1).max())
"""The most an interpolated value can exceed the largest of the samples it is made from."""
HISTORY: Final = TAPS.shape[1] - 1
"""Samples before a row that its interpolated values reach back to."""
ROW: Final = 32
"""Samples judged together: small enough that a loud row hardly drags quiet samples in with it."""


class TruePeak:
    """The running true peak of the samples fed so far (at 4x oversampling, linear)."""

    def __init__(self) -> None:
        self._history = np.zeros(HISTORY, np.float32)
        self._left = np.zeros(0, np.float32)
        self._peak = 0.0

    def feed(self, samples: np.ndarray) -> None:
        """Take the next ``samples`` (float, any length) of the stream."""
        x = np.asarray(samples, dtype=np.float32)
        if self._left.size:
            x = np.concatenate([self._left, x])
        whole = len(x) - len(x) % ROW
        self._left = x[whole:].copy()
        if whole:
            self._rows(x[:whole])

    def finish(self) -> float:
        """The true peak of the whole stream, linear: what is left, and the interpolation past its
        last sample (into the silence after it), measured."""
        tail = np.zeros(ROW - len(self._left) % ROW + ROW, np.float32)  # at least HISTORY zeros after
        self.feed(tail)
        return self._peak

    def _rows(self, x: np.ndarray) -> None:
        ext = np.concatenate([self._history, x])
        self._history = ext[-HISTORY:].copy()
        rows = np.abs(x).reshape(-1, ROW).max(axis=1)
        self._peak = max(self._peak, float(rows.max()))
        near = rows.copy()  # the largest sample each row's interpolation reads: its own and those before it
        np.maximum(near[1:], rows[:-1], out=near[1:])
        near[0] = max(float(near[0]), float(np.abs(ext[:HISTORY]).max()))
        pick = np.flatnonzero(near * GAIN > self._peak)
        if pick.size == 0:
            return
        windows = np.lib.stride_tricks.sliding_window_view(ext, ROW + HISTORY)[::ROW][pick]
        total = np.empty((len(pick), ROW), np.float32)
        term = np.empty_like(total)
        for phase in TAPS.astype(np.float32):
            np.multiply(windows[:, HISTORY:], phase[0], out=total)
            for k in range(1, HISTORY + 1):
                np.multiply(windows[:, HISTORY - k:HISTORY - k + ROW], phase[k], out=term)
                total += term
            self._peak = max(self._peak, float(np.abs(total).max()))


def to_db(peak: float) -> float:
    """A linear peak in dBTP, ``-inf`` for silence (no peak at all)."""
    return 20 * math.log10(peak) if peak > 0 else float("-inf")
