"""Loudness and true peak (EBU R128 / ITU BS.1770) of an MP3, as it is written or as a file.

ffmpeg decodes it and measures its loudness with its ``ebur128`` filter, and hands the decoded
samples on to :mod:`.truepeak`, which finds their true peak at a small part of the filter's cost
for the same (see there). Measured on the MP3 as it is written (to prove the target and the
true-peak ceiling hold after the encoder, which can add peaks), by a meter fed the encoded
frames while the encoder runs.
"""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Iterator

import numpy as np

from ..errors import ExportError
from ..files import shown
from ..media.ffmpeg import ffmpeg_exe
from .truepeak import TruePeak, to_db

_SUMMARY = re.compile(r"Integrated loudness:\s*I:\s*(?P<i>-?[\d.]+|-inf) LUFS.*?LRA:\s*(?P<lra>-?[\d.]+) LU", re.S)


@dataclass(frozen=True)
class Loudness:
    integrated: float
    """LUFS, gated as BS.1770 says (quiet stretches do not pull it down)."""
    true_peak: float
    """dBTP, from 4x oversampling (BS.1770-4 Annex 2's interpolator)."""
    lra: float
    """Loudness range, LU."""


FRAME_SAMPLES: Final = 65536
"""Samples in each frame the meter's ffmpeg hands on after measuring: it passes every frame from
thread to thread (filter, encoder, writer), and an MP3's own frames of 1152 samples made that
handing over about a third of its processor time (2.3 s on an 18-minute guide; 1.5 s so)."""


def _command(source: str) -> list[str]:
    """ffmpeg reading ``source`` (its input options, NUL-separated): the loudness on stderr, the
    decoded samples (float32 mono) on stdout."""
    return [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info", *source.split("\x00"),
            "-af", f"ebur128=framelog=quiet,asetnsamples=n={FRAME_SAMPLES}:p=0", "-ac", "1", "-f", "f32le", "pipe:1"]


def _parse(stderr: bytes, true_peak: float) -> Loudness:
    text = stderr.decode("utf-8", "replace")
    match = None
    for match in _SUMMARY.finditer(text):
        pass
    if match is None:
        raise ExportError(f"could not measure loudness: {' | '.join(text.strip().splitlines()[-3:])}")

    def num(value: str) -> float:
        return float("-inf") if value == "-inf" else float(value)
    return Loudness(num(match["i"]), true_peak, num(match["lra"]))


READ_BYTES: Final = 1 << 18
"""Decoded samples taken from the meter at a time (1.5 s of mono float at 44.1 kHz): the true-peak
meter works on a few copies of them, beside the encoder and its meter."""


class Meter:
    """An ffmpeg metering what is written into its input (see :func:`metered`), or a file."""

    def __init__(self, process: subprocess.Popen[bytes], what: str) -> None:
        self._process = process
        self._what = what
        self._said: list[bytes] = []
        self._peak = TruePeak()
        self._failed: Exception | None = None
        self._readers = [threading.Thread(target=lambda: self._said.append(process.stderr.read())),  # type: ignore[union-attr]
                         threading.Thread(target=self._samples)]
        for reader in self._readers:
            reader.start()

    def _samples(self) -> None:
        """The decoded samples, into the true-peak meter as they come. Should the meter fail, the
        rest is still read (an ffmpeg left writing into a full pipe would hold up the encoder)."""
        out = self._process.stdout
        assert isinstance(out, io.BufferedIOBase)  # readinto fills the block, but at the end
        block = bytearray(READ_BYTES)
        while got := out.readinto(block):
            if self._failed is None:
                try:
                    self._peak.feed(np.frombuffer(block, "<f4", got // 4))
                except Exception as exc:  # noqa: BLE001 - raised in result(), on the caller's thread
                    self._failed = exc

    def fileno(self) -> int:
        """The meter's input, for a producer process to write into directly."""
        assert self._process.stdin is not None
        return self._process.stdin.fileno()

    def close(self) -> int:
        if self._process.stdin is not None:
            self._process.stdin.close()
        code = self._process.wait()
        for reader in self._readers:
            reader.join()
        return code

    def result(self) -> Loudness:
        said = b"".join(self._said)
        if self._process.returncode != 0:
            words = said.decode("utf-8", "replace").strip().splitlines()
            raise ExportError(f"{self._what}: ffmpeg could not measure it: {' | '.join(words[-3:]) or 'no message'}")
        if self._failed is not None:
            raise ExportError(f"{self._what}: its true peak could not be measured ({self._failed}).")
        return _parse(said, to_db(self._peak.finish()))


@contextlib.contextmanager
def metered(kind: str, what: str) -> Iterator[Meter]:
    """A loudness and true-peak meter for a stream of ``kind`` (e.g. ``mp3``) fed by another process.

    The meter runs alongside its producer, on the other core: measuring costs no pass of its own.
    On leaving the block its input is closed and it finishes; :meth:`Meter.result` then reads it.
    """
    try:
        process = subprocess.Popen(_command(f"-f\x00{kind}\x00-i\x00pipe:0"), stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as exc:
        raise ExportError(f"{what}: could not start ffmpeg ({exc.strerror}).") from None
    meter = Meter(process, what)
    try:
        yield meter
    except BaseException:
        process.kill()
        meter.close()
        raise
    meter.close()


def measure_file(path: Path) -> Loudness:
    """The loudness and true peak of the sound file ``path``, as :func:`metered` measures a stream."""
    what = f"measuring {shown(path)}"
    try:
        process = subprocess.Popen(_command(f"-i\x00{path}"), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
    except OSError as exc:
        raise ExportError(f"{what}: could not start ffmpeg ({exc.strerror}).") from None
    meter = Meter(process, what)
    meter.close()
    return meter.result()
