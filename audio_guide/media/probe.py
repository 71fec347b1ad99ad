"""A cheap look inside a sound file: can ffmpeg decode it, how long is it, is it silent.

``validate`` must refuse a broken or absurd cue or bed before any audio is made, but it must
not pay for a full decode of a two-hour file to do so. ffmpeg decodes at most ``limit``
seconds into its ``volumedetect`` filter and throws the samples away, so a probe costs a few
milliseconds and a few megabytes of ffmpeg's own memory whatever the file holds. There is no
ffprobe in ``imageio-ffmpeg``; ffmpeg's log says everything needed.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

from ..errors import AudioGuideError
from .ffmpeg import ffmpeg_exe

PROBE_RATE: Final = 44100
"""Samples per second the probe counts in (the house rate, so lengths agree with the mixer)."""
PROBE_TIMEOUT: Final = 60.0
"""Seconds a probe may take before the file is called unreadable (a pathological file)."""

DIGITAL_SILENCE: Final = -90.0
"""volumedetect reports all-zero 16-bit samples as about -91 dB: at or below this is digital silence."""

_SAMPLES = re.compile(rb"n_samples: (\d+)")
_PEAK = re.compile(rb"max_volume: (-?inf|-?[\d.]+) dB")
_DURATION = re.compile(rb"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")


class ProbeError(AudioGuideError):
    """ffmpeg cannot read the file as audio; the message is the reason, in words for a person."""


@dataclass(frozen=True)
class AudioProbe:
    """What a probe found, up to the limit it was given."""

    seconds: float
    """Length of the audio actually decoded (at most the limit)."""
    complete: bool
    """Whether the whole file was decoded (False: it is longer than the limit)."""
    peak_db: float
    """Loudest sample in dBFS, ``-inf`` for digital silence."""
    declared: float | None
    """The length the file's header claims, when it claims one."""


def probe_audio(path: Path, limit: float) -> AudioProbe:
    """Decode at most ``limit`` seconds of ``path``; raise :class:`ProbeError` if it is not audio.

    Cached by the file's identity and state, so a script that names one cue many times (or
    ``validate`` then ``build`` in one process) probes it once.
    """
    stat = path.stat()
    return _probe(str(path), stat.st_size, stat.st_mtime_ns, limit)


@lru_cache(maxsize=64)
def _probe(path: str, _size: int, _mtime: int, limit: float) -> AudioProbe:
    command = [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info",
        "-i", os.fspath(path), "-t", f"{limit + 0.5:g}", "-vn", "-sn", "-dn",
        "-af", f"aformat=sample_fmts=s16:sample_rates={PROBE_RATE}:channel_layouts=mono,volumedetect",
        "-f", "null", "-",
    ]
    try:
        result = subprocess.run(command, capture_output=True, timeout=PROBE_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise ProbeError(f"ffmpeg could not read it within {PROBE_TIMEOUT:g} s") from None
    except OSError as exc:
        raise ProbeError(f"ffmpeg could not be run ({exc.strerror})") from None
    log = result.stderr
    if result.returncode != 0:
        raise ProbeError(f"ffmpeg cannot decode it as audio ({_reason(log)})")
    samples = [int(n) for n in _SAMPLES.findall(log)]
    peaks = _PEAK.findall(log)
    count = samples[-1] if samples else 0
    seconds = count / PROBE_RATE
    peak = peaks[-1].decode() if peaks and count else "-inf"  # no samples (a header alone): nothing to hear
    declared = _DURATION.search(log)
    return AudioProbe(
        seconds=min(seconds, limit + 0.5),
        complete=seconds <= limit,
        peak_db=-math.inf if "inf" in peak or float(peak) <= DIGITAL_SILENCE else float(peak),
        declared=(int(declared[1]) * 3600 + int(declared[2]) * 60 + float(declared[3])) if declared else None,
    )


def _reason(log: bytes) -> str:
    """ffmpeg's own last error line, without its ``[demuxer @ 0x...]`` prefix."""
    lines = [re.sub(r"^\[[^\]]*\]\s*", "", line) for line in log.decode("utf-8", "replace").splitlines()]
    errors = [line for line in lines if "rror" in line or "nvalid" in line] or lines
    return errors[-1] if errors else "no message"
