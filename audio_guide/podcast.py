"""The podcast: its config (scripts/podcast.yaml), and publishing the feed and listening page.

The config is read with the guide loader's own reader, so a mistake in it gets the same kind
of message as a mistake in a guide: ``file:line:col``, what was expected, the nearest valid
key or category. Everything Apple would refuse days later (a category not on its list, a
cover that is not square, a base URL without its closing ``/``) is refused here instead.

:func:`publish` then turns the built guides (their ``<slug>.episode.json`` records) into
``feed.xml`` and ``index.html``, without touching any audio.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import hashlib
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Final, Sequence

import yaml

from .cover import check_cover, cover_name, cover_problem, make_cover
from .episode import Episode, load_episodes
from .errors import FeedError, ScriptError
from .files import write_bytes, write_text
from .script import _LANGUAGE, _compose, _did_you_mean, _Reader

CONFIG_NAME: Final = "podcast.yaml"
"""Its name in scripts/: the one YAML file there that is not a guide."""
CONFIG_FILE: Final = Path("scripts") / CONFIG_NAME
FEED_FILE: Final = "feed.xml"
PAGE_FILE: Final = "index.html"
COVER_PREFIX: Final = "podcast-cover"
"""Published covers are ``podcast-cover-<digest>.png``: a new picture gets a new URL (Apple caches by URL)."""

CONFIG_KEYS: Final = (
    "title", "description", "author", "owner", "language", "category", "subcategory", "explicit",
    "base_url", "image",
)
REQUIRED_KEYS: Final = ("title", "description", "author", "owner", "category", "base_url")
OWNER_KEYS: Final = ("name", "email")

APPLE_CATEGORIES: Final[dict[str, tuple[str, ...]]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": ("Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit"),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": ("Alternative Health", "Fitness", "Medicine", "Mental Health", "Nutrition", "Sexuality"),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": ("Animation & Manga", "Automotive", "Aviation", "Crafts", "Games", "Hobbies", "Home & Garden",
                "Video Games"),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": ("Business News", "Daily News", "Entertainment News", "News Commentary", "Politics", "Sports News",
             "Tech News"),
    "Religion & Spirituality": ("Buddhism", "Christianity", "Hinduism", "Islam", "Judaism", "Religion",
                                "Spirituality"),
    "Science": ("Astronomy", "Chemistry", "Earth Sciences", "Life Sciences", "Mathematics", "Natural Sciences",
                "Nature", "Physics", "Social Sciences"),
    "Society & Culture": ("Documentary", "Personal Journals", "Philosophy", "Places & Travel", "Relationships"),
    "Sports": ("Baseball", "Basketball", "Cricket", "Fantasy Sports", "Football", "Golf", "Hockey", "Rugby",
               "Running", "Soccer", "Swimming", "Tennis", "Volleyball", "Wilderness", "Wrestling"),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}
"""Apple Podcasts' categories and subcategories (the 2019 list, still current), spelt exactly as the feed needs."""

_EMAIL: Final = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


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
    path: Path | None = None
    """The config file it came from (``None`` for :func:`default_podcast`)."""

    @property
    def feed_url(self) -> str:
        return self.base_url + FEED_FILE


# -- reading the config -----------------------------------------------------------------


def load_podcast(path: str | Path = CONFIG_FILE) -> Podcast:
    """Read and validate the podcast config; raise :class:`ScriptError` (exit 2) on the first problem."""
    path = Path(path)
    reader = _Reader(path)
    root = _compose(path)
    if root is None or (isinstance(root, yaml.ScalarNode) and root.tag == "tag:yaml.org,2002:null"):
        raise ScriptError("the podcast config is empty; expected a mapping with "
                          f"{', '.join(REQUIRED_KEYS)}.", str(path), 1, 1)
    top = reader.mapping(root, "the podcast config", CONFIG_KEYS, REQUIRED_KEYS)

    def node(key: str) -> yaml.Node | None:
        return top[key][1] if key in top else None

    author = reader.text(top["author"][1], "'author'", 200)
    owner_name, owner_email = _owner(reader, top["owner"][1], author)
    category, subcategory = _category(reader, top["category"][1], node("subcategory"))
    language = "en"
    if node("language") is not None:
        language = reader.text(top["language"][1], "'language'", 35)
        if not _LANGUAGE.fullmatch(language):
            raise reader.fail(top["language"][1], f"'language': '{language}' is not a language tag;",
                              "write e.g. en, en-GB or de.")
    return Podcast(
        title=reader.text(top["title"][1], "'title'", 200),
        description=reader.text(top["description"][1], "'description'", 4000),
        author=author,
        owner_name=owner_name,
        owner_email=owner_email,
        language=language,
        category=category,
        subcategory=subcategory,
        explicit=_explicit(reader, node("explicit")),
        base_url=_base_url(reader, top["base_url"][1]),
        image=_image(reader, node("image")),
        path=path,
    )


def _owner(reader: _Reader, node: yaml.Node, author: str) -> tuple[str, str]:
    keys = reader.mapping(node, "'owner'", OWNER_KEYS, ("email",))
    name = reader.text(keys["name"][1], "'owner.name'", 200) if "name" in keys else author
    email_node = keys["email"][1]
    email = reader.text(email_node, "'owner.email'", 254)
    if not _EMAIL.fullmatch(email):
        raise reader.fail(email_node, f"'owner.email': '{email}' is not an email address;",
                          "write it like name@example.org.")
    return name, email


def _category(reader: _Reader, node: yaml.Node, sub_node: yaml.Node | None) -> tuple[str, str | None]:
    category = reader.text(node, "'category'", 100)
    if category not in APPLE_CATEGORIES:
        raise reader.fail(node, f"'category': '{category}' is not one of Apple's podcast categories; "
                                f"expected one of: {', '.join(APPLE_CATEGORIES)}.", _suggest_category(category))
    if sub_node is None:
        return category, None
    sub = reader.text(sub_node, "'subcategory'", 100)
    allowed = APPLE_CATEGORIES[category]
    if sub in allowed:
        return category, sub
    if not allowed:
        raise reader.fail(sub_node, f"'subcategory': the category '{category}' has no subcategories;",
                          "remove the 'subcategory' line.")
    owner = next((cat for cat, subs in APPLE_CATEGORIES.items() if sub in subs), None)
    hint = f"Did you mean category '{owner}'?" if owner else _did_you_mean(sub, allowed)
    raise reader.fail(sub_node, f"'subcategory': '{sub}' is not a subcategory of '{category}'; "
                                f"expected one of: {', '.join(allowed)}.", hint)


def _suggest_category(word: str) -> str | None:
    """Nearest category, case-blind; a subcategory written as a category points to its parent."""
    folded = {c.casefold(): c for c in APPLE_CATEGORIES}
    if word.casefold() in folded:
        return f"Did you mean '{folded[word.casefold()]}'?"
    for cat, subs in APPLE_CATEGORIES.items():
        for sub in subs:
            if word.casefold() == sub.casefold():
                return f"'{sub}' is a subcategory: write category: {cat} and subcategory: {sub}."
    close = difflib.get_close_matches(word.casefold(), list(folded), n=1, cutoff=0.6)
    if close:
        return f"Did you mean '{folded[close[0]]}'?"
    starts = [c for c in APPLE_CATEGORIES if c.casefold().startswith(word.casefold()[:4])]
    return f"Did you mean '{starts[0]}'?" if len(word) >= 4 and starts else None


def _explicit(reader: _Reader, node: yaml.Node | None) -> bool:
    if node is None:
        return False
    value = reader.scalar(node, "'explicit'")
    if not isinstance(value, bool):
        raise reader.fail(node, f"'explicit' must be true or false, got {node.value!r}.")
    return value


def _base_url(reader: _Reader, node: yaml.Node) -> str:
    url = reader.text(node, "'base_url'", 500)
    what = f"'base_url': '{url}'"
    if any(ch.isspace() for ch in url):
        raise reader.fail(node, f"{what} contains a space;", "write spaces as %20, or use a folder name without them.")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise reader.fail(node, f"{what} must start with https:// or http://;",
                          "write the full address the output folder is served from, e.g. https://example.org/podcast/.")
    if not parts.hostname:
        raise reader.fail(node, f"{what} has no host name;", "write it like https://example.org/podcast/.")
    if parts.username or parts.password:
        raise reader.fail(node, f"{what} holds a user name or password, which would be published in the feed;",
                          "remove the 'user:password@' part.")
    if parts.query or parts.fragment:
        raise reader.fail(node, f"{what} has a '?' or '#' part; the file names are appended to it.",
                          "Remove everything from the '?' or '#' on.")
    if not url.endswith("/"):
        raise reader.fail(node, f"{what} must end with '/' (it is the folder the files are served from);",
                          f"write '{url}/'.")
    return url


def _image(reader: _Reader, node: yaml.Node | None) -> Path | None:
    if node is None:
        return None
    path = reader.project_file(node, "'image'", reader.text(node, "'image'"), (".png",))
    problem = cover_problem(path)
    if problem:
        raise reader.fail(node, f"'image': {problem}")
    return path


# -- without a config -------------------------------------------------------------------


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


def podcast_for(config: Path, out_dir: Path) -> Podcast:
    """The config's podcast if ``config`` exists, else :func:`default_podcast` for ``out_dir``."""
    return load_podcast(config) if config.is_file() else default_podcast(out_dir)


# -- publishing -------------------------------------------------------------------------


def publish(podcast: Podcast, out_dir: Path, *,
            now: Callable[[], dt.datetime] | None = None) -> tuple[Path, Path]:
    """Write ``feed.xml`` and ``index.html`` (and the podcast cover) for the guides built in ``out_dir``.

    Reads the ``*.episode.json`` records only; no audio is decoded or made. Every file is
    written atomically. ``now`` (a clock returning an aware UTC datetime) dates the guides that
    have no ``published`` date the first time they appear; tests pass a fake one.
    Returns ``(feed_path, page_path)``.
    """
    from . import feed, page

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    episodes = [_own_cover(e) for e in load_episodes(out_dir)]
    for episode in episodes:
        _check_files(episode, out_dir)
    cover = place_cover(podcast, out_dir).name
    clock = now or (lambda: dt.datetime.now(dt.timezone.utc))
    dates = feed.publication_dates(out_dir, episodes, clock)
    feed_path, page_path = out_dir / FEED_FILE, out_dir / PAGE_FILE
    write_text(feed_path, feed.render_feed(podcast, episodes, out_dir, dates, cover))
    write_text(page_path, page.render_page(podcast, episodes, cover, dates, FEED_FILE))
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


def place_cover(podcast: Podcast, out_dir: Path) -> Path:
    """The podcast's cover, in ``out_dir`` under a name that changes with its content; returns its path.

    The config's ``image`` is copied; without one, a cover is drawn from the title. Idempotent
    and cheap once done, so the build can call it before tagging MP3s (to embed the cover) and
    :func:`publish` calls it again. Older ``podcast-cover-*.png`` files are removed.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    if podcast.image is not None:
        try:
            data = podcast.image.read_bytes()
        except OSError as exc:
            raise FeedError(f"{podcast.image}: cannot read the cover ({exc.strerror}).") from None
        name = f"{COVER_PREFIX}-{hashlib.sha256(data).hexdigest()[:12]}.png"
        if not (out_dir / name).is_file():
            write_bytes(out_dir / name, data)
    else:
        name = cover_name(podcast.title, podcast.author, prefix=COVER_PREFIX)
        if not (out_dir / name).is_file():
            make_cover(podcast.title, podcast.author, out_dir / name)
    for old in out_dir.glob(f"{COVER_PREFIX}-*.png"):
        if old.name != name:
            old.unlink(missing_ok=True)
    return out_dir / name
