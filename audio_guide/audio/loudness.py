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

from ..errors import ExportError
from ..files import shown
from ..media.ffmpeg import ffmpeg_exe
from .pcm import pipe_blocks

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
    code, stderr, _written = pipe_blocks(
        _command(f"-f\x00f32le\x00-ar\x00{rate}\x00-ac\x001\x00-i\x00pipe:0", true_peak), blocks,
        "measuring loudness")
    if code != 0:
        words = stderr.splitlines()
        raise ExportError(f"ffmpeg could not measure the loudness of the mix: {' | '.join(words[-3:]) or 'no message'}")
    return _parse(stderr.encode("utf-8"))
