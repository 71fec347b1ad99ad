"""``cache``: the speech the tool keeps (``voices`` lives in :mod:`.voices`)."""

from __future__ import annotations

from pathlib import Path

import click

from ..places import cache_fallback
from .app import cli, handle_errors
from .shared import CACHE_DIR_OPTION, count, size


@cli.group()
def cache() -> None:
    """Inspect or clear the speech cache."""


@cache.command("info")
@CACHE_DIR_OPTION
@handle_errors
def cache_info(cache_dir: Path | None) -> None:
    """Where the cache is and how big."""
    from ..audio import SpeechCache  # the cache's reader lives with the audio it keeps

    info = SpeechCache(cache_dir).info()
    click.echo(f"{info.path}: {count(info.entries, 'clip')}, {size(info.bytes)}")
    note = cache_fallback(cache_dir)
    if note:
        click.echo(f"note: {note}")


@cache.command("clear")
@CACHE_DIR_OPTION
@handle_errors
def cache_clear(cache_dir: Path | None) -> None:
    """Remove every cached clip."""
    from ..audio import SpeechCache

    info = SpeechCache(cache_dir).clear()
    click.echo(f"removed {count(info.entries, 'clip')} ({size(info.bytes)}) from {info.path}")
