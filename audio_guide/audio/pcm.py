"""PCM in and out of ffmpeg as numpy arrays: decoding sound files, streaming blocks into encoders.

Streaming keeps memory flat: a guide of any length is piped block by block, never held whole.
"""

from __future__ import annotations

import contextlib
import os
import queue
import subprocess
import threading
from typing import Any, Final, Iterable, Sequence

import numpy as np

from ..errors import ExportError
from ..media.ffmpeg import decode_pcm
from ..stopping import on_stop, stopped

AHEAD: Final = 2
"""Blocks mixed ahead of the encoder, at most (a block is a few seconds of sound)."""


def decode(source: str | os.PathLike[str] | bytes, rate: int, *, filters: str | None = None,
           what: str = "decoding audio", seconds: float | None = None) -> np.ndarray:
    """Any audio ffmpeg reads -> float32 mono at ``rate``; bytes are piped through stdin."""
    raw = decode_pcm(source, rate, filters=filters, what=what, seconds=seconds)
    return np.frombuffer(raw, dtype="<f4").astype(np.float32)


def pipe_blocks(command: Sequence[str], blocks: "Iterable[np.ndarray]", what: str, *,
                stdout: Any = None, cwd: "os.PathLike[str] | None" = None) -> tuple[int, str, int]:
    """Stream float blocks into ``command``'s stdin as little-endian float32.

    The blocks are written on a thread of their own, a couple ahead at most: the next block is
    mixed while ffmpeg reads this one. Written from the mixing thread, each block waited for the
    encoder to take the last, and the encoder then waited for the next block to be mixed, in
    turn, for the whole guide. stderr is drained on a
    thread too, so a talkative ffmpeg can never fill its pipe and stall both processes. If
    ffmpeg stops reading (it failed), writing stops and its exit status and words tell why.
    ``stdout`` is where ffmpeg's output goes (a file object or descriptor, e.g. the pipe into a
    meter). Returns (exit status, stderr text, samples written). Run under a stop (see
    :mod:`audio_guide.stopping`), ffmpeg is killed the moment the build stops, and
    :class:`~audio_guide.stopping.Stopped` is raised.
    """
    try:
        process = subprocess.Popen(list(command), stdin=subprocess.PIPE, stderr=subprocess.PIPE, stdout=stdout,
                                   cwd=cwd)
    except OSError as exc:
        raise ExportError(f"{what}: could not start ffmpeg ({exc.strerror}).") from None
    assert process.stdin is not None and process.stderr is not None
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.append(process.stderr.read()))  # type: ignore[union-attr]
    reader.start()
    pending: queue.Queue[bytes | None] = queue.Queue(maxsize=AHEAD)
    failed = threading.Event()  # ffmpeg stopped reading: what is still queued is dropped

    def write() -> None:
        while (data := pending.get()) is not None:
            if failed.is_set():
                continue
            try:
                process.stdin.write(data)  # type: ignore[union-attr]
            except OSError:  # a broken pipe: ffmpeg failed, and its exit status says why
                failed.set()
    writer = threading.Thread(target=write)
    writer.start()
    written = 0
    # stopped, ffmpeg is killed: a write blocked on its full pipe fails, and the loop sees the stop
    with on_stop(process.kill):
        try:
            for block in blocks:
                stopped()
                if failed.is_set():
                    break
                pending.put(np.clip(block, -1.0, 1.0).astype("<f4").tobytes())
                written += len(block)
        except BaseException:
            failed.set()
            process.kill()  # a write waiting on a full pipe fails now, and the writer drains the queue
            pending.put(None)
            writer.join()
            process.wait()
            reader.join()
            raise
        pending.put(None)
        writer.join()
        with contextlib.suppress(BrokenPipeError):
            process.stdin.close()
        code = process.wait()
        reader.join()
    stopped()
    return code, b"".join(chunks).decode("utf-8", "replace").strip(), written
