"""``validate`` and ``plan``: look at scripts without making any audio."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..podcast import CONFIG_FILE, find_config, load_podcast
from ..script import format_duration, load_script, load_scripts
from ..timeline import Timeline
from .app import cli, handle_errors
from .shared import CACHE_DIR_OPTION, SCRIPT_ARGS, count, script_paths


@cli.command()
@SCRIPT_ARGS
@handle_errors
def validate(scripts: tuple[Path, ...]) -> None:
    """Check scripts without making audio."""
    guides = load_scripts(script_paths(scripts))
    for guide in guides:
        click.echo(f"{guide.path}: ok ({count(len(guide.sections), 'section')})")
    config = find_config(CONFIG_FILE, required=False)
    if not scripts and config is not None:
        load_podcast(config)
        click.echo(f"{config}: ok (podcast)")


@cli.command("plan")
@click.argument("script", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@CACHE_DIR_OPTION
@handle_errors
def plan_command(script: Path, as_json: bool, cache_dir: Path | None) -> None:
    """Show the timeline without making audio.

    Speech lengths come from the speech cache when the guide was built before; otherwise they
    are estimates, marked with '~'.
    """
    from ..audio import (  # real lengths: the cache and the cue sounds
        Clips,
        SpeechCache,
        timeline_for,
    )

    guide = load_script(script)
    timeline = timeline_for(guide, Clips(guide, SpeechCache(cache_dir)))
    if as_json:
        click.echo(json.dumps({"slug": guide.slug, "title": guide.title, **timeline.to_dict()}, indent=2,
                              ensure_ascii=False))
        return
    click.echo(f"{guide.slug}: {guide.title}")
    for line in _lines(timeline):
        click.echo(line)
    click.echo(f"total {format_duration(timeline.total / timeline.rate)}{' (estimated: not built yet)' if timeline.estimated else ''}")
    for warning in timeline.warnings:
        click.echo(f"warning: {warning}", err=True)


def _lines(timeline: Timeline) -> list[str]:
    """One line per audible event, with a heading where each chapter starts."""
    rate = timeline.rate
    chapters = {c.start: c for c in timeline.chapters}
    shown: set[int] = set()
    lines = []
    for event in timeline.events:
        for start, chapter in chapters.items():
            if start <= event.start and start not in shown:
                shown.add(start)
                lines.append(f"{format_duration(start / rate):>11}  == {chapter.title} ==")
        if event.kind == "gap":
            continue
        mark = "~" if event.estimated else " "
        text = event.text if event.kind in ("speech", "cue") else ""
        kind = "remind" if event.reminder and event.kind == "speech" else event.kind
        lines.append(f"{format_duration(event.start / rate):>11}  {kind:<7}{mark}{format_duration(event.length / rate):>10}  {text}")
    return lines
