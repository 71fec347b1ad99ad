"""Engines: the registry, and gTTS failing clearly (no network, rate limiting) without the internet."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Callable

import pytest
from support.cli import runner as cli_runner

from audio_guide import engines
from audio_guide.cli import cli
from audio_guide.engines.gtts_engine import GttsEngine
from audio_guide.errors import EngineError

OFFLINE = ("gTTS could not connect to Google's text-to-speech service (no internet connection?); "
           "use the offline voice instead: --engine piper (or voice: {engine: piper} in the script).")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


class _Response:
    def __init__(self, status: int) -> None:
        self.status_code = status
        self.reason = "Too Many Requests" if status == 429 else "Error"


def _fail_then(monkeypatch: pytest.MonkeyPatch, failures: list[int], payload: bytes = b"MP3") -> list[int]:
    """Make gTTS answer with these HTTP statuses first, then succeed."""
    from gtts import gTTS
    from gtts.tts import gTTSError

    seen: list[int] = []

    def write_to_fp(self: gTTS, fp) -> None:  # type: ignore[no-untyped-def]
        if len(seen) < len(failures):
            seen.append(failures[len(seen)])
            raise gTTSError(tts=self, response=_Response(seen[-1]))
        fp.write(payload)

    monkeypatch.setattr(gTTS, "write_to_fp", write_to_fp)
    return seen


def test_registry_knows_the_engines() -> None:
    assert engines.names()[:2] == ("piper", "gtts")
    assert engines.info("piper").offline and not engines.info("gtts").offline
    assert engines.describe("piper", None).languages == ("en-US",)  # the bundled voice, read from its config
    assert engines.identity("piper", None).startswith("piper-")


def test_gtts_without_network_is_one_clear_sentence(no_network: None) -> None:
    with pytest.raises(EngineError) as caught:
        GttsEngine().synthesize("Hello.", voice=None, rate=1.0, language="en")
    assert str(caught.value) == OFFLINE
    assert engines.availability("gtts") == (False, "cannot reach translate.google.com (no internet connection)")


def test_gtts_retries_429_with_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _fail_then(monkeypatch, [429, 429])
    sleeps: list[float] = []
    assert GttsEngine(sleep=sleeps.append).fetch("Hi.", tld="com", language="en") == b"MP3"
    assert seen == [429, 429] and sleeps == [1.0, 2.0]


def test_gtts_gives_up_after_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    _fail_then(monkeypatch, [429] * 10)
    sleeps: list[float] = []
    with pytest.raises(EngineError) as caught:
        GttsEngine(sleep=sleeps.append).fetch("Hi.", tld="com", language="en")
    assert sleeps == [1.0, 2.0, 4.0, 8.0]
    assert str(caught.value).startswith("gTTS: Google kept refusing with 'too many requests' (HTTP 429) after 5 tries;")


def test_gtts_other_http_error_is_not_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _fail_then(monkeypatch, [403, 403])
    with pytest.raises(EngineError, match=r"^gTTS: Google's text-to-speech service answered HTTP 403; use the offline"):
        GttsEngine(sleep=lambda _s: None).fetch("Hi.", tld="com", language="en")
    assert seen == [403]


def test_build_with_gtts_offline_fails_cleanly(no_network: None, project: Path,
                                               write_script: Callable[[str, str], Path]) -> None:
    write_script("g.yaml", """
        title: T
        description: D
        voice: {engine: gtts}
        sections:
          - title: S
            steps:
              - say: Hello there.
    """)
    (project / "output" / "old.mp3").write_bytes(b"previous build")
    result = cli_runner().invoke(cli, ["build"], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == f"error: {OFFLINE}"
    assert sorted(p.name for p in (project / "output").iterdir()) == ["old.mp3"]
    assert (project / "output" / "old.mp3").read_bytes() == b"previous build"
