"""The one place that finds and runs ffmpeg: the binary ``imageio-ffmpeg`` ships.

A system ffmpeg is never required; ``AUDIO_GUIDE_FFMPEG`` may point at another binary. Nothing
here touches numpy: checking a script (probing its files) must stay cheap.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache
from typing import Sequence

from ..errors import ExportError


@cache
def ffmpeg_exe() -> str:
    override = os.environ.get("AUDIO_GUIDE_FFMPEG")
    if override:
        found = shutil.which(override)
        if found is None:
            raise ExportError(f"AUDIO_GUIDE_FFMPEG is set to '{override}', which is not a program that can be run; "
                              "correct it, or unset it to use the ffmpeg that imageio-ffmpeg ships.")
        return found
    try:
        import imageio_ffmpeg
    except ImportError:
        raise ExportError("ffmpeg is needed; install it with: pip install imageio-ffmpeg") from None
    try:
        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except RuntimeError as exc:  # the bundled binary is missing (a broken install)
        raise ExportError(f"ffmpeg is needed but was not found ({exc}); reinstall imageio-ffmpeg.") from None


def run(args: Sequence[str], *, input: bytes | None = None, what: str = "ffmpeg") -> bytes:
    """Run ffmpeg quietly; on failure raise ExportError with the command and ffmpeg's last words."""
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", *args]
    try:
        result = subprocess.run(command, input=input, capture_output=True, check=False)
    except OSError as exc:
        raise ExportError(f"{what}: could not run ffmpeg ({exc.strerror}).") from None
    if result.returncode != 0:
        raise ExportError(f"{what} failed: {last_words(result.stderr)}", ) from None
    return result.stdout


def last_words(stderr: bytes, lines: int = 3) -> str:
    text = stderr.decode("utf-8", "replace").strip().splitlines()
    return " | ".join(text[-lines:]) if text else "no message"


def decode_pcm(source: str | os.PathLike[str] | bytes, rate: int, *, filters: str | None = None,
               what: str = "decoding audio", seconds: float | None = None) -> bytes:
    """Any audio ffmpeg reads -> raw float32 little-endian mono at ``rate``; bytes are piped through stdin."""
    data = source if isinstance(source, bytes) else None
    args = ["-i", "pipe:0" if isinstance(source, bytes) else os.fspath(source)]
    if seconds is not None:
        args += ["-t", f"{seconds:g}"]
    if filters:
        args += ["-af", filters]
    args += ["-f", "f32le", "-ac", "1", "-ar", str(rate), "pipe:1"]
    return run(args, input=data, what=what)
