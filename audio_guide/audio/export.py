"""Mixed stream -> MP3 (constant bit rate, ID3 tags), through the ffmpeg of imageio-ffmpeg.

The PCM is piped to ffmpeg block by block (one encode, never a re-encode of an MP3), so
encoding streams like mixing does. Tags are written with mutagen afterwards.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Iterable, Protocol, Sequence

import numpy as np
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TCON,
    TDRC,
    TIT2,
    TLAN,
    TPE1,
    TSSE,
    TXXX,
    CTOCFlags,
    Frame,
)
from mutagen.id3._tags import save_frame

from ..errors import ExportError
from ..files import shown
from ..media.ffmpeg import ffmpeg_exe
from .loudness import Loudness, measure_file, metered
from .pcm import pipe_blocks

BITRATE: Final = "96k"
"""Mono speech with a soft noise bed stays clean at 96 kb/s CBR; podcast apps want CBR."""


class ChapterMark(Protocol):
    """A chapter as the tags need it: a title and its span in seconds."""

    @property
    def title(self) -> str: ...
    @property
    def start(self) -> float: ...
    @property
    def end(self) -> float: ...


@dataclass(frozen=True)
class Tags:
    title: str
    artist: str
    album: str
    description: str
    genre: str
    date: dt.date | None = None
    language: str = "en"
    references: tuple[str, ...] = field(default=())


_TEE_SPECIAL: Final = frozenset("|[]:=\\'\"")
"""Characters the tee muxer's output list would read as its own syntax."""


def encode_measured(blocks: Iterable[np.ndarray], path: Path, rate: int) -> Loudness:
    """Encode float blocks into ``path`` and measure the MP3's loudness and true peak as it is written.

    The encoded frames go to the file and, through ffmpeg's tee muxer, to a second ffmpeg that
    decodes and meters them while the encoder runs: the file is byte for byte what
    :func:`encode_mp3` writes, and the measurement is of the MP3 itself, at no extra pass.
    """
    if _TEE_SPECIAL & set(path.name):  # never for the build's own staged names; a caller's odd name
        encode_mp3(blocks, path, rate)
        return measure_file(path)
    slave = "f=mp3:id3v2_version=0"
    command = [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
        "-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0",
        "-c:a", "libmp3lame", "-b:a", BITRATE, "-ar", str(rate), "-ac", "1", "-map", "0:a", "-map_metadata", "-1",
        "-f", "tee", f"[{slave}:write_xing=1]{path.name}|[{slave}:write_xing=0]pipe:1",
    ]
    name = Path(shown(path)).name
    with metered("mp3", f"measuring {name}") as meter:
        code, stderr, _written = pipe_blocks(command, blocks, f"encoding {name}", stdout=meter, cwd=path.parent)
    if code != 0:
        last = " | ".join(stderr.splitlines()[-3:]) or "no message"
        raise ExportError(f"ffmpeg could not encode {name}: {last}")
    return meter.result()


def encode_mp3(blocks: Iterable[np.ndarray], path: Path, rate: int) -> int:
    """Encode float blocks into ``path``; returns the number of samples written."""
    command = [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
        "-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0",
        "-c:a", "libmp3lame", "-b:a", BITRATE, "-ar", str(rate), "-ac", "1",
        "-write_xing", "1", "-id3v2_version", "0", "-map_metadata", "-1", "-f", "mp3", str(path),
    ]
    code, stderr, written = pipe_blocks(command, blocks, f"encoding {Path(shown(path)).name}")
    if code != 0:
        last = " | ".join(stderr.splitlines()[-3:]) or "no message"
        raise ExportError(f"ffmpeg could not encode {Path(shown(path)).name}: {last}")
    return written


_FIRST: Final = ("TIT2", "TPE1", "TALB", "TDRC", "TCON")
"""Frames written first, as mutagen does: the ones a reader that stops early still finds."""


class _TimeOrderedID3(ID3):
    """An ID3 tag whose CHAP frames are written in time order.

    mutagen orders frames by size, which scrambles chapters for every reader that takes them
    in frame order (anything built on ffmpeg's reader) rather than through the CTOC. Pinned
    in ``constraints.txt`` and checked by a test that reads the chapters back with ffmpeg.
    """

    def _write(self, config: object) -> bytearray:
        def key(frame: Frame) -> tuple[int, float, str]:
            name = frame.FrameID
            if name in _FIRST:
                return (_FIRST.index(name), 0, "")
            if name == "APIC":  # pictures last, as mutagen puts them: large, and read last
                return (len(_FIRST) + 3, 0, frame.HashKey)
            if name == "CTOC":
                return (len(_FIRST) + 1, 0, "")
            if name == "CHAP":
                return (len(_FIRST) + 2, float(getattr(frame, "start_time")), frame.HashKey)
            return (len(_FIRST), 0, frame.HashKey)
        frames: list[Frame] = list(self.values())  # type: ignore[no-untyped-call]
        return bytearray().join(save_frame(frame, config=config) for frame in sorted(frames, key=key))


def tag_mp3(path: Path, tags: Tags, chapters: Sequence[ChapterMark] = (), cover: Path | None = None) -> None:
    """Write ID3v2.4 tags that players and podcast apps show, with chapters and cover art.

    Chapters are one CHAP frame per section (start and end in ms, byte offsets unknown) under
    one top-level, ordered CTOC, as the ID3 chapter addendum and podcast apps expect; the
    CHAP frames themselves follow in time order too. Multi-valued text is written as one
    value (references one per line), since most readers show only the first of several.
    """
    id3: ID3 = _TimeOrderedID3()  # type: ignore[no-untyped-call]
    id3.add(TIT2(encoding=3, text=tags.title))
    id3.add(TPE1(encoding=3, text=tags.artist))
    id3.add(TALB(encoding=3, text=tags.album))
    id3.add(TCON(encoding=3, text=tags.genre))
    id3.add(COMM(encoding=3, lang="eng", desc="", text=tags.description))
    id3.add(TLAN(encoding=3, text=_iso639_2(tags.language)))
    id3.add(TSSE(encoding=3, text="audio-guide"))
    if tags.date is not None:
        id3.add(TDRC(encoding=3, text=tags.date.isoformat()))
    if tags.references:
        id3.add(TXXX(encoding=3, desc="References", text="\n".join(tags.references)))
    if chapters:
        ids = [f"chp{index}" for index in range(len(chapters))]
        id3.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=ids,
                     sub_frames=[TIT2(encoding=3, text="Chapters")]))
        for element_id, chapter in zip(ids, chapters):
            id3.add(CHAP(element_id=element_id, start_time=round(chapter.start * 1000),
                         end_time=round(chapter.end * 1000), start_offset=0xFFFFFFFF, end_offset=0xFFFFFFFF,
                         sub_frames=[TIT2(encoding=3, text=chapter.title)]))
    if cover is not None:
        mime = "image/png" if cover.suffix.lower() == ".png" else "image/jpeg"
        id3.add(APIC(encoding=3, mime=mime, type=3, desc="Cover", data=cover.read_bytes()))
    try:
        id3.save(path, v2_version=4)
    except Exception as exc:  # mutagen raises several types; the file name and reason are what matter
        raise ExportError(f"could not write tags to {Path(shown(path)).name}: {exc}") from None


def _iso639_2(language: str) -> str:
    """ID3's TLAN wants ISO 639-2; map the common cases and keep anything else as given."""
    base = language.split("-")[0].lower()
    return {"en": "eng", "de": "deu", "fr": "fra", "es": "spa", "it": "ita", "nl": "nld",
            "zh": "zho", "ja": "jpn", "pt": "por"}.get(base, base)
