"""What a built guide offers a podcast: the record that ties the MP3 to its sidecars.

``build`` writes one ``<slug>.episode.json`` beside each MP3; ``audio-guide feed`` reads them
back, so the feed and the listening page can be remade without re-rendering any audio.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import FeedError


@dataclass(frozen=True)
class Chapter:
    title: str
    start: float
    """Seconds from the start of the MP3."""
    end: float


@dataclass(frozen=True)
class Cue:
    """One transcript cue: a spoken line (or part of one) with its real position."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Episode:
    slug: str
    title: str
    description: str
    author: str
    language: str
    mp3: str
    """File names are relative to the output folder, so the folder can move or be served."""
    size: int
    """Bytes of the MP3, for the enclosure length."""
    duration: float
    """Seconds, exactly as the MP3 decodes."""
    published: dt.date | None
    chapters: tuple[Chapter, ...]
    cues: tuple[Cue, ...]
    transcript_vtt: str
    transcript_srt: str
    transcript_txt: str
    chapters_json: str
    cover: str | None = None
    references: tuple[str, ...] = field(default=())
    fingerprint: str = ""
    """What the outputs were made from (see ``builder.fingerprint``): equal means up to date."""
    gain_db: float | None = None
    """Gain that brought the mix to its loudness target: the next build starts from it."""
    loudness_target: float | None = None
    season: int | None = None
    number: int | None = None
    """The episode number (``episode:`` in the script)."""
    draft: bool = False
    """Built, but not published: the feed and the page leave it out."""

    def to_json(self) -> str:
        data: dict[str, Any] = asdict(self)
        data["published"] = self.published.isoformat() if self.published else None
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    @staticmethod
    def from_json(text: str, source: str = "episode") -> "Episode":
        try:
            data = json.loads(text)
            data["published"] = dt.date.fromisoformat(data["published"]) if data.get("published") else None
            data["chapters"] = tuple(Chapter(**c) for c in data["chapters"])
            data["cues"] = tuple(Cue(**c) for c in data["cues"])
            data["references"] = tuple(data.get("references") or ())
            return Episode(**data)
        except (ValueError, KeyError, TypeError) as exc:
            raise FeedError(f"{source}: not a valid episode record ({exc}); rebuild the guide.") from None


def load_episodes(out_dir: Path) -> list[Episode]:
    """Every episode record in ``out_dir`` whose MP3 is still there, sorted by slug."""
    episodes = []
    for path in sorted(out_dir.glob("*.episode.json")):
        episode = Episode.from_json(path.read_text(encoding="utf-8"), str(path))
        if (out_dir / episode.mp3).is_file():
            episodes.append(episode)
    return episodes
