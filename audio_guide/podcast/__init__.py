"""Stage 4, the podcast: built guides in, the files a podcast app reads out.

What enters is a rendered guide's timeline (for transcripts and chapters) and, later, the
``<slug>.episode.json`` records the build leaves beside each MP3; what leaves is the
transcripts (WebVTT, SRT, text), JSON chapters, ``feed.xml`` (RSS with Apple's and
Podcasting 2.0 tags), ``index.html`` and the cover art. ``scripts/podcast.yaml`` is read
here too. No audio is decoded or made in this stage.

Rooms: :mod:`.channel` (the podcast), :mod:`.config` (its YAML), :mod:`.categories`,
:mod:`.episode` (the record), :mod:`.transcript`, :mod:`.feed` (the only room that touches
feedgen), :mod:`.page`, :mod:`.cover` (drawing), :mod:`.publisher`.
"""

from __future__ import annotations

from .categories import APPLE_CATEGORIES
from .channel import (
    CONFIG_FILE,
    CONFIG_NAME,
    COVER_PREFIX,
    FEED_FILE,
    PAGE_FILE,
    Podcast,
    default_podcast,
)
from .config import find_config, load_podcast, podcast_for
from .cover import cover_name, make_cover
from .episode import Chapter, Cue, Episode, load_episodes
from .feed import episode_guid, podcast_guid, publication_dates, render_feed
from .lifecycle import orphans, remove_episode
from .page import render_page
from .publisher import cover_file_name, place_cover, publish
from .schema import podcast_schema
from .transcript import chapters, chapters_json, cues, plain_text, srt, webvtt

__all__ = [
    "APPLE_CATEGORIES", "CONFIG_FILE", "CONFIG_NAME", "COVER_PREFIX", "FEED_FILE", "PAGE_FILE", "Chapter", "Cue",
    "Episode", "Podcast", "chapters", "chapters_json", "cover_file_name", "cover_name", "cues", "default_podcast",
    "episode_guid", "find_config", "load_episodes", "load_podcast", "make_cover", "orphans", "place_cover",
    "podcast_schema", "plain_text", "podcast_for", "podcast_guid", "publication_dates", "publish", "remove_episode",
    "render_feed", "render_page", "srt", "webvtt",
]
