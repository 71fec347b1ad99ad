"""``scripts/podcast.yaml`` -> a checked :class:`~.channel.Podcast`.

The config is read with the guide scripts' own reader, so a mistake in it gets the same kind
of message as a mistake in a guide: ``file:line:col``, what was expected, the nearest valid
key or category. Everything Apple would refuse days later (a category not on its list, a
cover that is not square, a base URL without its closing ``/``) is refused here instead.
"""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path
from typing import Final

import yaml

from ..errors import ScriptError, UsageError
from ..script import LANGUAGE_TAG, Reader, compose, cover_image, did_you_mean, is_empty
from .categories import APPLE_CATEGORIES, suggest_category
from .channel import CONFIG_FILE, Podcast, default_podcast

CONFIG_KEYS: Final = (
    "title", "description", "author", "owner", "language", "category", "subcategory", "explicit",
    "base_url", "image", "type",
)
PODCAST_TYPES: Final = ("episodic", "serial")
REQUIRED_KEYS: Final = ("title", "description", "author", "owner", "category", "base_url")
OWNER_KEYS: Final = ("name", "email")

_EMAIL: Final = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


def load_podcast(path: str | Path = CONFIG_FILE) -> Podcast:
    """Read and validate the podcast config; raise :class:`ScriptError` (exit 2) on the first problem."""
    path = Path(path)
    reader = Reader(path)
    root = compose(path)
    if root is None or is_empty(root):
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
        if not LANGUAGE_TAG.fullmatch(language):
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
        kind=_kind(reader, node("type")),
        path=path,
    )


def _owner(reader: Reader, node: yaml.Node, author: str) -> tuple[str, str]:
    keys = reader.mapping(node, "'owner'", OWNER_KEYS, ("email",))
    name = reader.text(keys["name"][1], "'owner.name'", 200) if "name" in keys else author
    email_node = keys["email"][1]
    email = reader.text(email_node, "'owner.email'", 254)
    if not _EMAIL.fullmatch(email):
        raise reader.fail(email_node, f"'owner.email': '{email}' is not an email address;",
                          "write it like name@example.org.")
    return name, email


def _category(reader: Reader, node: yaml.Node, sub_node: yaml.Node | None) -> tuple[str, str | None]:
    category = reader.text(node, "'category'", 100)
    if category not in APPLE_CATEGORIES:
        raise reader.fail(node, f"'category': '{category}' is not one of Apple's podcast categories; "
                                f"expected one of: {', '.join(APPLE_CATEGORIES)}.", suggest_category(category))
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
    hint = f"Did you mean category '{owner}'?" if owner else did_you_mean(sub, allowed)
    raise reader.fail(sub_node, f"'subcategory': '{sub}' is not a subcategory of '{category}'; "
                                f"expected one of: {', '.join(allowed)}.", hint)


def _kind(reader: Reader, node: yaml.Node | None) -> str:
    if node is None:
        return "episodic"
    kind = reader.text(node, "'type'")
    if kind not in PODCAST_TYPES:
        raise reader.fail(node, f"'type': '{kind}' is not a podcast type; expected one of: {', '.join(PODCAST_TYPES)}.",
                          did_you_mean(kind, PODCAST_TYPES))
    return kind


def _explicit(reader: Reader, node: yaml.Node | None) -> bool:
    if node is None:
        return False
    value = reader.scalar(node, "'explicit'")
    if not isinstance(value, bool):
        raise reader.fail(node, f"'explicit' must be true or false, got {node.value!r}.")
    return value


def _base_url(reader: Reader, node: yaml.Node) -> str:
    url = reader.text(node, "'base_url'", 500)
    what = f"'base_url': '{url}'"
    if any(ch in "\r\n" for ch in url):
        raise reader.fail(node, "'base_url' holds a line break;", "write the whole address on one line.")
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


def _image(reader: Reader, node: yaml.Node | None) -> Path | None:
    return cover_image(reader, node, "'image'") if node is not None else None


def find_config(path: Path, *, required: bool) -> Path | None:
    """The config to use: ``path`` if it is a file; if it is not, ``None`` (a local feed), or an
    error when the user named it (``--podcast``) rather than taking the default."""
    if path.is_file():
        return path
    if required:
        raise UsageError(f"--podcast {path}: no such file.")
    return None


def podcast_for(config: Path | None, out_dir: Path) -> Podcast:
    """The one choice of podcast: the config's when there is one, else :func:`default_podcast`."""
    return load_podcast(config) if config is not None else default_podcast(out_dir)
