"""Google Translate's voice through gTTS. Needs the internet; never the default.

Every failure ends as one :class:`EngineError` sentence that names the offline engine,
because the usual cause is simply no network.
"""

from __future__ import annotations

import importlib.metadata
import io
import socket
import time
from typing import Callable

import numpy as np

from ..errors import EngineError
from ..media.ffmpeg import decode_pcm
from . import Speech, UnknownVoice, VoiceInfo, listing, speaks

HOST = "translate.google.com"
RATE = 24_000
RETRIES = 4
OFFLINE_HINT = "use the offline voice instead: --engine piper (or voice: {engine: piper} in the script)."


def check() -> tuple[bool, str]:
    try:
        import gtts  # noqa: F401
    except ImportError:
        return False, "not installed; run: pip install gtts"
    try:
        socket.create_connection((HOST, 443), timeout=2).close()
    except OSError:
        return False, f"cannot reach {HOST} (no internet connection)"
    return True, "ready (online)"


ACCENTS = ("com", "co.uk", "us", "com.au", "ca", "co.in", "ie", "co.za", "com.ng", "fr", "com.br", "pt",
           "com.mx", "es")
"""The domains gTTS's documentation shows for localized accents (English, French, Portuguese,
Spanish): listed first, so a message's examples are ones that change the voice."""


def voices() -> tuple[str, ...] | None:
    """Every Google domain gTTS knows (``gtts.accents``); a voice is one of them (the accent)."""
    try:
        from gtts.accents import accents
    except ImportError:
        return None
    known = {str(a) for a in accents}
    return tuple(dict.fromkeys([*(a for a in ACCENTS if a in known), *map(str, accents)]))


def languages() -> tuple[str, ...] | None:
    """The languages gTTS speaks (its own table, no network), or ``None`` when it is not installed."""
    try:
        from gtts.lang import tts_langs
    except ImportError:
        return None
    return tuple(sorted(tts_langs()))


def describe(voice: str | None) -> VoiceInfo:
    """A gTTS voice is a Google domain (the accent); it speaks every language gTTS knows."""
    known = voices()
    if voice is not None and "/" in voice:
        raise UnknownVoice("engine 'gtts' cannot speak with a voice file; 'model' is for piper voices.")
    if voice is not None and known is not None and voice not in known:
        raise UnknownVoice(f"engine 'gtts' has no voice '{voice}'; expected {listing(known)}.")
    return VoiceInfo(languages=languages(), label=f"gtts {voice or 'com'}")


def suggest(language: str) -> tuple[str, ...]:
    spoken = languages() or ()
    return ("gtts (online)",) if speaks(spoken, language) else ()


class GttsEngine:
    """gTTS only speaks at normal or slow speed, so other rates are made with ffmpeg's atempo."""

    name = "gtts"

    def __init__(self, sleep: Callable[[float], None] = time.sleep) -> None:
        self._sleep = sleep

    @classmethod
    def identity(cls, voice: str | None) -> str:
        return f"gtts-{importlib.metadata.version('gtts')}:{voice or 'com'}"

    def synthesize(self, text: str, *, voice: str | None, rate: float, language: str,
                   speaker: str | None = None) -> Speech:
        mp3 = self.fetch(text, tld=voice or "com", language=gtts_language(language))
        tempo = f"atempo={rate:.4f}" if abs(rate - 1.0) > 1e-6 else None
        raw = decode_pcm(mp3, RATE, filters=tempo, what="decoding gTTS speech")
        return Speech(samples=np.frombuffer(raw, dtype="<f4").copy(), rate=RATE)

    def fetch(self, text: str, *, tld: str, language: str) -> bytes:
        """MP3 bytes from Google, retrying with exponential backoff when rate limited (HTTP 429)."""
        from gtts import gTTS
        from gtts.tts import gTTSError

        delay = 1.0
        for attempt in range(RETRIES + 1):
            buffer = io.BytesIO()
            try:
                gTTS(text=text, lang=language, tld=tld).write_to_fp(buffer)
                return buffer.getvalue()
            except gTTSError as exc:
                status = getattr(getattr(exc, "rsp", None), "status_code", None)
                if status == 429 and attempt < RETRIES:
                    self._sleep(delay)
                    delay *= 2
                    continue
                raise EngineError(_explain(status, attempt)) from None
            except (OSError, ValueError) as exc:
                if isinstance(exc, ValueError) and "Language not supported" in str(exc):
                    raise EngineError(f"gTTS does not speak the language '{language}'.") from None
                raise EngineError(_explain(None, attempt)) from None
        raise EngineError(_explain(429, RETRIES))  # pragma: no cover - loop always returns or raises


def gtts_language(language: str) -> str:
    """The guide's tag as gTTS names it: the whole tag when gTTS has it (``zh-TW``, ``pt-PT``), else its language."""
    spoken = languages() or ()
    for tag in spoken:
        if tag.lower() == language.lower():
            return tag
    return language.split("-")[0]


def _explain(status: int | None, attempt: int) -> str:
    if status == 429:
        return f"gTTS: Google kept refusing with 'too many requests' (HTTP 429) after {attempt + 1} tries; wait a while, or {OFFLINE_HINT}"
    if status is not None:
        return f"gTTS: Google's text-to-speech service answered HTTP {status}; {OFFLINE_HINT}"
    return f"gTTS could not connect to Google's text-to-speech service (no internet connection?); {OFFLINE_HINT}"
