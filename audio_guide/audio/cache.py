"""A content-addressed cache of finished speech clips (house format, after trimming and levelling).

The key covers everything that changes the sound: engine and voice identity (version, model
digest), the speaker, rate, language, the exact text, and :data:`PROCESSING` (bumped whenever the clip
preparation changes). Entries are written to a temporary file and renamed into place, and each
carries a checksum of its samples: two builds at once can only race to write the same good
file, and a damaged entry is noticed, removed and made again.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import struct
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np

from ..places import cache_dir, cache_problem

PROCESSING: Final = "clip-v2"
MAGIC: Final = b"AGSPEECH1"
_HEADER = struct.Struct("<9sIQ32s")  # magic, rate, sample count, sha256 of the payload


def speech_key(identity: str, text: str, *, voice: str | None, rate: float, language: str,
               speaker: str | None = None) -> str:
    fields: dict[str, object] = {"engine": identity, "voice": voice, "rate": round(rate, 6), "language": language,
                                 "text": text, "processing": PROCESSING}
    if speaker is not None:  # only when there is one: a single-speaker voice keeps the keys it had
        fields["speaker"] = speaker
    payload = json.dumps(fields, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CacheInfo:
    path: Path
    entries: int
    bytes: int


class SpeechCache:
    """Clips stored as ``speech/ab/<key>.clip``: a small header, then float32 samples."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = cache_dir(root)
        self.speech = self.root / "speech"
        self.beds = self.root / "beds"
        """Where the built-in ambience beds are kept once made (:class:`~.sounds.Bed`)."""

    def _path(self, key: str) -> Path:
        return self.speech / key[:2] / f"{key}.clip"

    def length(self, key: str) -> int | None:
        """Sample count from the header alone: ``plan`` uses it without reading audio."""
        try:
            with self._path(key).open("rb") as fh:
                head = fh.read(_HEADER.size)
        except OSError:
            return None
        if len(head) != _HEADER.size:
            return None
        magic, _rate, count, _digest = _HEADER.unpack(head)
        return int(count) if magic == MAGIC else None

    def get(self, key: str, rate: int) -> np.ndarray | None:
        """The clip, or ``None`` when missing or damaged (a damaged entry is removed)."""
        clip = read_clip(self._path(key), rate)
        return None if clip is None else clip.copy()

    def put(self, key: str, samples: np.ndarray, rate: int) -> None:
        try:
            write_clip(self._path(key), samples, rate)
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise
            raise cache_problem(self.root, exc) from None

    def sweep(self, older_than: float = 3600.0) -> int:
        """Remove temporary files a killed writer left; young ones may belong to a live build."""
        removed = 0
        if self.speech.is_dir():
            cutoff = time.time() - older_than
            for tmp in self.speech.rglob(".tmp-*"):
                try:
                    if tmp.stat().st_mtime < cutoff:
                        tmp.unlink()
                        removed += 1
                except OSError:
                    continue
        return removed

    def info(self) -> CacheInfo:
        self.sweep()
        entries = size = 0
        if self.speech.is_dir():
            for file in self.speech.rglob("*.clip"):
                entries += 1
                size += file.stat().st_size
        return CacheInfo(self.root, entries, size)

    def clear(self) -> CacheInfo:
        """Remove every entry; returns what was there."""
        before = self.info()
        shutil.rmtree(self.speech, ignore_errors=True)
        return before


def read_clip(path: Path, rate: int) -> np.ndarray | None:
    """The samples of the clip file ``path`` (read-only), or ``None`` when it is missing, at another
    rate or damaged (a damaged file is removed, to be made again)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if len(data) >= _HEADER.size:
        magic, stored_rate, count, digest = _HEADER.unpack_from(data)
        payload = memoryview(data)[_HEADER.size:]  # a view: a bed's 16 MB are not copied to be checked
        if (magic == MAGIC and stored_rate == rate and len(payload) == 4 * count
                and hashlib.sha256(payload).digest() == digest):
            return np.frombuffer(payload, dtype="<f4")
    path.unlink(missing_ok=True)
    return None


def write_clip(path: Path, samples: np.ndarray, rate: int) -> None:
    """Write ``samples`` as the clip file ``path``: under a temporary name, then renamed into place,
    so a reader never finds half a file (two builds writing the same clip race harmlessly)."""
    payload = np.ascontiguousarray(samples, dtype="<f4").tobytes()
    header = _HEADER.pack(MAGIC, rate, len(samples), hashlib.sha256(payload).digest())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(header)
            fh.write(payload)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
