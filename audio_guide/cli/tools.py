"""``voices`` and ``cache``: what the tool can speak with, and the speech it keeps."""

from __future__ import annotations

from pathlib import Path

import click

from .. import engines
from ..places import cache_fallback
from .app import cli, handle_errors
from .shared import CACHE_DIR_OPTION, count, size


@cli.command()
@handle_errors
def voices() -> None:
    """List the speech engines and voices, and whether each can be used now."""
    for name in engines.names():
        entry = engines.info(name)
        usable, reason = engines.availability(name)
        voices_text = ", ".join(entry.voices) if entry.voices else f"any (default {entry.default_voice})"
        default = " [default]" if name == "piper" else ""
        click.echo(f"{name}{default}: {entry.summary}")
        click.echo(f"  voices: {voices_text}")
        click.echo(f"  status: {'usable' if usable else 'not usable'}: {reason}")


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
