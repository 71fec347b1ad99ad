"""The one place that finds and runs ffmpeg: the binary ``imageio-ffmpeg`` ships.

A system ffmpeg is never required; ``AUDIO_GUIDE_FFMPEG`` may point at another binary.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache
from typing import Iterable, Sequence

import numpy as np

from .errors import ExportError


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
        return imageio_ffmpeg.get_ffmpeg_exe()  # type: ignore[no-any-return]
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
        raise ExportError(f"{what} failed: {_tail(result.stderr)}", ) from None
    return result.stdout


def decode(source: str | os.PathLike[str] | bytes, rate: int, *, filters: str | None = None,
           what: str = "decoding audio", seconds: float | None = None) -> np.ndarray:
    """Any audio ffmpeg reads -> float32 mono at ``rate``; bytes are piped through stdin."""
    is_bytes = isinstance(source, bytes)
    args = ["-i", "pipe:0" if is_bytes else os.fspath(source)]  # type: ignore[arg-type]
    if seconds is not None:
        args += ["-t", f"{seconds:g}"]
    if filters:
        args += ["-af", filters]
    args += ["-f", "f32le", "-ac", "1", "-ar", str(rate), "pipe:1"]
    raw = run(args, input=source if is_bytes else None, what=what)  # type: ignore[arg-type]
    return np.frombuffer(raw, dtype="<f4").astype(np.float32)


def _tail(stderr: bytes, lines: int = 3) -> str:
    text = stderr.decode("utf-8", "replace").strip().splitlines()
    return " | ".join(text[-lines:]) if text else "no message"


def pipe_blocks(command: Sequence[str], blocks: "Iterable[np.ndarray]", what: str) -> tuple[int, str, int]:
    """Stream float blocks into ``command``'s stdin as little-endian float32.

    stderr is drained on a thread while we write, so a talkative ffmpeg can never fill its
    pipe and stall both processes. If ffmpeg stops reading (it failed), writing stops and its
    exit status and words tell why. Returns (exit status, stderr text, samples written).
    """
    import threading

    try:
        process = subprocess.Popen(list(command), stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as exc:
        raise ExportError(f"{what}: could not start ffmpeg ({exc.strerror}).") from None
    assert process.stdin is not None and process.stderr is not None
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.append(process.stderr.read()))  # type: ignore[union-attr]
    reader.start()
    written = 0
    try:
        for block in blocks:
            process.stdin.write(np.clip(block, -1.0, 1.0).astype("<f4").tobytes())
            written += len(block)
        process.stdin.close()
    except BrokenPipeError:
        pass
    except BaseException:
        process.kill()
        process.wait()
        reader.join()
        raise
    code = process.wait()
    reader.join()
    return code, b"".join(chunks).decode("utf-8", "replace").strip(), written
