"""``preview``: hear one section, or a stretch of time, in seconds: never published.

Only the chosen part's sentences are spoken (cached ones are reused), it is mixed in memory
at the guide's loudness, and written to a file outside ``output/`` (by default a temporary
file whose path is printed), so a draft can never reach the feed by accident.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from fractions import Fraction
from pathlib import Path

import click

from ..errors import UsageError
from ..files import atomic_path
from ..project import project_of
from ..script import format_duration, load_script, parse_duration
from .app import cli, handle_errors
from .shared import CACHE_DIR_OPTION

PLAYERS = (("ffplay", "-nodisp", "-autoexit", "-loglevel", "quiet"), ("mpv", "--no-video"), ("paplay",),
           ("aplay", "-q"), ("afplay",), ("play", "-q"))
"""Command-line players tried in turn for ``--play``; the file is played with the first found."""


@cli.command()
@click.argument("script", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--section", help="A section's number (from 1) or its exact title.")
@click.option("--from", "start", help="Start this far into the part (with --section: into that section), e.g. 1m30s.")
@click.option("--to", "end", help="End this far into the part, e.g. 2m.")
@click.option("-o", "--output", "target", type=click.Path(path_type=Path, dir_okay=False),
              help="Write here (.mp3 or .wav); default: a temporary file. Never inside output/.")
@click.option("--play", is_flag=True, help="Play it with a command-line player when one is installed.")
@CACHE_DIR_OPTION
@handle_errors
def preview(script: Path, section: str | None, start: str | None, end: str | None, target: Path | None,
            play: bool, cache_dir: Path | None) -> None:
    """Render one section (or all) of SCRIPT, or a stretch of it, to listen to at once.

    Only the part's sentences are spoken (cached ones reused): with --section, that section's
    alone, so --section with --from/--to is the fastest way to hear a few lines again.
    """
    begin, finish = _time(start, "--from"), _time(end, "--to")
    if begin is not None and finish is not None and finish <= begin:
        raise UsageError(f"--to ({end}) must be later than --from ({start}).")
    guide = load_script(script)
    output = project_of([script]).output.resolve()
    if target is not None and target.resolve().is_relative_to(output):
        raise UsageError(f"-o {target}: a preview is never written into {output}/ (that folder is published); "
                         "choose a path outside it.")
    kind = target.suffix.lower().lstrip(".") if target is not None else "mp3"
    if kind not in ("mp3", "wav"):
        raise UsageError(f"-o {target}: expected a file name ending in .mp3 or .wav.")

    from ..audio import SpeechCache
    from ..audio import preview as render_preview  # numpy: only once the arguments are good

    audio = render_preview(guide, section, SpeechCache(cache_dir))
    length = Fraction(len(audio), 1000)
    if begin is not None and begin >= length:
        raise UsageError(f"--from {start} is past the end of the part ({format_duration(length)}).")
    cut = audio[int(begin * 1000) if begin is not None else 0:int(finish * 1000) if finish is not None else None]
    if target is None:  # named only now: a refused preview leaves no empty file behind
        handle, name = tempfile.mkstemp(prefix=f"{guide.slug}-preview-", suffix=".mp3")
        os.close(handle)  # the name to write to: replaced whole below
        target = Path(name)
    with atomic_path(target) as tmp:
        cut.export(tmp, format=kind, **({"bitrate": "96k"} if kind == "mp3" else {}))
    click.echo(f"{target}  {format_duration(len(cut) / 1000)}")
    if play:
        _play(target)


def _time(value: str | None, option: str) -> Fraction | None:
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise UsageError(f"{option} {value}: {exc}.") from None


def _play(path: Path) -> None:
    for command in PLAYERS:
        if shutil.which(command[0]):
            subprocess.run([*command, str(path)], check=False)
            return
    click.echo(f"no audio player found (tried {', '.join(c[0] for c in PLAYERS)}); open {path} to listen.", err=True)
