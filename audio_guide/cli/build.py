"""``build``, ``feed`` and ``remove``: make guides, publish them, unpublish one."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ..errors import UsageError
from ..pipeline import BuildEvent, Built, Options
from ..pipeline import build as run_build
from ..podcast import podcast_for, publish, remove_episode
from ..script import format_duration
from .app import cli, handle_errors
from .shared import (
    CACHE_DIR_OPTION,
    OUT_OPTION,
    PODCAST_OPTION,
    SCRIPT_ARGS,
    count,
    report_orphans,
    settings,
    size,
)


@cli.command()
@SCRIPT_ARGS
@OUT_OPTION
@click.option("--engine", help="Speech engine for every guide (default: each script's; piper is offline).")
@click.option("--voice", help="Engine voice id for every guide.")
@click.option("--rate", type=float, help="Speaking speed for every guide: 1.0 normal, 0.8 slower.")
@CACHE_DIR_OPTION
@PODCAST_OPTION
@click.option("--force", is_flag=True, help="Rebuild even the guides that are up to date.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Build this many guides at once (each in its own process).")
@handle_errors
def build(scripts: tuple[Path, ...], out_dir: Path | None, engine: str | None, voice: str | None,
          rate: float | None, cache_dir: Path | None, podcast: Path | None, force: bool, jobs: int) -> None:
    """Build guides into MP3s (default: every guide in the project's scripts/).

    The project is the folder holding scripts/: the scripts' own, or the one around the
    current folder. Its output/ and scripts/podcast.yaml are used unless --out or --podcast
    say otherwise. A guide whose script, referenced files, settings and tool version are
    unchanged, and whose outputs are all present, is skipped; --force rebuilds it.
    """
    chosen = settings(scripts, out_dir, podcast)
    options = Options(out_dir=chosen.out_dir, engine=engine, voice=voice, rate=rate, cache_dir=cache_dir,
                      podcast=chosen.config)
    results = run_build(chosen.scripts, options, _Reporter(), force=force, jobs=jobs)
    report_orphans(chosen)
    total = sum(b.seconds for b in results)
    out = chosen.out_dir
    click.echo(f"built {count(len(results), 'guide')}, {format_duration(total)} of audio, in {out}/")
    click.echo(f"feed: {out / 'feed.xml'}  page: {out / 'index.html'}"
               + ("" if chosen.config is not None else "  (a local feed: no podcast.yaml beside the scripts)"))


class _Reporter:
    """Turns build events into a progress bar per guide, status lines and a result line."""

    def __init__(self) -> None:
        self._bar: Any = None

    def __call__(self, event: BuildEvent) -> None:
        if event.stage == "speaking":
            self._speaking(event)
        elif event.stage == "mixing":
            click.echo(f"mixing and encoding {event.guide.slug}...", err=True)
        elif event.built is not None:
            self._built(event.built)

    def _speaking(self, event: BuildEvent) -> None:
        if event.total == 0:
            return
        if event.done == 0:
            self._bar = click.progressbar(length=event.total, label=f"speaking {event.guide.slug}", file=sys.stderr,
                                          show_pos=True, show_eta=True)
            self._bar.__enter__()
        elif self._bar is not None:
            self._bar.update(1)
            if event.done >= event.total:
                self._bar.__exit__(None, None, None)
                self._bar = None

    @staticmethod
    def _built(built: Built) -> None:
        line = f"{built.mp3}  {format_duration(built.seconds)}  {size(built.size)}"
        if built.skipped:
            click.echo(f"{line}  (up to date)")
            return
        if built.made and built.reused:
            speech = f"{count(built.made, 'sentence')} spoken, {built.reused} from the cache"
        elif built.made:
            speech = f"{count(built.made, 'sentence')} spoken"
        else:
            speech = f"all {count(built.reused, 'sentence')} from the cache"
        click.echo(f"{line}  ({speech})")
        for warning in built.timeline.warnings if built.timeline else ():
            click.echo(f"warning: {warning}", err=True)


@cli.command()
@OUT_OPTION
@PODCAST_OPTION
@handle_errors
def feed(out_dir: Path | None, podcast: Path | None) -> None:
    """Rebuild only the podcast feed and the listening page from the built guides."""
    chosen = settings((), out_dir, podcast, need_scripts=False)
    feed_path, page_path = publish(podcast_for(chosen.config, chosen.out_dir), chosen.out_dir)
    report_orphans(chosen)
    click.echo(f"feed: {feed_path}  page: {page_path}")


@cli.command()
@click.argument("slug")
@OUT_OPTION
@PODCAST_OPTION
@handle_errors
def remove(slug: str, out_dir: Path | None, podcast: Path | None) -> None:
    """Unpublish the episode SLUG: its files leave output/, and the feed and page are rewritten.

    Refused while a script still makes it (the next build would bring it back): delete or
    rename the script first, or mark it 'draft: true' to keep it out of the feed.
    """
    chosen = settings((), out_dir, podcast, need_scripts=False)
    script = chosen.project.slugs().get(slug) if chosen.project is not None else None
    if script is not None:
        raise UsageError(f"{script} still makes '{slug}'; delete or rename it first (the next build would bring "
                         "the episode back), or set 'draft: true' in it to keep it out of the feed.")
    for path in remove_episode(chosen.out_dir, slug):
        click.echo(f"removed {path}")
    feed_path, page_path = publish(podcast_for(chosen.config, chosen.out_dir), chosen.out_dir)
    click.echo(f"feed: {feed_path}  page: {page_path}")
