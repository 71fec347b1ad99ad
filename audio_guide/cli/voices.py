"""``voices``: the speech engines, the piper voices on this machine and those piper's repository offers.

Listing reads only this machine (the voices folder, and piper's catalogue when it is kept in
the cache); the network is used only when asked: ``--all`` the first time, ``--refresh``,
and ``voices download``. An offline failure is one line naming the command to run again.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from .. import engines
from ..errors import UsageError
from ..voices import (
    BUNDLED,
    LIST_ALL,
    REFRESH,
    Catalogue,
    CatalogueVoice,
    VoiceFacts,
    VoiceFiles,
    cached,
    command_for,
    downloaded,
    facts,
    folder_of,
    install,
    installed,
    language_key,
    load,
    remove,
    resolve,
    voices_dir,
)
from .app import cli, handle_errors
from .shared import size

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar


@cli.group(invoke_without_command=True)
@click.option("--all", "everything", is_flag=True,
              help="Also list every voice piper's repository offers; fetches its catalogue if none is kept "
                   "yet (needs the internet once).")
@click.option("--refresh", is_flag=True, help="Fetch piper's catalogue again (needs the internet), then list as --all.")
@click.option("--language", metavar="TAG",
              help="Only piper voices for this language: es, es-MX, pt_BR (a region's own voices first).")
@click.pass_context
@handle_errors
def voices(ctx: click.Context, everything: bool, refresh: bool, language: str | None) -> None:
    """List the speech engines and voices, and whether each can be used now.

    Then the piper voices on this machine (bundled and downloaded: language, quality, speakers
    and licence), and the ones that can be downloaded once piper's catalogue is kept (--all
    fetches it). Get one with: audio-guide voices download NAME
    """
    if ctx.invoked_subcommand is not None:
        return
    _engines()
    here = installed()
    wanted = language_key(language) if language else None
    click.echo("")
    _local(here, wanted, language)
    command = " ".join(["audio-guide voices", "--refresh" if refresh else "--all"]
                       + ([f"--language {language}"] if language else []))
    catalogue = load(refresh=True, command=command) if refresh else (
        load(command=command) if everything else cached())
    click.echo("")
    if catalogue is None:
        click.echo(f"more piper voices can be downloaded; to list them (needs the internet once), run: {LIST_ALL}")
        return
    _offered(catalogue, {v.name for v in here}, language)


def _engines() -> None:
    """Each engine, its voices and whether it can be used now."""
    for name in engines.names():
        entry = engines.info(name)
        usable, reason = engines.availability(name)
        if entry.voices:
            voices_text = ", ".join(entry.voices)
        elif name == "piper":  # its voices are the ones installed, listed in full below
            voices_text = ", ".join(v.name for v in installed()) or "none installed"
        else:
            voices_text = f"any (default {entry.default_voice})"
        default = " [default]" if name == "piper" else ""
        click.echo(f"{name}{default}: {entry.summary}")
        click.echo(f"  voices: {voices_text}")
        click.echo(f"  status: {'usable' if usable else 'not usable'}: {reason}")


def _local(here: list[VoiceFiles], wanted: tuple[str, str] | None, language: str | None) -> None:
    """The piper voices usable now, with what their config and model card say (and their speakers' names)."""
    rows: list[tuple[tuple[str, ...], VoiceFacts | None]] = []
    for files in here:
        try:
            known: VoiceFacts | None = facts(files)
        except UsageError:
            known = None
        if known is None:
            if wanted is None:
                rows.append(((files.name, "?", "?", "?", "?", f"{files.source}, its config cannot be read"), None))
            continue
        if wanted is not None and language_key(known.language)[0] != wanted[0]:
            continue
        rows.append(((files.name, known.tag, known.quality or "?", str(max(known.speaker_count, 1)),
                      known.licence or "not stated", files.source), known))
    if wanted is not None and wanted[1]:  # the region asked for first, as in the catalogue's list
        rows.sort(key=lambda row: language_key(row[0][1])[1] != wanted[1])
    click.echo(f"piper voices on this machine (downloaded ones are kept in {voices_dir()}):")
    if not rows:
        click.echo(f"  none for '{language}'" if language else "  none")
        return
    header, *lines = _table([("name", "language", "quality", "speakers", "licence", "source"), *(r for r, _ in rows)])
    click.echo(header)
    for line, (_row_cells, known) in zip(lines, rows):
        click.echo(line)
        if known is not None and known.speakers:
            click.echo(f"    speakers: {_speakers(known)}")


SHOWN_SPEAKERS = 12
"""Named speakers listed per voice; a voice with hundreds gives the rest as numbers."""


def _speakers(known: VoiceFacts) -> str:
    """``alto (0), bass (1)``: the names (or numbers) a script's ``speaker:`` takes."""
    named = ", ".join(f"{name} ({number})" for name, number in known.speakers[:SHOWN_SPEAKERS])
    more = len(known.speakers) - SHOWN_SPEAKERS
    return named if more <= 0 else f"{named}, and {more} more (any number from 0 to {known.speaker_count - 1})"


def _offered(catalogue: Catalogue, have: set[str], language: str | None) -> None:
    """The voices the catalogue offers that are not here yet."""
    offered = [v for v in (catalogue.for_language(language) if language else catalogue.voices) if v.name not in have]
    when = f"kept {catalogue.kept:%Y-%m-%d}; " if catalogue.kept else ""
    click.echo(f"piper voices to download (piper's catalogue, {when}update it with: {REFRESH}):")
    if not offered:
        click.echo(f"  none for '{language}'" if language else "  none")
        return
    for line in _table([("name", "language", "quality", "speakers", "size"), *(_row(v) for v in offered)]):
        click.echo(line)
    click.echo(f"download one with: {command_for(['NAME'])}")


def _row(voice: CatalogueVoice) -> tuple[str, ...]:
    return (voice.name, f"{voice.tag} {voice.language_label}", voice.quality, str(max(voice.num_speakers, 1)),
            size(voice.size))


def _table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    """Rows as aligned columns, indented under their heading."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]


@voices.command("download")
@click.argument("names", nargs=-1, required=True, metavar="NAME...")
@handle_errors
def download_voices(names: tuple[str, ...]) -> None:
    """Download piper voices into the voices folder, each file's size and MD5 checked.

    A voice is installed only when every file is whole (an earlier copy is replaced then);
    an interrupted or corrupt download installs nothing. The folder is the user data folder,
    or $AUDIO_GUIDE_VOICES_DIR; $AUDIO_GUIDE_VOICES_URL points at a mirror of piper's repository.
    """
    wanted = list(dict.fromkeys(names))
    chosen = {v.name: v for v in resolve([n for n in wanted if n != BUNDLED])}
    command = command_for(wanted)
    for name in wanted:
        voice = chosen.get(name)
        if voice is None:
            click.echo(f"{name} is bundled with audio-guide; nothing to download")
            continue
        with _Bar(f"{voice.name} ({size(voice.size)})") as bar:
            files = install(voice, progress=bar, command=command)
        click.echo(f"installed {voice.name} ({voice.language_label}, {size(voice.size)}) in {files.model.parent}")


class _Bar:
    """A progress bar on stderr, shown from the first byte: a download that fails before any
    (offline, a folder that cannot be written) says so in its one line, and nothing else."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: ProgressBar[int] | None = None

    def __call__(self, done: int, total: int, _file: str) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def __enter__(self) -> _Bar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@voices.command("remove")
@click.argument("names", nargs=-1, required=True, metavar="NAME...")
@handle_errors
def remove_voices(names: tuple[str, ...]) -> None:
    """Delete downloaded voices; the bundled one stays.

    Every name is checked before any voice is removed.
    """
    here = [v.name for v in downloaded()]
    for name in names:
        folder_of(name)  # a name that could not be a voice's (../x) is refused, saying how they read
        if name not in here and name != BUNDLED:  # the bundled one: remove() says why it stays
            near = difflib.get_close_matches(name, here, n=1, cutoff=0.6)
            guess = f"did you mean {near[0]}? " if near else ""
            raise UsageError(f"no downloaded voice '{name}' in {voices_dir()}; {guess}see: audio-guide voices")
    for name in dict.fromkeys(names):
        remove(name)
        click.echo(f"removed {name} from {voices_dir()}")
