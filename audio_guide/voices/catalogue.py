"""piper's voice catalogue, ``voices.json``: fetched once, checked, and kept in the user cache.

The catalogue names every voice the repository has, its language, quality and speakers, and
each file's path, size and MD5 digest; :mod:`.download` trusts nothing it fetches that does not
match it. It is kept as fetched (``<cache>/voices.json``, replaced whole) so that listing and
downloading later need no second request; ``audio-guide voices --refresh`` fetches it again.

A catalogue that is not the shape piper publishes is refused whole, with one sentence saying
where, rather than half-read: a voice listed wrongly would be downloaded wrongly.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any, Final, NamedTuple

from ..errors import MachineError, UsageError
from ..places import CACHE_ENV, cache_dir
from .remote import REFRESH, URL_ENV, DownloadError, get, url_of
from .store import CARD, NAME, language_tag

FILE_NAME: Final = "voices.json"
LIST_ALL: Final = "audio-guide voices --all"
_MD5 = re.compile(r"^[0-9a-f]{32}$")
_TAG = re.compile(r"^(?P<family>[A-Za-z]{2,3})"
                  r"(?:[-_](?:[A-Za-z]{4}[-_])?(?P<region>[A-Za-z]{2}|[0-9]{3}))?(?:[-_].*)?$")
"""A BCP-47 tag's language and region (``es``, ``es-MX``, ``zh-Hans-CN``), or piper's ``pt_BR``."""


class CatalogueFile(NamedTuple):
    """One file of a voice, as the catalogue promises it."""

    path: str
    """Its path in the repository, ``en/en_GB/alba/medium/en_GB-alba-medium.onnx``."""
    size: int
    md5: str

    @property
    def name(self) -> str:
        """The file's own name, as it is kept in the voice's folder."""
        return PurePosixPath(self.path).name


@dataclass(frozen=True)
class CatalogueVoice:
    """A voice the repository offers."""

    name: str
    """piper's key, ``en_GB-alba-medium``: the name a script and ``voices download`` use."""
    language: str
    """piper's language code, ``en_GB``."""
    family: str
    region: str
    language_english: str
    language_native: str
    country_english: str
    quality: str
    num_speakers: int
    speakers: tuple[tuple[str, int], ...]
    """Named speakers and their ids, by id; empty for a voice with one speaker."""
    files: tuple[CatalogueFile, ...]
    """The files a voice is made of: its ``.onnx``, ``.onnx.json`` and (usually) ``MODEL_CARD``."""

    @property
    def size(self) -> int:
        """Bytes to download."""
        return sum(f.size for f in self.files)

    @property
    def tag(self) -> str:
        """The BCP-47 tag a script's ``language:`` uses, ``en-GB``."""
        return language_tag(self.language)

    @property
    def language_label(self) -> str:
        """``English (Great Britain)``, and the native name where it differs: ``Spanish (Mexico), español``."""
        label = f"{self.language_english} ({self.country_english})" if self.country_english else self.language_english
        return label if self.language_native in ("", self.language_english) else f"{label}, {self.language_native}"


@dataclass(frozen=True)
class Catalogue:
    """Every voice the repository offers, by name."""

    voices: tuple[CatalogueVoice, ...]
    kept: datetime | None = None
    """When the kept copy was fetched; ``None`` for a catalogue not (yet) kept."""

    def get(self, name: str) -> CatalogueVoice | None:
        return next((v for v in self.voices if v.name == name), None)

    @property
    def names(self) -> list[str]:
        return [v.name for v in self.voices]

    def for_language(self, tag: str) -> list[CatalogueVoice]:
        """The voices that speak ``tag`` (``es``, ``es-MX``, ``pt_BR``): its language's family, and when the
        tag names a region, that region's voices first (a Mexican voice for ``es-MX``, then Spain's)."""
        return for_language(self.voices, tag)


def language_key(tag: str) -> tuple[str, str]:
    """A language tag's language and region: ``es-MX`` and ``es_MX`` give ``("es", "MX")``, ``es`` gives
    ``("es", "")``; :class:`UsageError` for something that is not a language tag."""
    found = _TAG.fullmatch(tag.strip())
    if not found:
        raise UsageError(f"'{tag}' is not a language tag; write it like es, es-MX or pt_BR.")
    return found["family"].lower(), (found["region"] or "").upper()


def for_language(voices: Sequence[CatalogueVoice], tag: str) -> list[CatalogueVoice]:
    """See :meth:`Catalogue.for_language`; raises :class:`UsageError` for something that is not a language tag."""
    family, region = language_key(tag)
    fitting = [v for v in voices if v.family.lower() == family]
    return sorted(fitting, key=lambda v: (v.region.upper() != region, v.name)) if region else fitting


def parse(raw: bytes, source: str) -> Catalogue:
    """A catalogue from ``voices.json``'s bytes; :class:`DownloadError` for one that is not piper's shape.

    Entries whose name is not a piper voice name (nothing this tool could name a folder after)
    are left out, so that one odd entry in a future catalogue does not hide all the others.
    """
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _malformed(source, f"it is not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise _malformed(source, f"it holds a {type(data).__name__}, not a mapping of voice names")
    voices = [_voice(key, entry, source) for key, entry in sorted(data.items()) if NAME.fullmatch(key)]
    if not voices:
        raise _malformed(source, "it lists no voices")
    return Catalogue(tuple(voices))


def _voice(key: str, entry: Any, source: str) -> CatalogueVoice:
    where = f"voice '{key}'"
    entry = _mapping(entry, where, source)
    language = _mapping(entry.get("language"), f"{where}: language", source)
    files = _mapping(entry.get("files"), f"{where}: files", source)
    speakers = _mapping(entry.get("speaker_id_map") or {}, f"{where}: speaker_id_map", source)
    wanted = {f"{key}.onnx", f"{key}.onnx.json", CARD}
    kept = tuple(_file(path, info, f"{where}: file '{path}'", source)
                 for path, info in sorted(files.items()) if PurePosixPath(path).name in wanted)
    if len({f.name for f in kept}) < len(kept):
        raise _malformed(source, f"{where} lists a file twice, under different paths")
    missing = sorted({f"{key}.onnx", f"{key}.onnx.json"} - {f.name for f in kept})
    if missing:
        raise _malformed(source, f"{where} lists no {' or '.join(missing)}")
    return CatalogueVoice(
        name=key,
        language=_text(language, "code", where, source),
        family=_text(language, "family", where, source),
        region=str(language.get("region") or ""),
        language_english=str(language.get("name_english") or language["code"]),
        language_native=str(language.get("name_native") or ""),
        country_english=str(language.get("country_english") or ""),
        quality=_text(entry, "quality", where, source),
        num_speakers=_count(entry.get("num_speakers", 1), f"{where}: num_speakers", source),
        speakers=tuple(sorted(((str(k), _count(v, f"{where}: speaker '{k}'", source)) for k, v in speakers.items()),
                              key=lambda kv: kv[1])),
        files=kept,
    )


def _file(path: str, info: Any, where: str, source: str) -> CatalogueFile:
    if "\\" in path or any(part in ("", ".", "..") for part in path.split("/")):  # "/x" starts with ""
        raise _malformed(source, f"{where} is not a plain relative path")
    info = _mapping(info, where, source)
    md5 = info.get("md5_digest")
    if not isinstance(md5, str) or not _MD5.fullmatch(md5.lower()):
        raise _malformed(source, f"{where} has no MD5 digest (32 hex digits)")
    return CatalogueFile(str(path), _count(info.get("size_bytes"), f"{where}: size_bytes", source), md5.lower())


def _mapping(value: Any, where: str, source: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _malformed(source, f"{where} is not a mapping")
    return value


def _text(entry: dict[str, Any], key: str, where: str, source: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise _malformed(source, f"{where} has no {key}")
    return value


def _count(value: Any, where: str, source: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _malformed(source, f"{where} is not a whole number")
    return value


def _malformed(source: str, what: str) -> DownloadError:
    return DownloadError(f"the piper voice catalogue from {source} is not valid: {what}; if "
                         f"AUDIO_GUIDE_VOICES_URL points at a mirror, check it, or try again later with: {REFRESH}")


def kept_path() -> Path:
    """Where the catalogue is kept: ``<user cache>/voices.json``."""
    return cache_dir() / FILE_NAME


def cached() -> Catalogue | None:
    """The kept catalogue, read without the network; ``None`` when none is kept (or it no longer reads)."""
    path = kept_path()
    try:
        raw = path.read_bytes()
        kept = datetime.fromtimestamp(path.stat().st_mtime)
    except OSError:
        return None
    try:
        found = parse(raw, str(path))
    except DownloadError:  # checked before it was kept, so only a hand edit gets here: fetch it again
        return None
    return Catalogue(found.voices, kept)


def fetch(command: str = LIST_ALL) -> Catalogue:
    """Download the catalogue, check it, and keep it; ``command`` is what the offline message tells the user to run."""
    url = url_of(FILE_NAME)
    body = get(url, command, missing=f"is {URL_ENV} the address of a piper voice repository (the folder that "
                                       "holds voices.json)?")
    found = parse(body, url)
    _keep(body)
    return Catalogue(found.voices, datetime.now())


def _keep(body: bytes) -> None:
    """Write the catalogue beside the speech cache: to a temporary file, renamed over the old one when whole."""
    path = kept_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".voices-", suffix=".json.tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(body)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise MachineError(f"the voice catalogue cannot be kept in {path.parent} ({exc.strerror or exc}); "
                           f"choose another cache folder with {CACHE_ENV}=DIR.") from None


def load(refresh: bool = False, command: str = LIST_ALL) -> Catalogue:
    """The kept catalogue, or (when none is kept, or ``refresh``) a freshly fetched one."""
    if not refresh:
        found = cached()
        if found is not None:
            return found
    return fetch(command)
