"""A new podcast project in one command: the folders, a commented ``podcast.yaml``, one short
guide that builds offline, a ``.gitignore`` for ``output/``, and the JSON Schemas the scripts
point at, so editors check and complete them outside this repository too.

Nothing is ever overwritten: every file is checked first, and if one exists none is written.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Final

from .errors import UsageError
from .files import write_text
from .podcast import podcast_schema

SCHEMA_FOLDER: Final = "schemas"
GUIDE_SCHEMA: Final = "guide.schema.json"
PODCAST_SCHEMA: Final = "podcast.schema.json"

PODCAST_YAML: Final = """\
# yaml-language-server: $schema=../schemas/podcast.schema.json
# The podcast: what apps show above the episodes, and where output/ is served from.
# Every guide in this folder becomes an episode. Check with: audio-guide validate

# The podcast's name and what it is about.
title: {title}
description: Calm, short audio guides for the night.

# itunes:author, the name shown under the title.
author: {author}

# itunes:owner: how Apple and directories reach you (not shown to listeners).
owner:
  name: {author}
  email: you@example.org

# A BCP-47 language tag: en, en-GB, de ... (the guides' own language is set in each script).
language: en

# One of Apple Podcasts' categories, and a subcategory of it where Apple has them.
category: Health & Fitness
subcategory: Alternative Health

# true or false.
explicit: false

# The address output/ will be served from, ending with /. Every link in the feed starts with it.
base_url: https://example.org/{slug}/

# episodic (apps show the newest first) or serial (in order, by each guide's season and episode).
type: episodic

# The cover: a square RGB PNG, 1400 to 3000 px, no transparency, relative to this folder.
# Without one, a cover is drawn from the title.
# image: ../art/cover.png
"""

FIRST_GUIDE: Final = """\
# yaml-language-server: $schema=../schemas/guide.schema.json
# A first guide. Build it with: audio-guide build   (listen: output/index.html)
title: A Stretch for a Night Cramp
description: >-
  When a calf cramps at night, a slow stretch and a little warmth help it let go.
  A short guide to follow in bed.
episode: 1
references:
  - "Sudden leg cramps at night: causes, relief and prevention (health article)"
voice: {engine: piper, rate: 0.9}
sound: {ambience: brown-noise, cue: bell}
sections:
  - title: The Stretch
    steps:
      - say: If a cramp wakes you, sit up slowly and straighten the leg.
      - say: Take hold of your toes and pull them gently toward your knee.
      - hold: 30s
        remind_every: 15s
        remind: Keep pulling gently. Breathe out.
      - say: Now let go, and rest the leg on the bed.
  - title: Warmth
    steps:
      - say: Rub the calf with slow, firm strokes, then lay a warm towel over it.
      - pause: 20s
      - say: If cramps come often, or with other symptoms, talk to a doctor.
      - say: Now lie back, and let sleep come.
"""

GITIGNORE: Final = "# built by audio-guide; rebuild with: audio-guide build\noutput/\n"
KEEP: Final = "Put {what} here; scripts name them by a path relative to scripts/, e.g. ../{folder}/{example}\n"


def guide_schema_text() -> str:
    """The script format's JSON Schema, as shipped with the package."""
    return resources.files("audio_guide.script").joinpath(GUIDE_SCHEMA).read_text(encoding="utf-8")


def schema_files() -> dict[str, str]:
    """File name -> text of both schemas."""
    return {GUIDE_SCHEMA: guide_schema_text(),
            PODCAST_SCHEMA: json.dumps(podcast_schema(), indent=2, ensure_ascii=False) + "\n"}


def write_schemas(folder: Path) -> list[Path]:
    """Write (or refresh) both schemas into ``folder``: they follow the installed tool's format."""
    written = []
    for name, text in schema_files().items():
        write_text(folder / name, text)
        written.append(folder / name)
    return written


def make_project(folder: Path, title: str | None = None, author: str = "Your Name") -> list[Path]:
    """Create a project in ``folder`` (made if missing); returns the files written.

    Raises :class:`UsageError` naming the first file that is already there, before writing any.
    """
    name = folder.resolve().name or "my-podcast"
    slug = "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-") or "my-podcast"
    files: dict[Path, str] = {
        folder / "scripts" / "podcast.yaml": PODCAST_YAML.format(
            title=_yaml_text(title or name.replace("-", " ").title()), author=_yaml_text(author), slug=slug),
        folder / "scripts" / "night-cramp-stretch.yaml": FIRST_GUIDE,
        folder / ".gitignore": GITIGNORE,
        folder / "sounds" / "README.txt": KEEP.format(what="your own cues and ambience (wav, mp3, flac, ...)",
                                                      folder="sounds", example="rain.wav"),
        folder / "art" / "README.txt": KEEP.format(what="cover art (square RGB PNG, 1400-3000 px)",
                                                   folder="art", example="cover.png"),
        **{folder / SCHEMA_FOLDER / n: text for n, text in schema_files().items()},
    }
    for path in files:
        if path.exists() or path.is_symlink():
            raise UsageError(f"{path} already exists; audio-guide init never overwrites a file. "
                             "Choose an empty folder, or remove it.")
    for path, text in files.items():
        write_text(path, text)
    return list(files)


def _yaml_text(value: str) -> str:
    """``value`` as a YAML scalar that reads back as the same text (quoted when it must be)."""
    return json.dumps(value, ensure_ascii=False)
