"""Options several commands share, and how results are shown: defined once, so they never drift."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from ..errors import UsageError
from ..podcast import CONFIG_NAME, find_config, orphans
from ..project import Project, find_project, project_of

SCRIPT_ARGS = click.argument("scripts", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
CACHE_DIR_OPTION = click.option(
    "--cache-dir", type=click.Path(path_type=Path, file_okay=False),
    help="Speech cache folder (default: $AUDIO_GUIDE_CACHE_DIR or the user cache folder).")
OUT_OPTION = click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
                          help="Folder for the built guides (default: the project's output/).")
PODCAST_OPTION = click.option(
    "--podcast", type=click.Path(path_type=Path, dir_okay=False), default=None,
    help="Podcast config for the feed (default: podcast.yaml beside the scripts; if missing, a local feed).")


@dataclass(frozen=True)
class Settings:
    """What a command works on: the scripts, where the outputs go and which podcast config."""

    scripts: list[Path]
    out_dir: Path
    config: Path | None
    project: Project | None


def settings(scripts: tuple[Path, ...], out_dir: Path | None, podcast: Path | None, *,
             need_scripts: bool = True) -> Settings:
    """The project's settings, from the scripts named or else the project around the current
    folder; ``--out`` and ``--podcast`` override its ``output/`` and ``podcast.yaml``."""
    paths = [p for p in scripts if p.name != CONFIG_NAME]  # e.g. from a shell glob scripts/*.yaml
    project = project_of(paths) if paths else find_project()
    if not paths and need_scripts:
        paths = project.guides() if project is not None else []
        if not paths:
            where = f"in {project.scripts}/" if project is not None else "in scripts/ here or in a folder above"
            raise UsageError(f"no scripts given and none found {where}; start a project with: audio-guide init")
    if podcast is not None:
        config = find_config(podcast, required=True)
    else:
        config = find_config(project.config, required=False) if project is not None else None
    out = out_dir if out_dir is not None else (project.output if project is not None else Path("output"))
    return Settings(paths, out, config, project)


def report_orphans(chosen: Settings) -> None:
    """Warn of episodes still published whose script is gone: neither kept nor dropped silently."""
    if chosen.project is None:
        return
    for episode in orphans(chosen.out_dir, set(chosen.project.slugs())):
        click.echo(f"warning: {chosen.out_dir / episode.mp3} is still published, but no script in "
                   f"{chosen.project.scripts}/ makes '{episode.slug}' any more; unpublish it with: "
                   f"audio-guide remove {episode.slug}", err=True)


def size(n: float) -> str:
    """Bytes as people read them: ``512 B``, ``12.5 MB``."""
    if n < 1000:
        return f"{n:.0f} B"
    for unit in ("KB", "MB"):
        n /= 1000
        if n < 1000:
            return f"{n:.1f} {unit}"
    return f"{n / 1000:.1f} GB"


def count(n: int, word: str) -> str:
    """``1 sentence``, ``2 sentences``: numbers people read, not ``1 sentences``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
