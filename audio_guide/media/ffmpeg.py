"""The one place that finds and runs ffmpeg: the binary ``imageio-ffmpeg`` ships.

A system ffmpeg is never required; ``AUDIO_GUIDE_FFMPEG`` may point at another binary. Nothing
here touches numpy: checking a script (probing its files) must stay cheap.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from functools import cache
from typing import Sequence, cast

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
               what: str = "decoding audio", seconds: float | None = None) -> bytearray:
    """Any audio ffmpeg reads -> raw float32 little-endian mono at ``rate``; bytes are piped through stdin.

    The samples are read into one growing buffer, never held twice (as ``communicate()``'s
    list of pieces and their join would): decoding three minutes of a producer's ambience
    costs its 32 MB once.
    """
    args = ["-i", "pipe:0" if isinstance(source, bytes) else os.fspath(source)]
    if seconds is not None:
        args += ["-t", f"{seconds:g}"]
    if filters:
        args += ["-af", filters]
    args += ["-f", "f32le", "-ac", "1", "-ar", str(rate), "pipe:1"]
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", *args]
    if isinstance(source, bytes):  # small (an engine's MP3): the simple way is fine
        return bytearray(run(args, input=source, what=what))
    # with a length limit the most it can be is known: one buffer of that size, filled in place
    out = bytearray(int(seconds * rate + 1) * 4 if seconds is not None else 0)
    filled = 0
    with tempfile.TemporaryFile() as errors:
        try:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors)
        except OSError as exc:
            raise ExportError(f"{what}: could not run ffmpeg ({exc.strerror}).") from None
        assert process.stdout is not None
        stdout = cast(io.BufferedReader, process.stdout)  # Popen's pipes are buffered readers (bufsize -1)
        with stdout:
            while True:
                if filled == len(out):
                    out += bytes(max(1 << 20, len(out) // 4))  # unknown length: grow by a quarter
                with memoryview(out) as view:
                    count = stdout.readinto(view[filled:])
                if not count:
                    break
                filled += count
        code = process.wait()
        del out[filled:]
        if code != 0:
            errors.seek(0)
            raise ExportError(f"{what} failed: {last_words(errors.read())}")
    return out
