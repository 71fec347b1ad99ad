"""Atomic output: every file is written beside its target and renamed into place.

A build that fails or is interrupted leaves the previous file untouched and no partial file
behind; readers never see a half-written guide.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import Iterator

_PART = re.compile(r"^\.(?P<name>.+)\.[A-Za-z0-9_]+\.part$")
"""The temporary names below: ``.NAME.xxxxxxxx.part`` beside the target ``NAME``."""


def shown(path: str | os.PathLike[str]) -> str:
    """The path as the user knows it: a temporary ``.NAME.xxxx.part`` is shown as ``NAME``.

    Error messages name the file being made, not the hidden file it is written through
    (which no longer exists by the time the message is read).
    """
    where = Path(path)
    match = _PART.match(where.name)
    return str(where.with_name(match["name"]) if match else where)


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
    write_bytes(target, text.encode("utf-8"))


def write_bytes(target: Path, data: bytes) -> None:
    """Replace ``target`` atomically, unless it already holds exactly ``data``.

    Leaving an unchanged file alone keeps its modification time, so a build that changes
    nothing changes nothing on disk either (mirrors, rsync and HTTP caches see no update).
    """
    try:
        if target.stat().st_size == len(data) and target.read_bytes() == data:
            return
    except OSError:
        pass  # missing or unreadable: write it
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
        try:
            while self._pending:
                tmp, target = self._pending[0]
                os.chmod(tmp, 0o644)
                os.replace(tmp, target)
                self._pending.pop(0)
        finally:  # a rename that failed leaves no temporary file behind (the rest are discarded)
            self.discard()

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


def remove_stale_parts(folder: Path) -> int:
    """Delete temporary ``.NAME.xxxx.part`` files that a killed build left behind.

    Called under the output folder's build lock, so no running build owns them.
    """
    removed = 0
    if folder.is_dir():
        for path in folder.iterdir():
            if _PART.match(path.name) and path.is_file():
                path.unlink(missing_ok=True)
                removed += 1
    return removed
