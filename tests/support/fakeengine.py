"""A fast, deterministic stand-in for a speech engine, for planning, mixing and CLI tests.

Each sentence becomes a steady 220 Hz tone, 40 ms per character at rate 1.0, at 22 050 Hz
(so resampling to the house rate is exercised). Its length is known in advance, and a tone
has no quiet edges, so positions in the mix can be checked to the sample.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from audio_guide.engines import EngineInfo, Speech

RATE = 22_050
SECONDS_PER_CHAR = 0.04


class _Calls:
    """The sentences spoken, kept in a file: the build speaks in a child process."""

    @staticmethod
    def _file() -> Path:
        # beside the test's cache; a test that takes the cache setting away says where instead
        folder = os.environ.get("FAKE_ENGINE_LOG_DIR") or Path(os.environ["AUDIO_GUIDE_CACHE_DIR"]).parent
        return Path(folder) / "fake-engine-calls.txt"

    def _list(self) -> list[str]:
        try:
            return self._file().read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []

    def append(self, text: str) -> None:
        with self._file().open("a", encoding="utf-8") as fh:
            fh.write(text.replace("\n", " ") + "\n")

    def clear(self) -> None:
        self._file().unlink(missing_ok=True)

    def __len__(self) -> int:
        return len(self._list())

    def __eq__(self, other: object) -> bool:
        return self._list() == other

    def __repr__(self) -> str:
        return repr(self._list())


calls = _Calls()


def fake_samples(text: str, rate: float = 1.0) -> int:
    """Engine-rate sample count the fake makes for ``text``."""
    return int(round(len(text) * SECONDS_PER_CHAR / rate * RATE))


class FakeEngine:
    name = "fake"

    @classmethod
    def identity(cls, voice: str | None) -> str:
        return "fake-1"

    def synthesize(self, text: str, *, voice: str | None, rate: float, language: str,
                   speaker: str | None = None) -> Speech:
        calls.append(text)
        n = fake_samples(text, rate)
        t = np.arange(n) / RATE
        return Speech(samples=(0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), rate=RATE)


INFO = EngineInfo(name="fake", factory="support.fakeengine:FakeEngine", voices=("tone",), default_voice="tone",
                  offline=True, summary="test tone engine")
