"""Loudness and true peak (EBU R128 / ITU BS.1770) measured by ffmpeg's ``ebur128`` filter.

Used twice per build: on the mix before encoding (to set the gain), and on the MP3 as written
(to prove the target and the true-peak ceiling hold after the encoder, which can add peaks).
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np

from .errors import ExportError
from .ffmpeg import ffmpeg_exe
from .files import shown

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


def _command(source: str, true_peak: bool = True) -> list[str]:
    meter = "ebur128=peak=true:framelog=quiet" if true_peak else "ebur128=framelog=quiet"
    return [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info", *source.split("\x00"),
            "-af", meter, "-f", "null", "-"]


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


def measure_file(path: Path) -> Loudness:
    result = subprocess.run(_command(f"-i\x00{path}"), capture_output=True, check=False)
    if result.returncode != 0:
        raise ExportError(f"could not measure loudness of {shown(path)}: "
                          f"{' | '.join(result.stderr.decode('utf-8', 'replace').strip().splitlines()[-2:])}")
    return _parse(result.stderr)


def measure_stream(blocks: Iterable[np.ndarray], rate: int, true_peak: bool = True) -> Loudness:
    """Measure float blocks as they are produced, without holding the whole mix.

    ``true_peak=False`` skips the 4x oversampling (true peak is then NaN): much faster.
    """
    import threading

    try:
        process = subprocess.Popen(_command(f"-f\x00f32le\x00-ar\x00{rate}\x00-ac\x001\x00-i\x00pipe:0", true_peak),
                                   stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as exc:
        raise ExportError(f"could not start ffmpeg to measure loudness ({exc.strerror}).") from None
    assert process.stdin is not None
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.append(process.stderr.read()))  # type: ignore[union-attr]
    reader.start()
    try:
        for block in blocks:
            process.stdin.write(np.asarray(block, dtype="<f4").tobytes())
        process.stdin.close()
    except BrokenPipeError:
        pass  # ffmpeg stopped reading: its exit status and words below say why
    except BaseException:
        process.kill()
        process.wait()
        reader.join()
        raise
    code = process.wait()
    reader.join()
    if code != 0:
        words = b"".join(chunks).decode("utf-8", "replace").strip().splitlines()
        raise ExportError(f"ffmpeg could not measure the loudness of the mix: {' | '.join(words[-3:]) or 'no message'}")
    return _parse(b"".join(chunks))
