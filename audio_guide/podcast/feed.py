"""Built guides -> podcast RSS (feed.xml): the only module that touches the feed library.

feedgen writes the RSS 2.0 and most of Apple's ``itunes:`` tags; a small extension here adds
what it lacks: the Podcasting 2.0 ``podcast:`` tags (guid, locked, transcript, chapters) and
``itunes:explicit`` as ``true``/``false``, which Apple now asks for (feedgen only knows the old
``yes``/``no``/``clean``).

Two things must never change once a guide is out, or apps show it twice or as new again:

- its GUID: a UUIDv5 of the feed's podcast:guid and the slug, so it depends only on the base
  URL and the slug, never on the build;
- its date: the script's ``published`` date, else the moment it first appeared in a feed,
  remembered in ``feed-state.json`` beside the feed.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import urllib.parse
import uuid
from pathlib import Path
from typing import Any, Callable, Final, Sequence

from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from ..errors import FeedError
from ..files import write_text
from ..version import VERSION
from .channel import Podcast
from .episode import Episode

ITUNES_NS: Final = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS: Final = "https://podcastindex.org/namespace/1.0"
PODCAST_GUID_NAMESPACE: Final = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
"""The Podcasting 2.0 spec's namespace for podcast:guid (a UUIDv5 of the feed URL)."""
STATE_FILE: Final = "feed-state.json"
PUBLISHED_HOUR: Final = 12
"""A ``published: YYYY-MM-DD`` date is dated at noon UTC, so the day shown is the same day
from UTC-11 to UTC+11 (midnight UTC would show the day before all over the Americas)."""

TRANSCRIPTS: Final = (
    ("transcript_vtt", "text/vtt", True),
    ("transcript_srt", "application/x-subrip", True),
    ("transcript_txt", "text/plain", False),
)
"""Episode field, MIME type, and whether apps may show it as captions (timed)."""


def podcast_guid(feed_url: str) -> uuid.UUID:
    """podcast:guid per the spec: UUIDv5 of the feed URL without its scheme and trailing slashes."""
    stripped = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", feed_url.strip()).rstrip("/")
    return uuid.uuid5(PODCAST_GUID_NAMESPACE, stripped)


def episode_guid(feed_url: str, slug: str) -> str:
    """An item's GUID: stable for a slug in a feed, whatever is rebuilt."""
    return str(uuid.uuid5(podcast_guid(feed_url), slug))


def file_url(base_url: str, name: str) -> str:
    """``base_url`` + the file name, quoted (``my guide.mp3`` -> ``my%20guide.mp3``)."""
    return base_url + urllib.parse.quote(name)


# -- dates that never move --------------------------------------------------------------


def publication_dates(out_dir: Path, episodes: Sequence[Episode],
                      now: Callable[[], dt.datetime]) -> dict[str, dt.datetime]:
    """Each episode's pubDate: its ``published`` date, else when it first appeared.

    First appearances are kept in ``out_dir/feed-state.json`` (written atomically, and only
    when a new guide appears), so rebuilding a guide never moves it to the top of the feed.
    """
    path = out_dir / STATE_FILE
    first_seen = _read_state(path)
    added = False
    stamp: dt.datetime | None = None
    for episode in episodes:
        if episode.slug not in first_seen:
            stamp = stamp or now().astimezone(dt.timezone.utc).replace(microsecond=0)
            first_seen[episode.slug] = stamp
            added = True
    if added:
        state = {"version": 1, "first_seen": {k: v.isoformat() for k, v in sorted(first_seen.items())}}
        write_text(path, json.dumps(state, indent=2) + "\n")
    dates = {}
    for episode in episodes:
        if episode.published is not None:
            dates[episode.slug] = dt.datetime.combine(episode.published, dt.time(PUBLISHED_HOUR),
                                                      tzinfo=dt.timezone.utc)
        else:
            dates[episode.slug] = first_seen[episode.slug]
    return dates


def _read_state(path: Path) -> dict[str, dt.datetime]:
    if not path.is_file():
        return {}
    fix = ("it remembers when each guide first appeared: restore it, or correct it by hand "
           "(deleting it re-dates every guide without a 'published' date to today).")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("first_seen"), dict):
            raise ValueError("expected {\"version\": 1, \"first_seen\": {slug: date}}")
        seen = {}
        for slug, text in data["first_seen"].items():
            when = dt.datetime.fromisoformat(text)
            if when.tzinfo is None:
                raise ValueError(f"the date of '{slug}' has no time zone")
            seen[str(slug)] = when
        return seen
    except (OSError, ValueError, TypeError) as exc:
        raise FeedError(f"{path}: cannot be read ({exc}); {fix}") from None


# -- the feed ---------------------------------------------------------------------------


def render_feed(podcast: "Podcast", episodes: Sequence[Episode], out_dir: Path,
                dates: dict[str, dt.datetime], cover: str) -> str:
    """The RSS document for ``episodes`` (newest first), as text; nothing is written."""

    base = podcast.base_url
    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.register_extension("podcastindex", _ChannelTags, _ItemTags, atom=False, rss=True)
    fg.title(podcast.title)
    fg.description(podcast.description)
    fg.link(href=podcast.feed_url, rel="self", type="application/rss+xml")
    fg.link(href=base, rel="alternate")  # after 'self': feedgen's RSS <link> is the last one given
    fg.language(podcast.language)
    fg.generator("audio-guide", version=VERSION)
    fg.image(url=file_url(base, cover), title=podcast.title, link=base)
    fg.podcast.itunes_image(file_url(base, cover))
    fg.podcast.itunes_author(podcast.author)
    category = {"cat": podcast.category, **({"sub": podcast.subcategory} if podcast.subcategory else {})}
    fg.podcast.itunes_category(category)
    if podcast.owner_email:
        fg.podcast.itunes_owner(name=podcast.owner_name, email=podcast.owner_email)
    fg.podcast.itunes_type(podcast.kind)
    fg.podcastindex.explicit = podcast.explicit
    fg.podcastindex.guid = str(podcast_guid(podcast.feed_url))
    fg.podcastindex.owner = podcast.owner_email

    ordered = sorted(episodes, key=lambda e: (dates[e.slug], e.slug), reverse=True)
    for episode in ordered:
        _item(fg.add_entry(order="append"), podcast, episode, out_dir, dates[episode.slug])
    fg.lastBuildDate(max(dates.values()) if dates else dt.datetime.now(dt.timezone.utc))
    try:
        data: bytes = fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    except ValueError as exc:  # lxml: a character XML cannot hold
        raise FeedError(f"cannot write the feed: {exc}. Remove control characters from titles and descriptions.") \
            from None
    return data.decode("utf-8")


def _item(fe: Any, podcast: "Podcast", episode: Episode, out_dir: Path, date: dt.datetime) -> None:
    base = podcast.base_url
    fe.title(episode.title)
    fe.guid(episode_guid(podcast.feed_url, episode.slug), permalink=False)
    fe.link(href=f"{base}#{urllib.parse.quote(episode.slug)}")
    fe.pubDate(date)
    fe.description(item_description(episode))
    size = (out_dir / episode.mp3).stat().st_size  # the bytes served, even if the record is stale
    fe.enclosure(file_url(base, episode.mp3), str(size), "audio/mpeg")
    fe.podcast.itunes_duration(str(round(episode.duration)))
    fe.podcast.itunes_author(episode.author)
    fe.podcast.itunes_episode_type("full")
    if episode.season is not None:
        fe.podcast.itunes_season(episode.season)
    if episode.number is not None:
        fe.podcast.itunes_episode(episode.number)
    if episode.cover:
        fe.podcast.itunes_image(file_url(base, episode.cover))
    tags: _ItemTags = fe.podcastindex
    tags.explicit = podcast.explicit
    tags.transcripts = [
        (file_url(base, getattr(episode, field)), kind, episode.language, captions)
        for field, kind, captions in TRANSCRIPTS if getattr(episode, field)
    ]
    tags.chapters = file_url(base, episode.chapters_json) if episode.chapters_json else None


def item_description(episode: Episode) -> str:
    """The item's description as HTML: the guide's text, its chapters as timestamps, then its
    sources, so the feed credits them.

    RSS item descriptions are read as HTML by Apple and the apps (gPodder, feedparser-based
    ones), so the text is HTML-escaped inside ``<p>``: a ``<`` or ``&`` in a title or a
    reference is shown, never taken for markup. Quotes need no escaping in text.
    """
    parts = [f"<p>{html.escape(p.strip(), quote=False)}</p>" for p in episode.description.split("\n\n") if p.strip()]
    if episode.chapters:  # Apple Podcasts (and others) turn timestamped lines in the notes into chapters
        lines = "<br>".join(f"{_timestamp(c.start)} {html.escape(c.title, quote=False)}" for c in episode.chapters)
        parts.append(f"<p>Chapters:<br>{lines}</p>")
    if episode.references:
        items = "".join(f"<li>{html.escape(r, quote=False)}</li>" for r in episode.references)
        parts.append(f"<p>Sources:</p><ul>{items}</ul>")
    return "".join(parts)


def _timestamp(seconds: float) -> str:
    """``MM:SS`` (``H:MM:SS`` past an hour), rounded down: the form podcast apps recognise in notes."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class _ChannelTags:
    """feedgen extension for the channel: podcast:guid, podcast:locked, itunes:explicit true/false."""

    def __init__(self) -> None:
        self.guid: str | None = None
        self.explicit: bool = False
        self.owner: str | None = None

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS, "itunes": ITUNES_NS}

    def extend_rss(self, rss: Any) -> Any:
        channel = rss[0]
        xml_elem(f"{{{ITUNES_NS}}}explicit", channel).text = "true" if self.explicit else "false"
        if self.guid:
            xml_elem(f"{{{PODCAST_NS}}}guid", channel).text = self.guid
        # "no": other platforms may import this feed; the owner's email lets them confirm who owns it
        locked = xml_elem(f"{{{PODCAST_NS}}}locked", channel)
        locked.text = "no"
        if self.owner:
            locked.attrib["owner"] = self.owner
        return rss

    def extend_atom(self, feed: Any) -> Any:
        return feed


class _ItemTags:
    """feedgen extension for an item: itunes:explicit, podcast:transcript and podcast:chapters."""

    def __init__(self) -> None:
        self.explicit: bool = False
        self.transcripts: list[tuple[str, str, str, bool]] = []
        self.chapters: str | None = None

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS}

    def extend_rss(self, item: Any) -> Any:
        xml_elem(f"{{{ITUNES_NS}}}explicit", item).text = "true" if self.explicit else "false"
        for url, kind, language, captions in self.transcripts:
            tag = xml_elem(f"{{{PODCAST_NS}}}transcript", item, url=url, type=kind, language=language)
            if captions:
                tag.attrib["rel"] = "captions"
        if self.chapters:
            xml_elem(f"{{{PODCAST_NS}}}chapters", item, url=self.chapters, type="application/json+chapters")
        return item

    def extend_atom(self, entry: Any) -> Any:
        return entry
