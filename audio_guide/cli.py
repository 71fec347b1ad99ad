"""The ``audio-guide`` command: a thin click layer over the library.

It parses options, calls the library, prints results, and turns the library's errors into
one line on stderr with the documented exit code: 0 success, 1 build failure, 2 usage or
script error. Heavy modules are imported inside the commands to keep ``--help`` instant.
"""

from __future__ import annotations

import errno
import functools
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any, Callable, TypeVar

import click

from . import __version__
from .errors import AudioGuideError, UsageError

F = TypeVar("F", bound=Callable[..., Any])
PODCAST_CONFIG = "podcast.yaml"
"""The podcast's settings live beside the guides in scripts/, but are not a guide."""


def _errors(func: F) -> F:
    """Every expected failure becomes ``error: ...`` and its exit code, never a traceback."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except AudioGuideError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted: guides finished before the interrupt are complete; "
                       "no partial file was left in the output folder.", err=True)
            sys.exit(130)
        except OSError as exc:  # the disk, not the user's script: a build failure
            from .files import shown

            where = f" ({shown(exc.filename)})" if isinstance(exc.filename, str) and exc.filename else ""
            reason = "the disk is full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
            click.echo(f"error: {reason}{where}; no temporary file was left in the output folder.", err=True)
            sys.exit(1)
    return wrapper  # type: ignore[return-value]


_MAIN_PID: int | None = None
"""The process ``main()`` ran in; the speech process and ``--jobs`` workers are forked from it."""


def _terminate(signum: int, _frame: object) -> None:
    """SIGTERM unwinds like Ctrl-C, so temporary files are removed on the way out.

    A forked helper inherits this handler. It unwinds too (its ``finally`` blocks and cleanups
    run) but with SystemExit, which multiprocessing ends quietly: a KeyboardInterrupt there,
    e.g. when the build stops the speech process as it exits, printed a traceback.
    """
    if _MAIN_PID is not None and os.getpid() != _MAIN_PID:
        raise SystemExit(128 + signum)
    raise KeyboardInterrupt


def _podcast_config(path: Path) -> Path | None:
    """The podcast config to use: the default one only if it is there; one the user named must be."""
    context = click.get_current_context()
    named = context.get_parameter_source("podcast") is not click.core.ParameterSource.DEFAULT
    if path.is_file():
        return path
    if named:
        raise UsageError(f"--podcast {path}: no such file.")
    return None


def _scripts(paths: tuple[Path, ...]) -> list[Path]:
    if paths:
        return [p for p in paths if p.name != PODCAST_CONFIG]  # e.g. from a shell glob scripts/*.yaml
    found = sorted(p for p in Path("scripts").glob("*.yaml") if p.name != PODCAST_CONFIG)
    if not found:
        raise UsageError("no scripts given and none found in scripts/*.yaml.")
    return found


def _fmt(seconds: float) -> str:
    from .durations import format_duration

    return format_duration(seconds)


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000  # type: ignore[assignment]
    return f"{n} B"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="audio-guide")
def cli() -> None:
    """Turn YAML scripts into narrated bedtime audio guides (MP3)."""


SCRIPT_ARGS = click.argument("scripts", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
CACHE_DIR_OPTION = click.option(
    "--cache-dir", type=click.Path(path_type=Path, file_okay=False),
    help="Speech cache folder (default: $AUDIO_GUIDE_CACHE_DIR or the user cache folder).")
OUT_OPTION = click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("output"),
                          show_default=True, help="Folder for the built guides.")
PODCAST_OPTION = click.option(
    "--podcast", type=click.Path(path_type=Path, dir_okay=False), default=Path("scripts") / PODCAST_CONFIG,
    show_default=True, help="Podcast config for the feed (if missing, a local feed is written).")


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
@_errors
def build(scripts: tuple[Path, ...], out_dir: Path, engine: str | None, voice: str | None,
          rate: float | None, cache_dir: Path | None, podcast: Path | None, force: bool, jobs: int) -> None:
    """Build guides into MP3s (default: every scripts/*.yaml).

    A guide whose script, referenced files, settings and tool version are unchanged, and whose
    outputs are all present, is skipped; --force rebuilds it.
    """
    from .builder import Built, Options, build as run_build

    bars: list[Any] = []

    def progress(guide: Any, count: int) -> Callable[[str], None]:
        if count == 0:
            return lambda _s: None
        bar = click.progressbar(length=count, label=f"speaking {guide.slug}", file=sys.stderr,
                                show_pos=True, show_eta=True)
        bar.__enter__()
        bars.append(bar)

        def step(_sentence: str) -> None:
            bar.update(1)
            if bar.pos >= count:
                bar.__exit__(None, None, None)
        return step

    def report(built: Built) -> None:
        if built.skipped:
            click.echo(f"{built.mp3}  {_fmt(built.seconds)}  {_size(built.size)}  (up to date)")
        else:
            click.echo(f"{built.mp3}  {_fmt(built.seconds)}  {_size(built.size)}"
                       f"  ({built.made} sentences spoken, the rest from the cache)")
            for warning in built.timeline.warnings if built.timeline else ():
                click.echo(f"warning: {warning}", err=True)

    options = Options(out_dir=out_dir, engine=engine, voice=voice, rate=rate, cache_dir=cache_dir,
                      podcast=_podcast_config(podcast))
    def stage(guide: Any, what: str) -> None:
        click.echo(f"{what} {guide.slug}...", err=True)

    results = run_build(_scripts(scripts), options, progress, report, force=force, jobs=jobs, on_stage=stage)
    total = sum(b.seconds for b in results)
    click.echo(f"built {len(results)} guide{'s' if len(results) != 1 else ''}, {_fmt(total)} of audio, in {out_dir}/")
    click.echo(f"feed: {out_dir / 'feed.xml'}  page: {out_dir / 'index.html'}")


@cli.command()
@SCRIPT_ARGS
@_errors
def validate(scripts: tuple[Path, ...]) -> None:
    """Check scripts without making audio."""
    from .script import load_scripts

    guides = load_scripts(_scripts(scripts))
    for guide in guides:
        click.echo(f"{guide.path}: ok ({len(guide.sections)} sections)")
    config = Path("scripts") / PODCAST_CONFIG
    if not scripts and config.is_file():
        from .podcast import load_podcast

        load_podcast(config)
        click.echo(f"{config}: ok (podcast)")


@cli.command("plan")
@click.argument("script", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@CACHE_DIR_OPTION
@_errors
def plan_command(script: Path, as_json: bool, cache_dir: Path | None) -> None:
    """Show the timeline without making audio.

    Speech lengths come from the speech cache when the guide was built before; otherwise they
    are estimates, marked with '~'.
    """
    from .builder import timeline_for
    from .cache import SpeechCache
    from .script import load_script
    from .synth import Clips

    guide = load_script(script)
    timeline = timeline_for(guide, Clips(guide, SpeechCache(cache_dir)))
    if as_json:
        click.echo(json.dumps({"slug": guide.slug, "title": guide.title, **timeline.to_dict()}, indent=2,
                              ensure_ascii=False))
        return
    rate = timeline.rate
    click.echo(f"{guide.slug}: {guide.title}")
    chapters = {c.start: c for c in timeline.chapters}
    shown: set[int] = set()
    for event in timeline.events:
        for start, chapter in chapters.items():
            if start <= event.start and start not in shown:
                shown.add(start)
                click.echo(f"{_fmt(start / rate):>11}  == {chapter.title} ==")
        if event.kind == "gap":
            continue
        mark = "~" if event.estimated else " "
        text = event.text if event.kind in ("speech", "cue") else ""
        kind = "remind" if event.reminder and event.kind == "speech" else event.kind
        click.echo(f"{_fmt(event.start / rate):>11}  {kind:<7}{mark}{_fmt(event.length / rate):>10}  {text}")
    click.echo(f"total {_fmt(timeline.total / rate)}{' (estimated: not built yet)' if timeline.estimated else ''}")
    for warning in timeline.warnings:
        click.echo(f"warning: {warning}", err=True)


@cli.command()
@OUT_OPTION
@PODCAST_OPTION
@_errors
def feed(out_dir: Path, podcast: Path) -> None:
    """Rebuild only the podcast feed and the listening page from the built guides."""
    from .podcast import default_podcast, load_podcast, publish

    config = _podcast_config(podcast)
    feed_path, page_path = publish(load_podcast(config) if config else default_podcast(out_dir), out_dir)
    click.echo(f"feed: {feed_path}  page: {page_path}")


@cli.command()
@_errors
def voices() -> None:
    """List the speech engines and voices, and whether each can be used now."""
    from . import engines

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
@_errors
def cache_info(cache_dir: Path | None) -> None:
    """Where the cache is and how big."""
    from .cache import SpeechCache

    info = SpeechCache(cache_dir).info()
    click.echo(f"{info.path}: {info.entries} clips, {_size(info.bytes)}")


@cache.command("clear")
@CACHE_DIR_OPTION
@_errors
def cache_clear(cache_dir: Path | None) -> None:
    """Remove every cached clip."""
    from .cache import SpeechCache

    info = SpeechCache(cache_dir).clear()
    click.echo(f"removed {info.entries} clips ({_size(info.bytes)}) from {info.path}")


def main() -> None:
    global _MAIN_PID
    _MAIN_PID = os.getpid()
    signal.signal(signal.SIGTERM, _terminate)
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:  # e.g. started with '&' by a script: keep ignoring
        signal.signal(signal.SIGINT, _terminate)  # as Python's own in this process; quiet in forked helpers
    cli(prog_name="audio-guide")
