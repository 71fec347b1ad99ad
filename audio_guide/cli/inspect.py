"""``validate`` and ``plan``: look at scripts without making any audio."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..podcast import load_podcast
from ..script import Guide, Hold, format_duration, load_script, load_scripts
from ..timeline import Timeline
from .app import cli, handle_errors
from .shared import CACHE_DIR_OPTION, SCRIPT_ARGS, count, settings


@cli.command()
@SCRIPT_ARGS
@handle_errors
@CACHE_DIR_OPTION
def validate(scripts: tuple[Path, ...], cache_dir: Path | None) -> None:
    """Check scripts without making audio.

    Warns as 'plan' and 'build' do (a reminder that would be dropped, ...); warnings do not
    change the exit status.
    """
    chosen = settings(scripts, None, None)
    guides = load_scripts(chosen.scripts)
    for guide in guides:
        click.echo(f"{guide.path}: ok ({count(len(guide.sections), 'section')})")
        # only reminders can make a plan warn: other guides never load the audio stage (numpy, the cache)
        if any(isinstance(step, Hold) and step.remind for step in guide.written_steps()):
            for warning in _timeline(guide, cache_dir).warnings:
                click.echo(f"warning: {warning}", err=True)
    if chosen.config is not None:
        load_podcast(chosen.config)
        click.echo(f"{chosen.config}: ok (podcast)")


@cli.command("plan")
@click.argument("script", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--spoken", is_flag=True,
              help="Show each sentence as the voice gets it (lexicon applied, durations in words).")
@CACHE_DIR_OPTION
@handle_errors
def plan_command(script: Path, as_json: bool, spoken: bool, cache_dir: Path | None) -> None:
    """Show the timeline without making audio.

    Speech lengths come from the speech cache when the guide was built before; otherwise they
    are estimates, marked with '~'.
    """
    guide = load_script(script)
    timeline = _timeline(guide, cache_dir)
    if as_json:
        click.echo(json.dumps({"slug": guide.slug, "title": guide.title, **timeline.to_dict()}, indent=2,
                              ensure_ascii=False))
        return
    click.echo(f"{guide.slug}: {guide.title}")
    for line in _lines(timeline, spoken):
        click.echo(line)
    click.echo(f"total {format_duration(timeline.total / timeline.rate)}{' (estimated: not built yet)' if timeline.estimated else ''}")
    for warning in timeline.warnings:
        click.echo(f"warning: {warning}", err=True)


def _timeline(guide: Guide, cache_dir: Path | None) -> Timeline:
    """The guide's timeline with real lengths where the cache has them: the one the build will make."""
    from ..audio import Clips, SpeechCache, timeline_for  # numpy: loaded only once a script is valid

    return timeline_for(guide, Clips(guide, SpeechCache(cache_dir)))


def _lines(timeline: Timeline, spoken: bool = False) -> list[str]:
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
        text = ""
        if event.kind in ("speech", "cue"):
            text = event.spoken if spoken and event.kind == "speech" else event.text
        kind = "remind" if event.reminder and event.kind == "speech" else event.kind
        lines.append(f"{format_duration(event.start / rate):>11}  {kind:<7}{mark}{format_duration(event.length / rate):>10}  {text}")
    return lines
