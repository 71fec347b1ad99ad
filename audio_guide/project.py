"""Where a podcast project is: the folder that holds ``scripts/``, found the way git finds a repository.

A project is ``scripts/`` (the guides and ``podcast.yaml``), assets beside it, and ``output/``.
From a script's path the project is its folder's parent (the same rule that keeps the files a
script names inside the project); with no script named, the current folder and its parents
are searched for ``scripts/``. So ``audio-guide build mypodcast/scripts/x.yaml`` builds into
``mypodcast/output/`` with ``mypodcast/scripts/podcast.yaml``, never into a new ``output/``
wherever the command happened to run.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Sequence

from .errors import UsageError

SCRIPTS: Final = "scripts"
OUTPUT: Final = "output"
CONFIG: Final = "podcast.yaml"
_SLUG_LINE: Final = re.compile(r"^slug:[ \t]*(\S+)[ \t]*(?:#.*)?$", re.MULTILINE)


@dataclass(frozen=True)
class Project:
    """A project's folders, as paths relative to the current folder when they are below it."""

    scripts: Path
    """The folder the guides are in (``scripts/``, or the folder of the scripts named)."""

    @property
    def root(self) -> Path:
        return _tidy(self.scripts.resolve().parent)

    @property
    def output(self) -> Path:
        return _tidy(self.scripts.resolve().parent / OUTPUT)

    @property
    def config(self) -> Path:
        return self.scripts / CONFIG

    def guides(self) -> list[Path]:
        """Every guide script in the project (``podcast.yaml`` is not one)."""
        return sorted(p for p in self.scripts.glob("*.yaml") if p.name != CONFIG)

    def slugs(self) -> dict[str, Path]:
        """The slug each guide script publishes under, without validating the scripts: a top-level
        ``slug:`` line, else the file name (the loader's rule). Used to tell which episodes in
        ``output/`` have lost their script; a script that does not load is still counted."""
        found = {}
        for path in self.guides():
            try:
                match = _SLUG_LINE.search(path.read_text(encoding="utf-8", errors="replace"))
            except OSError:
                match = None
            found[match[1].strip("'\"") if match else path.stem] = path
        return found


def find_project(start: Path | None = None) -> Project | None:
    """The project holding ``start`` (default: the current folder) or one of its parents."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / SCRIPTS).is_dir():
            return Project(_tidy(folder / SCRIPTS))
    return None


def project_of(scripts: Sequence[Path]) -> Project:
    """The one project the named scripts belong to: their folder's. Scripts from two folders
    would publish into two feeds at once, so they are refused."""
    folders = sorted({p.resolve().parent for p in scripts})
    if len(folders) > 1:
        raise UsageError(f"the scripts are in {len(folders)} folders ({', '.join(str(_tidy(f)) for f in folders)}); "
                         "each folder is a podcast of its own: build them one folder at a time.")
    return Project(_tidy(folders[0]))


def _tidy(path: Path) -> Path:
    """``path`` relative to the current folder when it is inside it (as people type paths), else absolute."""
    relative = os.path.relpath(path)
    return Path(relative) if not relative.startswith("..") else path
