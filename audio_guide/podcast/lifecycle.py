"""An episode's life after its script: noticed when the script is gone, and unpublished on purpose.

Deleting a script must not silently keep its episode in the feed, nor silently drop it
(listeners' apps would lose it): the build reports it, and ``audio-guide remove SLUG`` takes
its files out of the output folder, after which the feed and page are written without it.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError
from .episode import Episode, load_episodes


def orphans(out_dir: Path, slugs: set[str]) -> list[Episode]:
    """The episodes built in ``out_dir`` whose slug no script in the project has."""
    if not out_dir.is_dir():
        return []
    return [e for e in load_episodes(out_dir) if e.slug not in slugs]


def remove_episode(out_dir: Path, slug: str) -> list[Path]:
    """Delete every file of the episode ``slug`` from ``out_dir``, its record last; returns them.

    The record goes last so that an interruption leaves a record whose files are missing,
    which the next build remakes or the next ``remove`` finishes, never files with no record.
    """
    record = out_dir / f"{slug}.episode.json"
    built = load_episodes(out_dir) if out_dir.is_dir() else []
    episode = next((e for e in built if e.slug == slug), None)
    if episode is None:
        known = ", ".join(e.slug for e in built)
        raise UsageError(f"no episode '{slug}' in {out_dir}/" + (f"; there are: {known}." if known else "."))
    names = [episode.mp3, episode.transcript_vtt, episode.transcript_srt, episode.transcript_txt,
             episode.chapters_json]
    if episode.cover and episode.cover.startswith(f"{slug}.cover"):  # its own picture, not the podcast's
        names.append(episode.cover)
    removed = []
    for name in names:
        path = out_dir / name
        if path.is_file():
            path.unlink()
            removed.append(path)
    record.unlink()
    removed.append(record)
    return removed
