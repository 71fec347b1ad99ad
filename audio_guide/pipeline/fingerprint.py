"""Skip what is up to date: a guide's fingerprint, and the record its last build left.

A fingerprint covers everything that decides a guide's outputs (the resolved script, the
files it names, the voice's identity and the tool's own code) and nothing that does not
(where a line sits in the file, the path as typed). Equal fingerprints mean equal outputs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

from .. import engines
from ..errors import AudioGuideError
from ..podcast import Episode
from ..script import Cue, Guide, Hold
from ..version import VERSION
from .options import Options

_PACKAGE = Path(__file__).resolve().parent.parent
_POSITION_FIELDS = frozenset({"where"})
"""Dataclass fields that say where a value was written, not what it is."""


def fingerprint(guide: Guide, options: Options) -> str:
    """A digest of everything that decides the guide's outputs."""
    settled = dataclasses.replace(guide, path=guide.path.resolve())
    digest = hashlib.sha256()
    digest.update(json.dumps(_canonical(settled), sort_keys=True, ensure_ascii=False).encode("utf-8"))
    for voice in guide.voices():  # a voice model's digest: the same name, retrained, sounds different
        digest.update(engines.identity(voice.engine, voice.voice_id).encode("utf-8"))
    digest.update(_tool_digest().encode("ascii"))
    for path in sorted(referenced_files(guide, options)):  # contents only: moving the cache changes nothing
        named = guide.cover is None and path == options.cover and options.cover_digest is not None
        digest.update((f"named:{options.cover_digest}" if named else _file_digest(path)).encode("utf-8"))
    return digest.hexdigest()


def _canonical(value: object) -> object:
    """Plain data for hashing: dataclasses field by field (positions left out), exact numbers as text.

    Walking the fields, rather than editing ``repr()``, leaves a ``say`` line's own text whole
    whatever it holds.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"": type(value).__name__,
                **{f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)
                   if f.name not in _POSITION_FIELDS}}
    if isinstance(value, (tuple, list)):
        return [_canonical(item) for item in value]
    if isinstance(value, (Path, Fraction, dt.date)):
        return f"{type(value).__name__}:{value}"
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot fingerprint a {type(value).__name__}")  # a new model field of a new kind


def referenced_files(guide: Guide, options: Options) -> set[Path]:
    """Every file the guide's outputs are made from, besides the script itself."""
    found = {p for p in (guide.cover or options.cover,) if p is not None}
    for value in (guide.sound.ambience, guide.sound.cue):
        if Path(value).is_absolute():
            found.add(Path(value))

    for step in guide.written_steps():
        sound = step.sound if isinstance(step, Cue) else step.cue if isinstance(step, Hold) else None
        if sound and Path(sound).is_absolute():
            found.add(Path(sound))
    return found


def _file_digest(path: Path) -> str:
    """A file's content digest, computed once per state of the file (size, modification time).

    A build asks twice (whether to place the podcast cover, then per guide) and ``watch``
    asks on every save: a producer's 1 GB ambience file must be read once, in blocks.
    """
    try:
        info = path.stat()
    except OSError:
        return "missing"
    return _digest_of(str(path), info.st_size, info.st_mtime_ns)


@lru_cache(maxsize=256)
def _digest_of(path: str, _size: int, _mtime: int) -> str:
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return "missing"


_TOOL_DIGEST: list[str] = []


def _tool_digest() -> str:
    """The version plus a digest of the package's own code, so a changed tool rebuilds."""
    if not _TOOL_DIGEST:
        digest = hashlib.sha256(VERSION.encode("ascii"))
        for source in sorted(_PACKAGE.rglob("*.py")):
            digest.update(source.read_bytes())
        _TOOL_DIGEST.append(digest.hexdigest())
    return _TOOL_DIGEST[0]


def previous_episode(guide: Guide, options: Options) -> Episode | None:
    """The record the last build of this guide left, or ``None`` if there is none readable."""
    record = options.out_dir / f"{guide.slug}.episode.json"
    try:
        return Episode.from_json(record.read_text(encoding="utf-8"), str(record))
    except (OSError, AudioGuideError):
        return None


def up_to_date(guide: Guide, options: Options, stamp: str) -> Episode | None:
    """The previous build's episode if its fingerprint matches and all its outputs are intact."""
    episode = previous_episode(guide, options)
    if episode is None or episode.fingerprint != stamp:
        return None
    out = options.out_dir
    files = [episode.transcript_vtt, episode.transcript_srt, episode.transcript_txt, episode.chapters_json,
             *([episode.cover] if episode.cover else [])]
    if not all((out / name).is_file() for name in files):
        return None
    mp3 = out / episode.mp3
    if not mp3.is_file() or mp3.stat().st_size != episode.size:
        return None
    return episode


def previous_gain(guide: Guide, options: Options) -> float | None:
    """The gain the last build of this guide used, if it aimed at the same loudness."""
    previous = previous_episode(guide, options)
    if previous is None or previous.loudness_target != guide.sound.loudness:
        return None
    return previous.gain_db
