"""Speech engines behind one small Protocol, and a plain registry of them.

Text and voice settings enter an engine; one sentence of float samples at the engine's own
rate leaves it (:class:`Speech`). The registry knows each engine's name, voices and module
without importing it, so that ``validate`` and ``--help`` never pay for loading a neural
voice. The engines run in the speech worker (:mod:`.worker`), a process of their own.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Protocol, cast

from ..errors import UsageError

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Engine", "EngineInfo", "Item", "Speech", "UnknownVoice", "VoiceInfo", "availability", "describe", "get",
           "identity", "info", "listing", "names", "register", "speaks", "suggest", "unregister", "voice_names"]


Item = tuple[str, "str | None", "str | None", float, str]
"""One sentence to speak: its text, the voice id, the speaker, the rate and the language."""


@dataclass(frozen=True)
class Speech:
    """One synthesized sentence: float32 mono samples in [-1, 1] at ``rate`` Hz."""

    samples: "np.ndarray"
    rate: int


class Engine(Protocol):
    """What the renderer needs from a speech engine."""

    name: str

    @classmethod
    def identity(cls, voice: str | None) -> str:
        """A string that changes whenever the same text would sound different
        (engine version, voice model): part of the speech cache's key."""
        ...

    def synthesize(self, text: str, *, voice: str | None, rate: float, language: str,
                   speaker: str | None = None) -> Speech:
        """Speak one sentence. Raise :class:`~audio_guide.errors.EngineError` on failure."""
        ...


@dataclass(frozen=True)
class VoiceInfo:
    """What a script's voice is checked against before any speech is made."""

    languages: tuple[str, ...] | None
    """BCP-47 tags the voice speaks; ``None`` when the engine cannot say (any is accepted)."""
    speakers: tuple[str, ...] = ()
    """Named speakers of a voice that has several."""
    speaker_count: int = 1
    label: str = ""
    """The voice as messages name it, e.g. ``en_US-joe-medium (en-US)``."""


class UnknownVoice(UsageError):
    """A voice that cannot be used here: not installed, no such voice, an unreadable file.
    The message says what to do (the download command, the voices that exist)."""


@dataclass(frozen=True)
class EngineInfo:
    """A registry entry: enough to list and validate without importing the engine."""

    name: str
    factory: str
    """``module:callable`` returning an :class:`Engine`."""
    voices: tuple[str, ...] | None
    """Known voice ids, or ``None`` when the engine accepts any."""
    default_voice: str | None
    offline: bool
    summary: str
    check: str | None = None
    """``module:callable`` returning ``(usable, reason)`` for ``audio-guide voices``."""
    voice_list: str | None = None
    """``module:callable`` returning the voice ids when they come from the engine's own package
    (read only when a script names a voice for it), or ``None`` when the package is missing."""
    describe: str | None = None
    """``module:callable(voice_id)`` returning a :class:`VoiceInfo` or raising :class:`UnknownVoice`."""
    suggest: str | None = None
    """``module:callable(language)`` returning the voices (with how to get them) that speak it."""


_REGISTRY: dict[str, EngineInfo] = {}
_INSTANCES: dict[str, Engine] = {}


def register(info: EngineInfo) -> None:
    """Add (or replace) an engine; tests use this to plug in a fake one."""
    _REGISTRY[info.name] = info
    _INSTANCES.pop(info.name, None)


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)
    _INSTANCES.pop(name, None)


def names() -> tuple[str, ...]:
    return tuple(_REGISTRY)


def info(name: str) -> EngineInfo:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UsageError(f"unknown engine '{name}'; expected one of: {', '.join(_REGISTRY)}.") from None


def voice_names(name: str) -> tuple[str, ...] | None:
    """The voices ``name`` knows, or ``None`` when it accepts any (or cannot say)."""
    entry = info(name)
    if entry.voices is None and entry.voice_list is not None:
        return cast("tuple[str, ...] | None", _resolve(entry.voice_list)())
    return entry.voices


def listing(voices: tuple[str, ...], most: int = 12) -> str:
    """``one of: a, b, c``; a long list is shortened to its first few and a count."""
    if len(voices) <= most:
        return f"one of: {', '.join(voices)}"
    return f"one of {len(voices)} voices, such as {', '.join(voices[:most])}"


def get(name: str) -> Engine:
    """The engine, made once per process: loading a voice model is the slow part."""
    if name not in _INSTANCES:
        _INSTANCES[name] = cast(Engine, _resolve(info(name).factory)())
    return _INSTANCES[name]


def identity(name: str, voice: str | None) -> str:
    """The engine's cache identity, without loading its voice (the factory is a class)."""
    return str(cast(type[Engine], _resolve(info(name).factory)).identity(voice))


def describe(name: str, voice: str | None) -> VoiceInfo:
    """The language and speakers of ``voice`` (``None``: the default), without loading the voice."""
    entry = info(name)
    if entry.describe is None:
        return VoiceInfo(languages=None)
    return cast(VoiceInfo, _resolve(entry.describe)(voice))


def suggest(name: str, language: str) -> tuple[str, ...]:
    """Voices of engine ``name`` that speak ``language``, for a message."""
    entry = info(name)
    return cast("tuple[str, ...]", _resolve(entry.suggest)(language)) if entry.suggest else ()


def speaks(languages: tuple[str, ...] | None, language: str) -> bool:
    """Whether a voice speaking ``languages`` can read a guide in ``language``: the same language,
    whatever the region (an en-US voice reads an en-GB guide; it does not read Spanish)."""
    if languages is None:
        return True
    wanted = language.replace("_", "-").lower()
    family = wanted.split("-")[0]
    return any(tag.lower() == wanted or tag.lower().split("-")[0] == family for tag in languages)


def availability(name: str) -> tuple[bool, str]:
    """Whether the engine can be used right now, and why not."""
    entry = info(name)
    if entry.check is None:
        return True, "ready"
    usable, reason = cast(tuple[bool, str], _resolve(entry.check)())
    return usable, reason


def _resolve(spec: str) -> Callable[..., object]:
    module, _, attr = spec.partition(":")
    found: Callable[..., object] = getattr(importlib.import_module(module), attr)
    return found


register(EngineInfo(
    name="piper",
    factory="audio_guide.engines.piper_engine:PiperEngine",
    voices=None,
    default_voice="en_US-joe-medium",
    offline=True,
    summary="offline neural voice (piper-tts, bundled en_US-joe-medium; more with 'audio-guide voices download')",
    check="audio_guide.engines.piper_voices:check",
    describe="audio_guide.engines.piper_voices:describe",
    suggest="audio_guide.engines.piper_voices:suggest",
))
register(EngineInfo(
    name="gtts",
    factory="audio_guide.engines.gtts_engine:GttsEngine",
    voices=None,
    default_voice="com",
    offline=False,
    summary="Google Translate's voice (gTTS); needs the internet; voice = Google domain (tld) for the accent",
    check="audio_guide.engines.gtts_engine:check",
    voice_list="audio_guide.engines.gtts_engine:voices",
    describe="audio_guide.engines.gtts_engine:describe",
    suggest="audio_guide.engines.gtts_engine:suggest",
))
