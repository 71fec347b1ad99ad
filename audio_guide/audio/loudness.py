"""Loudness and true peak (EBU R128 / ITU BS.1770) measured by ffmpeg's ``ebur128`` filter.

Measured on the MP3 as it is written (to prove the target and the true-peak ceiling hold after
the encoder, which can add peaks), by a meter fed the encoded frames while the encoder runs.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..errors import ExportError
from ..files import shown
from ..media.ffmpeg import ffmpeg_exe

_SUMMARY = re.compile(r"Integrated loudness:\s*I:\s*(?P<i>-?[\d.]+|-inf) LUFS.*?"
                      r"LRA:\s*(?P<lra>-?[\d.]+) LU(?:.*?True peak:\s*Peak:\s*(?P<tp>-?[\d.]+|-inf) dBFS)?", re.S)


@dataclass(frozen=True)
class Loudness:
    integrated: float
    """LUFS, gated as BS.1770 says (quiet stretches do not pull it down)."""
    true_peak: float
    """dBTP, from 4x oversampling."""
    lra: float
    """Loudness range, LU."""


def _command(source: str) -> list[str]:
    return [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info", *source.split("\x00"),
            "-af", "ebur128=peak=true:framelog=quiet", "-f", "null", "-"]


def _parse(stderr: bytes) -> Loudness:
    text = stderr.decode("utf-8", "replace")
    match = None
    for match in _SUMMARY.finditer(text):
        pass
    if match is None:
        raise ExportError(f"could not measure loudness: {' | '.join(text.strip().splitlines()[-3:])}")

    def num(value: str) -> float:
        return float("-inf") if value == "-inf" else float(value)
    return Loudness(num(match["i"]), num(match["tp"]) if match["tp"] else float("nan"), num(match["lra"]))


class Meter:
    """An ffmpeg metering what is written into :attr:`stdin` (see :func:`metered`)."""

    def __init__(self, process: subprocess.Popen[bytes], what: str) -> None:
        self._process = process
        self._what = what
        self._said: list[bytes] = []
        self._reader = threading.Thread(target=lambda: self._said.append(process.stderr.read()))  # type: ignore[union-attr]
        self._reader.start()

    def fileno(self) -> int:
        """The meter's input, for a producer process to write into directly."""
        assert self._process.stdin is not None
        return self._process.stdin.fileno()

    def close(self) -> int:
        if self._process.stdin is not None:
            self._process.stdin.close()
        code = self._process.wait()
        self._reader.join()
        return code

    def result(self) -> Loudness:
        said = b"".join(self._said)
        if self._process.returncode != 0:
            words = said.decode("utf-8", "replace").strip().splitlines()
            raise ExportError(f"{self._what}: ffmpeg could not measure it: {' | '.join(words[-3:]) or 'no message'}")
        return _parse(said)


@contextlib.contextmanager
def metered(kind: str, what: str) -> Iterator[Meter]:
    """A loudness and true-peak meter for a stream of ``kind`` (e.g. ``mp3``) fed by another process.

    The meter runs alongside its producer, on the other core: measuring costs no pass of its own.
    On leaving the block its input is closed and it finishes; :meth:`Meter.result` then reads it.
    """
    try:
        process = subprocess.Popen(_command(f"-f\x00{kind}\x00-i\x00pipe:0"), stdin=subprocess.PIPE,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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
    result = subprocess.run(_command(f"-i\x00{path}"), capture_output=True, check=False)
    if result.returncode != 0:
        raise ExportError(f"could not measure loudness of {shown(path)}: "
                          f"{' | '.join(result.stderr.decode('utf-8', 'replace').strip().splitlines()[-2:])}")
    return _parse(result.stderr)
