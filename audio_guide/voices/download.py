"""Installing piper voices: every file checked against the catalogue, a voice renamed into place only whole.

piper's own download helper writes in place and checks nothing, so a dropped connection
leaves a voice that loads and then fails, or speaks garbage. Here each voice is streamed into
a private folder inside the voices folder (the same file system, so the last step is one
rename), each file's size and MD5 are checked as it arrives, and only a voice whose every file
is whole replaces what was there. Anything else (a broken connection, a wrong digest, Ctrl-C)
removes the temporary folder and installs nothing.

Only ``audio-guide voices download`` (or a Python caller) comes here: a build never downloads.
"""

from __future__ import annotations

import difflib
import errno
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final

from ..errors import MachineError, UsageError
from .catalogue import LIST_ALL, Catalogue, CatalogueFile, CatalogueVoice, load
from .remote import (
    REFRESH,
    Broken,
    DownloadError,
    DownloadInterrupted,
    RequestFailed,
    chunks,
    opened,
    session,
    url_of,
)
from .store import VOICES_ENV, VoiceFiles, bundled, find, folder_of, voices_dir

if TYPE_CHECKING:
    import requests

Progress = Callable[[int, int, str], None]
"""Called as bytes arrive: ``(bytes of this voice done, bytes of this voice in all, the file's name)``."""
COMMAND: Final = "audio-guide voices download"
STALE_AFTER: Final = 24 * 3600
"""Seconds after which a temporary folder in the voices folder is taken as left by a killed download."""
_NOT_ALLOWED = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})


def command_for(names: Sequence[str]) -> str:
    """The command that downloads ``names``: what an offline or broken download says to run again."""
    return " ".join([COMMAND, *names])


def resolve(names: Sequence[str], catalogue: Catalogue | None = None) -> list[CatalogueVoice]:
    """The catalogue's entries for ``names``, each once; every name is checked before anything is fetched.

    :class:`UsageError` for a name that could not be a voice's (``../x``) or that the catalogue
    lacks (with the nearest name); the catalogue is read from the cache, or fetched once.
    """
    unique = list(dict.fromkeys(names))
    for name in unique:
        folder_of(name)  # refuses a name that would walk a path, before any request
    if not unique:
        return []
    found = catalogue if catalogue is not None else load(command=command_for(unique))
    chosen = []
    for name in unique:
        voice = found.get(name)
        if voice is None:
            near = difflib.get_close_matches(name, found.names, n=1, cutoff=0.75)
            guess = f"did you mean {near[0]}? " if near else ""
            raise UsageError(f"piper's voice catalogue has no voice '{name}'; {guess}see: {LIST_ALL}")
        chosen.append(voice)
    return chosen


def download(names: Sequence[str], *, progress: Progress | None = None,
             catalogue: Catalogue | None = None) -> list[VoiceFiles]:
    """Install each named voice into :func:`~.store.voices_dir`, verified; returns them as installed.

    All names are checked first. Voices are installed one after another: when one fails, the
    ones before it stay installed (each is whole) and it raises :class:`DownloadError`. The
    bundled voice is returned as it is, without asking the repository.
    """
    wanted = list(dict.fromkeys(names))
    own = bundled()
    voices = {v.name: v for v in resolve([n for n in wanted if own is None or n != own.name], catalogue)}
    command = command_for(wanted)
    return [own if own is not None and name == own.name else install(voices[name], progress=progress, command=command)
            for name in wanted]


def install(voice: CatalogueVoice, *, progress: Progress | None = None, command: str | None = None) -> VoiceFiles:
    """Download one voice and rename it into place whole; an earlier install of it is replaced only then.

    The bundled voice is not downloaded again: it is returned as it is.
    """
    own = bundled()
    if own is not None and own.name == voice.name:
        return own
    again = command or command_for([voice.name])
    root = voices_dir()
    target = folder_of(voice.name, root)
    try:
        root.mkdir(parents=True, exist_ok=True)
        _sweep(root)
        work = Path(tempfile.mkdtemp(prefix=f".download-{voice.name}-", dir=root))
    except OSError as exc:
        raise _unwritable(root, exc) from None
    staged = work / voice.name
    try:
        try:
            staged.mkdir()
        except OSError as exc:
            raise _unwritable(root, exc) from None
        done = 0
        with session() as http:
            for file in voice.files:
                done = _fetch(http, voice, file, staged / file.name, done, progress, again)
        _swap(staged, target, work / "replaced")
    except KeyboardInterrupt:
        raise DownloadInterrupted(f"the download of {voice.name} was interrupted; nothing was installed "
                                  "and its temporary files are removed.") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    installed = find(voice.name, root)
    if installed is None:  # renamed whole a moment ago: only someone else's hand gets here
        raise DownloadError(f"{target} vanished as {voice.name} was installed; run again: {again}")
    return installed


def _sweep(root: Path) -> None:
    """Remove what a download or removal killed outright (SIGKILL, a power cut) left a day or more ago.

    Such a folder is hidden and never found as a voice; only its space is lost. A day's margin
    leaves alone one that another download is filling right now."""
    stale = time.time() - STALE_AFTER
    for folder in root.glob(".*-*"):
        try:
            if folder.name.startswith((".download-", ".removing-")) and folder.is_dir() \
                    and folder.stat().st_mtime < stale:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def _fetch(http: requests.Session, voice: CatalogueVoice, file: CatalogueFile, dest: Path, done: int,
           progress: Progress | None, again: str) -> int:
    """Stream one file to ``dest``, checking its size as it comes and its MD5 at the end; bytes done after it."""
    try:
        return _stream(http, voice, file, dest, done, progress, again)
    except RequestFailed as exc:  # said again with the voice and file it was for
        raise DownloadError(f"the download of {voice.name} failed: {file.name}: {exc.what}; nothing was installed; "
                            f"{exc.hint}") from None


def _stream(http: requests.Session, voice: CatalogueVoice, file: CatalogueFile, dest: Path, done: int,
            progress: Progress | None, again: str) -> int:
    digest = hashlib.md5(usedforsecurity=False)
    got = 0
    with opened(http, url_of(file.path), again) as response:
        offered = response.headers.get("Content-Length", "")
        if offered.isdigit() and "Content-Encoding" not in response.headers and int(offered) != file.size:
            raise _wrong(voice, file, f"is offered as {int(offered):,} bytes, but the catalogue says {file.size:,}")
        try:
            with dest.open("wb") as out:
                try:
                    for chunk in chunks(response):
                        got += len(chunk)
                        if got > file.size:
                            raise _wrong(voice, file, f"is larger than the catalogue's {file.size:,} bytes")
                        digest.update(chunk)
                        out.write(chunk)
                        if progress is not None:
                            progress(done + got, voice.size, file.name)
                except Broken as exc:
                    raise _broken(voice, file, f"stopped after {got:,} of {file.size:,} bytes ({exc})", again) from None
                out.flush()
                os.fsync(out.fileno())  # whole on disk before the rename makes it a voice
        except OSError as exc:  # the disk, not the repository
            if exc.errno in _NOT_ALLOWED:
                raise _unwritable(voices_dir(), exc) from None
            raise DownloadError(f"writing {file.name} of {voice.name} into {voices_dir()} failed "
                                f"({exc.strerror or exc}); nothing was installed.") from None
    if got != file.size:
        raise _broken(voice, file, f"stopped after {got:,} of {file.size:,} bytes", again)
    if digest.hexdigest() != file.md5:
        raise _wrong(voice, file, f"has MD5 {digest.hexdigest()}, expected {file.md5}")
    return done + got


def _swap(staged: Path, target: Path, aside: Path) -> None:
    """Put the new voice where the old one was; the old one is moved aside first, and back if that fails."""
    moved = False
    try:
        if target.exists() or target.is_symlink():
            os.replace(target, aside)
            moved = True
        os.replace(staged, target)
    except BaseException as exc:
        if moved and not target.exists():
            os.replace(aside, target)
        if isinstance(exc, OSError):
            raise _unwritable(target.parent, exc) from None
        raise


def _wrong(voice: CatalogueVoice, file: CatalogueFile, what: str) -> DownloadError:
    """The repository sent something its catalogue does not promise: a retry will likely not help."""
    return DownloadError(f"the download of {voice.name} failed: {file.name} {what}; nothing was installed "
                         f"(the repository's copy does not match its catalogue: update the catalogue with "
                         f"{REFRESH}, or try a mirror with AUDIO_GUIDE_VOICES_URL).")


def _broken(voice: CatalogueVoice, file: CatalogueFile, what: str, again: str) -> DownloadError:
    """The transfer broke off: a retry will likely do."""
    return DownloadError(f"the download of {voice.name} failed: {file.name} {what}; nothing was installed; "
                         f"try again with: {again}")


def _unwritable(folder: Path, exc: OSError) -> MachineError:
    return MachineError(f"the voices folder {folder} cannot be written ({exc.strerror or exc}); "
                        f"choose another with {VOICES_ENV}=DIR.")
