"""The podcast as a channel: what an app shows above the episodes, and where the files are served.

One :class:`Podcast` comes from ``scripts/podcast.yaml`` (:mod:`.config`) or, without one,
from :func:`default_podcast`, so that a project with no config still gets a feed and a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final, Sequence

from .episode import Episode, load_episodes

CONFIG_NAME: Final = "podcast.yaml"
"""Its name in scripts/: the one YAML file there that is not a guide."""
CONFIG_FILE: Final = Path("scripts") / CONFIG_NAME
FEED_FILE: Final = "feed.xml"
PAGE_FILE: Final = "index.html"
COVER_PREFIX: Final = "podcast-cover"
"""Published covers are ``podcast-cover-<digest>.png``: a new picture gets a new URL (Apple caches by URL)."""

@dataclass(frozen=True)
class Podcast:
    """The channel: what a podcast app shows above the episodes, and where the files are served."""

    title: str
    description: str
    author: str
    """itunes:author: the name shown under the title in podcast apps."""
    owner_name: str
    owner_email: str | None
    """itunes:owner: how Apple and directories reach the owner; not shown to listeners."""
    language: str
    """BCP-47 tag, e.g. ``en`` or ``en-GB``."""
    category: str
    """One of :data:`APPLE_CATEGORIES`."""
    subcategory: str | None
    explicit: bool
    base_url: str
    """Where the output folder is served, ending with ``/``; every URL in the feed starts with it."""
    image: Path | None = None
    """A checked cover in the project; ``None``: one is drawn from the title when publishing."""
    kind: str = "episodic"
    """``itunes:type``: ``episodic`` (newest first) or ``serial`` (in order, by season and episode)."""
    path: Path | None = None
    """The config file it came from (``None`` for :func:`default_podcast`)."""

    @property
    def feed_url(self) -> str:
        return self.base_url + FEED_FILE


def default_podcast(out_dir: Path, episodes: Sequence[Episode] | None = None) -> Podcast:
    """A podcast for a project without scripts/podcast.yaml, so ``build`` still writes a feed and page.

    Its base URL is the output folder itself (``file:///.../output/``): the feed then works in
    a podcast app on this computer, and nothing in it points at a made-up web address. Title
    and author are fixed (not taken from the guides), so its drawn cover, and the cover embedded
    in the MP3s, stay the same whichever guides are built.
    """
    if episodes is None:
        episodes = load_episodes(out_dir) if out_dir.is_dir() else []
    languages = sorted({e.language for e in episodes})
    return Podcast(
        title="Audio guides",
        description="Narrated guides made with audio-guide. Add scripts/podcast.yaml to publish them as a podcast.",
        author="audio-guide",
        owner_name="audio-guide",
        owner_email=None,
        language=languages[0] if len(languages) == 1 else "en",
        category="Education",
        subcategory=None,
        explicit=False,
        base_url=out_dir.resolve().as_uri().rstrip("/") + "/",
    )
