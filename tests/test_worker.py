"""The speech worker (audio_guide.engines.worker) speaks a build's lines through an engine's
``synthesize_many`` where it has one (a line ahead), else line by line, and says what failed."""

from __future__ import annotations

import multiprocessing
from typing import Iterable, Iterator

import numpy as np
import pytest

from audio_guide import engines
from audio_guide.engines import EngineInfo, Item, Speech
from audio_guide.engines.worker import speak

ASKED: list[str] = []


class OneByOne:
    name = "one-by-one"

    def synthesize(self, text: str, *, voice: str | None, rate: float, language: str,
                   speaker: str | None = None) -> Speech:
        if text == "fail":
            raise RuntimeError("no sound for that")
        ASKED.append(f"one {text}")
        return Speech(samples=np.full(len(text), rate, np.float32), rate=8000)


class Many(OneByOne):
    name = "many"

    def synthesize_many(self, items: Iterable[Item]) -> Iterator[Speech]:
        for text, voice, speaker, rate, language in items:
            ASKED.append(f"many {text}")
            yield super().synthesize(text, voice=voice, rate=rate, language=language, speaker=speaker)


def _spoken(engine: str, texts: list[str]) -> list[tuple[object, ...]]:
    ASKED.clear()
    info = EngineInfo(name=engine, factory=f"test_worker:{'Many' if engine == 'many' else 'OneByOne'}",
                      voices=None, default_voice=None, offline=True, summary="a test engine")
    engines.register(info)
    receiver, sender = multiprocessing.Pipe(duplex=False)
    try:
        speak(info, [(text, None, None, 0.5, "en") for text in texts], sender)
        messages = []
        while True:
            try:
                messages.append(receiver.recv())
            except EOFError:  # the worker closed its end: all is said
                return messages
    finally:
        engines.unregister(engine)
        engines._INSTANCES.pop(engine, None)


@pytest.mark.parametrize(("engine", "how"), [("many", "many"), ("one-by-one", "one")])
def test_the_worker_speaks_a_line_ahead_where_the_engine_can(engine: str, how: str) -> None:
    messages = _spoken(engine, ["Rest.", "Breathe."])
    assert [m[:2] for m in messages[:-1]] == [("speech", 0), ("speech", 1)] and messages[-1] == ("ok",)
    assert [np.frombuffer(m[2], "<f4").size for m in messages[:-1]] == [5, 8]  # type: ignore[arg-type]
    assert ASKED[0].startswith(how)


@pytest.mark.parametrize("engine", ["many", "one-by-one"])
def test_the_lines_before_a_failure_are_sent_then_the_failure_in_words(engine: str) -> None:
    messages = _spoken(engine, ["Rest.", "fail", "Breathe."])
    assert [m[:2] for m in messages] == [("speech", 0), ("error", f"the {engine} engine failed: no sound for that")]
