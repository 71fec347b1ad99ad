"""Sound and image files made by the tests themselves: real ones, broken ones, hostile ones."""

from __future__ import annotations

import io
import math
import struct
import wave
import zlib
from pathlib import Path

RATE = 8000


def tone_wav(seconds: float = 2.0, *, amplitude: float = 0.5, rate: int = RATE, frequency: float = 440.0) -> bytes:
    """A real 16-bit mono WAV: a steady tone (``amplitude`` 0 gives digital silence)."""
    count = int(seconds * rate)
    frames = b"".join(struct.pack("<h", int(amplitude * 32767 * math.sin(2 * math.pi * frequency * i / rate)))
                      for i in range(count))
    return wav_bytes(frames, rate)


def wav_bytes(frames: bytes, rate: int = RATE, width: int = 2) -> bytes:
    """A WAV file around ``frames`` (already encoded at ``width`` bytes a sample, mono)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as fh:
        fh.setnchannels(1)
        fh.setsampwidth(width)
        fh.setframerate(rate)
        fh.writeframes(frames)
    return buffer.getvalue()


def long_wav(path: Path, seconds: float, rate: int = 8000) -> None:
    """A long, non-silent 8-bit WAV (a square wave) written quickly, without holding it in memory."""
    period = b"\x60" * 10 + b"\xa0" * 10
    total = int(seconds * rate)
    with wave.open(str(path), "wb") as fh:
        fh.setnchannels(1)
        fh.setsampwidth(1)
        fh.setframerate(rate)
        block = period * (rate // len(period))
        written = 0
        while written < total:
            piece = block[: total - written]
            fh.writeframesraw(piece)
            written += len(piece)


def png(width: int, height: int, *, colour_type: int = 2, bit_depth: int = 8, extra: bytes = b"") -> bytes:
    """A valid single-colour PNG, built chunk by chunk so that huge sizes stay cheap to make.

    ``extra`` holds chunks to insert before the image data (after the palette) (e.g. a ``tRNS``). The rows are
    compressed as they are made, so a 30000x30000 image costs seconds, not gigabytes.
    """
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour_type]
    row = b"\x00" + bytes((width * channels * bit_depth + 7) // 8)
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    body = chunk(b"IHDR", header)
    if colour_type == 3:
        body += chunk(b"PLTE", b"\x20\x30\x60")
    body += extra
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
