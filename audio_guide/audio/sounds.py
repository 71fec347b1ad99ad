"""Cues and ambience beds, synthesized by the project or read from the user's files.

Everything is made at the house rate from a fixed seed, so a rebuild sounds the same. Beds
are generators of consecutive blocks: they can run under a guide of any length without ever
holding it whole in memory, and a synthetic bed never repeats, so it has no seam.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Final, Iterator

import numpy as np

from ..errors import ExportError
from ..media import decode_pcm
from ..script import (
    BED_SECONDS_USED,
    BUILTIN_BEDS,
    BUILTIN_CUE_SECONDS,
    MAX_CUE_SECONDS,
)
from ..timeline import HOUSE_RATE
from .cache import read_clip, write_clip
from .dsp import loudness
from .pcm import decode
from .shared import made_once

SEED: Final = 20261126
LOOP_CROSSFADE: Final = 2.0
"""Seconds of equal-power crossfade where a user's bed file loops back to its start."""

_CUE_PARTIALS: Final = {
    # (fundamental Hz, [(ratio, relative amplitude, decay seconds)]); lengths in BUILTIN_CUE_SECONDS
    "bell": (440.0, [(1.0, 1.0, 1.6), (2.0, 0.35, 0.9), (2.76, 0.18, 0.6), (5.4, 0.05, 0.3)]),
    "chime": (880.0, [(1.0, 1.0, 1.1), (2.4, 0.3, 0.5), (4.1, 0.1, 0.25)]),
    "bowl": (196.0, [(1.0, 1.0, 3.5), (1.007, 0.8, 3.5), (2.82, 0.4, 2.2), (5.4, 0.12, 1.2)]),
}


@made_once(16)
def cue_sound(name: str) -> np.ndarray:
    """A cue at the house rate, peak-normalized to 1.0 (the mixer sets its level).

    Built-ins are struck tones of a few inharmonic partials with a soft 15 ms attack:
    no transient to startle a half-asleep listener.
    """
    if name in _CUE_PARTIALS:
        fundamental, partials = _CUE_PARTIALS[name]
        seconds = BUILTIN_CUE_SECONDS[name]
        t = np.arange(int(seconds * HOUSE_RATE)) / HOUSE_RATE
        tone = sum(amp * np.exp(-t / decay) * np.sin(2 * np.pi * fundamental * ratio * t)
                   for ratio, amp, decay in partials)
        attack = np.minimum(1.0, t / 0.015)
        release = np.minimum(1.0, (seconds - t) / 0.3)
        out = np.asarray(tone * attack * release, dtype=np.float32)
    else:
        # capped: the script was checked, but the file may have changed since; memory stays bounded
        out = decode(Path(name), HOUSE_RATE, what=f"reading cue {name}", seconds=MAX_CUE_SECONDS)
        out = _edge_fades(out, 0.005)
    peak = float(np.max(np.abs(out))) if out.size else 0.0
    return out / peak if peak > 0 else out


def cue_length(name: str) -> int:
    return len(cue_sound(name))


class Bed:
    """An endless ambience, read block by block, calibrated to 0 LUFS (the mixer sets its level).

    Built-in beds are noise shaped in the frequency domain over a :data:`BED_LOOP` second
    period, which makes them exactly periodic: tiled end to end they have no seam at all, and
    reading a block is an index, not a filter run. (Repeats of shaped noise a minute and a
    half apart are not something a listener can hear.) A user's file is looped with a
    crossfade. Calibrating by loudness rather than RMS keeps ``ambience_level`` meaning the
    same for a rumbling brown noise and a hissing rain.
    """

    def __init__(self, name: str, rate: int = HOUSE_RATE, kept: Path | None = None) -> None:
        """``kept``: a folder where a built-in bed is kept once made (the cache's ``beds``), so
        that later builds read it instead of making it again."""
        self.name = name
        self.rate = rate
        self._position = 0
        if name in BUILTIN_BEDS:
            self._loop = _builtin_loop(name, rate, kept)
        else:
            stat = Path(name).stat()
            self._loop = _user_loop(name, stat.st_mtime_ns, stat.st_size, rate)

    @property
    def period(self) -> np.ndarray:
        """One period of the bed, as :meth:`read` repeats it from the start (not to be changed)."""
        return self._loop

    def read(self, count: int) -> np.ndarray:
        """The next ``count`` samples."""
        start = self._position % len(self._loop)
        self._position += count
        if start + count <= len(self._loop):
            return self._loop[start:start + count].copy()
        reps = (start + count) // len(self._loop) + 1
        return np.tile(self._loop, reps)[start:start + count]


@made_once(2)
def _user_loop(name: str, _mtime: int, _size: int, rate: int) -> np.ndarray:
    """A user's bed, decoded and made loopable once per build (keyed by the file's state)."""
    # the decoded buffer itself becomes the loop (folded and scaled in place): one copy in memory
    samples = np.frombuffer(decode_pcm(Path(name), rate, what=f"reading ambience {name}", seconds=BED_SECONDS_USED),
                            dtype="<f4")
    loop = _seamless_loop(samples, rate)
    loop *= np.float32(_scale_to_zero_lufs(loop[: 30 * rate], rate))  # 30 s, as for the built-ins: little memory
    return loop


BED_LOOP: Final = 90
"""Seconds in one period of a built-in bed."""
BED_FORMAT: Final = 1
"""Bumped whenever the making of a built-in bed changes, so that beds kept from before are made again."""


@made_once(2)
def _builtin_loop(name: str, rate: int, kept: Path | None = None) -> np.ndarray:
    """A built-in bed's period, read from the folder ``kept`` when it was made there before.

    Making one takes a quarter of a second or more (two transforms of its 4 million samples), each
    time a build mixes it or works out its loudness; read back, a few hundredths. A bed is the same
    on every build (a fixed seed), so it is kept like a voice's split: once per machine. A folder
    that cannot be written only means it is made again next time.
    """
    if kept is None:
        return _made_loop(name, rate)
    path = kept / f"{name}-{rate}-{BED_FORMAT}.clip"
    loop = read_clip(path, rate)
    if loop is not None and len(loop) == BED_LOOP * rate:
        return loop
    loop = _made_loop(name, rate)
    with contextlib.suppress(OSError):
        write_clip(path, loop, rate)
    return loop


def _made_loop(name: str, rate: int) -> np.ndarray:
    """Shape white noise in the frequency domain, in single precision and in place: the loop is
    made once per build and must not be the biggest thing in memory."""
    n = BED_LOOP * rate
    rng = np.random.default_rng(SEED)
    # norm="forward" (1/n, undone on the shape below): numpy 2 runs the default "backward"
    # forward transform in double precision, through double copies of the whole loop (80 MB
    # at its peak here, against 16)
    spectrum = np.fft.rfft(rng.standard_normal(n, dtype=np.float32), norm="forward")
    # the bins' frequencies in single precision from the start (rfftfreq makes them as int64, then
    # float64: 32 MB for a moment, beside the spectrum)
    f = np.arange(n // 2 + 1, dtype=np.float32)
    f *= np.float32(rate / n)
    np.maximum(f, np.float32(20.0), out=f)
    if name == "brown-noise":
        shape = 1 / f  # -6 dB/octave
    else:
        shape = 1 / np.sqrt(f)  # pink: -3 dB/octave
    shape /= np.sqrt(1 + (f / np.float32(6000.0)) ** 4)  # soften the top: no hiss
    if name == "rain":
        shape *= np.sqrt(f) / np.sqrt(1 + (np.float32(400.0) / f) ** 4)  # flatter, no rumble
    del f
    shape[0] = 0.0
    shape *= np.float32(n)
    spectrum *= shape
    del shape
    noise: np.ndarray = np.fft.irfft(spectrum, n).astype(np.float32, copy=False)
    del spectrum
    if name == "waves":
        t = np.arange(n, dtype=np.float32) / np.float32(rate)
        # slow swells: 11.25 s and 90 s periods divide the loop, so the loop stays seamless
        swell = 0.5 + 0.5 * np.sin(2 * np.pi * t / 11.25) * np.sin(2 * np.pi * t / 90.0 + 1.0)
        noise *= (0.35 + 1.1 * swell).astype(np.float32)
        del t, swell
    probe = noise[: 30 * rate]  # calibrating on a third of the loop keeps memory low
    noise *= np.float32(_scale_to_zero_lufs(probe, rate))
    return noise


def _scale_to_zero_lufs(audio: np.ndarray, rate: int) -> float:
    level = loudness(np.asarray(audio, dtype=np.float32), rate)
    return float(10 ** (-level / 20)) if np.isfinite(level) else 1.0


def _seamless_loop(audio: np.ndarray, rate: int) -> np.ndarray:
    """Fold the file's end over its start with a crossfade, so looping has no seam.

    Done in place: the result is a view of ``audio`` (all but its last crossfade), whose
    first crossfade now blends into the end, so a long bed is never copied.
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
    loop = audio[:-fade]
    loop[:fade] = (tail * g_out + head * g_in) / norm
    return loop


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
