"""A JSON Schema for ``podcast.yaml``, made from the same constants the config reader checks.

Generated, not kept as a file: the keys, Apple's categories and the podcast types cannot
drift from what ``load_podcast`` accepts. Editors use it for completion and checks.
"""

from __future__ import annotations

from typing import Any

from .categories import APPLE_CATEGORIES
from .config import PODCAST_TYPES, REQUIRED_KEYS

SCHEMA_ID = "https://audio-guide.invalid/podcast.schema.json"


def podcast_schema() -> dict[str, Any]:
    subcategories = sorted({sub for subs in APPLE_CATEGORIES.values() for sub in subs})
    properties: dict[str, Any] = {
        "title": {"description": "The podcast's name, as apps show it.", "type": "string", "maxLength": 200},
        "description": {"description": "What the podcast is about (the channel description).", "type": "string",
                        "maxLength": 4000},
        "author": {"description": "itunes:author: the name shown under the title.", "type": "string",
                   "maxLength": 200},
        "owner": {"description": "itunes:owner: how Apple and directories reach you; not shown to listeners.",
                  "type": "object", "additionalProperties": False, "required": ["email"],
                  "properties": {"name": {"description": "Your name (default: the author).", "type": "string"},
                                 "email": {"description": "An email address that reaches you.", "type": "string",
                                           "format": "email"}}},
        "language": {"description": "BCP-47 language tag, e.g. en or en-GB (default: en).", "type": "string",
                     "pattern": "^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"},
        "category": {"description": "One of Apple Podcasts' categories.", "enum": list(APPLE_CATEGORIES)},
        "subcategory": {"description": "A subcategory of the category, where Apple has them.",
                        "enum": subcategories},
        "explicit": {"description": "itunes:explicit: true or false (default: false).", "type": "boolean"},
        "base_url": {"description": "The http(s) address output/ is served from, ending with /.", "type": "string",
                     "pattern": "^https?://\\S+/$"},
        "image": {"description": "The podcast's cover, relative to scripts/: a square RGB PNG of 1400-3000 px, "
                                 "no transparency (default: one is drawn from the title).", "type": "string",
                  "pattern": "\\.[pP][nN][gG]$"},
        "type": {"description": "itunes:type: episodic (newest first) or serial (in order, by season and "
                                "episode). Default: episodic.", "enum": list(PODCAST_TYPES)},
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "audio-guide podcast.yaml",
        "description": "The podcast's channel settings, read by audio-guide build and feed.",
        "type": "object",
        "additionalProperties": False,
        "required": list(REQUIRED_KEYS),
        "properties": properties,
    }
