"""Built guides -> ``feed.xml``, ``index.html`` and the podcast's cover in the output folder.

Only the ``<slug>.episode.json`` records are read: no audio is decoded or made, so the feed
and page can be remade alone (``audio-guide feed``) in a moment.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from pathlib import Path
from typing import Callable

from ..errors import FeedError
from ..files import write_bytes, write_text
from ..media.image import check_cover
from .channel import COVER_PREFIX, FEED_FILE, PAGE_FILE, Podcast
from .cover import cover_name, make_cover
from .episode import Episode, load_episodes
from .feed import publication_dates, render_feed
from .page import render_page


def publish(podcast: Podcast, out_dir: Path, *,
            now: Callable[[], dt.datetime] | None = None, drawn: Path | None = None) -> tuple[Path, Path]:
    """Write ``feed.xml`` and ``index.html`` (and the podcast cover) for the guides built in ``out_dir``.

    Reads the ``*.episode.json`` records only; no audio is decoded or made. Every file is
    written atomically. ``now`` (a clock returning an aware UTC datetime) dates the guides that
    have no ``published`` date the first time they appear; tests pass a fake one. ``drawn``: the
    cover as the build already placed it elsewhere (see :func:`place_cover`).
    Returns ``(feed_path, page_path)``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    episodes = [_own_cover(e) for e in load_episodes(out_dir) if not e.draft]  # drafts are built, not published
    for episode in episodes:
        _check_files(episode, out_dir)
    cover = place_cover(podcast, out_dir, drawn).name
    clock = now or (lambda: dt.datetime.now(dt.timezone.utc))
    dates = publication_dates(out_dir, episodes, clock)
    feed_path, page_path = out_dir / FEED_FILE, out_dir / PAGE_FILE
    write_text(feed_path, render_feed(podcast, episodes, out_dir, dates, cover))
    write_text(page_path, render_page(podcast, episodes, cover, dates, FEED_FILE))
    return feed_path, page_path


def _own_cover(episode: Episode) -> Episode:
    """The episode with ``cover`` only when it is the guide's own: the podcast's cover, embedded in
    guides that name none, is already the channel's image (and is replaced when the title changes)."""
    if episode.cover and episode.cover.startswith(f"{COVER_PREFIX}-"):
        return dataclasses.replace(episode, cover=None)
    return episode


def _check_files(episode: Episode, out_dir: Path) -> None:
    """Every file a record names must be there: the feed would otherwise link to a 404."""
    record = out_dir / f"{episode.slug}.episode.json"
    for name in (episode.transcript_vtt, episode.transcript_srt, episode.transcript_txt, episode.chapters_json,
                 episode.cover):
        if name and not (out_dir / name).is_file():
            raise FeedError(f"{out_dir / name}: named in {record} but missing; rebuild the guide '{episode.slug}'.")
    if episode.cover:
        if not episode.cover.endswith(".png"):
            raise FeedError(f"{record}: the cover '{episode.cover}' must be a file name ending in .png.")
        check_cover(out_dir / episode.cover)


def place_cover(podcast: Podcast, out_dir: Path, drawn: Path | None = None) -> Path:
    """The podcast's cover, in ``out_dir`` under a name that changes with its content; returns its path.

    The config's ``image`` is copied; without one, a cover is drawn from the title. Idempotent
    and cheap once done, so the build can call it before tagging MP3s (to embed the cover) and
    :func:`publish` calls it again. Older ``podcast-cover-*.png`` files are removed. ``drawn`` is
    a copy placed already (the build's, in the cache): its name stands for its content, so one of
    the same name is copied rather than drawn again (a quarter of a second, at the end of a build).
    """
    name = cover_file_name(podcast)
    out_dir.mkdir(parents=True, exist_ok=True)
    if not (out_dir / name).is_file():
        if drawn is not None and drawn.name == name and drawn.is_file():
            write_bytes(out_dir / name, drawn.read_bytes())
        elif podcast.image is not None:
            write_bytes(out_dir / name, _image_bytes(podcast.image))
        else:
            make_cover(podcast.title, podcast.author, out_dir / name)
    for old in out_dir.glob(f"{COVER_PREFIX}-*.png"):
        if old.name != name:
            old.unlink(missing_ok=True)
    return out_dir / name


def cover_file_name(podcast: Podcast) -> str:
    """The name :func:`place_cover` gives the podcast's cover: it names the content, so it can
    stand for the content (a build decides what is up to date without making the file)."""
    if podcast.image is not None:
        return f"{COVER_PREFIX}-{hashlib.sha256(_image_bytes(podcast.image)).hexdigest()[:12]}.png"
    return cover_name(podcast.title, podcast.author, prefix=COVER_PREFIX)


def _image_bytes(image: Path) -> bytes:
    try:
        return image.read_bytes()
    except OSError as exc:
        raise FeedError(f"{image}: cannot read the cover ({exc.strerror}).") from None
