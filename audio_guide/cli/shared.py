"""Options several commands share, and how results are shown: defined once, so they never drift."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import UsageError
from ..podcast import CONFIG_FILE, CONFIG_NAME, find_config

SCRIPT_ARGS = click.argument("scripts", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
CACHE_DIR_OPTION = click.option(
    "--cache-dir", type=click.Path(path_type=Path, file_okay=False),
    help="Speech cache folder (default: $AUDIO_GUIDE_CACHE_DIR or the user cache folder).")
OUT_OPTION = click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("output"),
                          show_default=True, help="Folder for the built guides.")
PODCAST_OPTION = click.option(
    "--podcast", type=click.Path(path_type=Path, dir_okay=False), default=CONFIG_FILE,
    show_default=True, help="Podcast config for the feed (if missing, a local feed is written).")


def podcast_config(path: Path) -> Path | None:
    """The ``--podcast`` file to use: the default only if it is there; one the user named must be."""
    source = click.get_current_context().get_parameter_source("podcast")
    return find_config(path, required=source is not click.core.ParameterSource.DEFAULT)


def script_paths(paths: tuple[Path, ...]) -> list[Path]:
    """The scripts named, or every ``scripts/*.yaml``; the podcast config is never a guide."""
    if paths:
        return [p for p in paths if p.name != CONFIG_NAME]  # e.g. from a shell glob scripts/*.yaml
    found = sorted(p for p in Path("scripts").glob("*.yaml") if p.name != CONFIG_NAME)
    if not found:
        raise UsageError("no scripts given and none found in scripts/*.yaml.")
    return found


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
