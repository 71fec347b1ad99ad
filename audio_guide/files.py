"""Atomic output: every file is written beside its target and renamed into place.

A build that fails or is interrupted leaves the previous file untouched and no partial file
behind; readers never see a half-written guide.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; rename it over ``target`` only on success."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(target: Path, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


class Staged:
    """Several outputs written to temporary files and renamed into place together at the end.

    A guide's MP3, transcripts, chapters and episode record either all change or none does
    (the renames are back to back, after everything has been written successfully).
    """

    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []

    def path(self, target: Path) -> Path:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        os.close(fd)
        self._pending.append((Path(name), target))
        return Path(name)

    def text(self, target: Path, text: str) -> None:
        self.path(target).write_text(text, encoding="utf-8")

    def commit(self) -> None:
        for tmp, target in self._pending:
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        self._pending.clear()

    def discard(self) -> None:
        for tmp, _target in self._pending:
            tmp.unlink(missing_ok=True)
        self._pending.clear()

    def __enter__(self) -> "Staged":
        return self

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()
