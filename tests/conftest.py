"""Every test gets its own speech cache, voices folder and output folder; the fake engine is registered.

The voice repository points at a closed port on the loopback address: no test reaches out."""

from __future__ import annotations

import errno
import socket
import textwrap
from pathlib import Path
from typing import Callable

import pytest
from support import fakeengine

from audio_guide import engines


_connect = socket.socket.connect


def _loopback_only(sock: socket.socket, address: object) -> None:
    """Connections go to this machine or nowhere: a test that would reach out fails as if offline."""
    host = address[0] if isinstance(address, tuple) else None
    if isinstance(host, str) and host not in ("localhost", "::1") and not host.startswith("127."):
        raise OSError(errno.ENETUNREACH, f"tests reach no outside address ({host})")
    _connect(sock, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDIO_GUIDE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("AUDIO_GUIDE_VOICES_DIR", str(tmp_path / "voices"))
    monkeypatch.setenv("AUDIO_GUIDE_VOICES_URL", "http://127.0.0.1:9/voices")  # never the real repository
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)
    monkeypatch.setenv("FAKE_ENGINE_LOG_DIR", str(tmp_path))
    # forked speech workers see what a test patched; the module-scoped real builds
    # (test_e2e, test_guides) start before this and use the default, spawn
    monkeypatch.setenv("AUDIO_GUIDE_WORKER_START", "fork")
    engines.register(fakeengine.INFO)
    fakeengine.calls.clear()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with scripts/ and output/, as the current directory."""
    root = tmp_path / "project"
    (root / "scripts").mkdir(parents=True)
    (root / "output").mkdir()
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def write_script(project: Path) -> Callable[[str, str], Path]:
    """Write a script into project/scripts from an indented literal."""
    def write(name: str, body: str) -> Path:
        path = project / "scripts" / name
        path.write_text(textwrap.dedent(body).lstrip(), encoding="utf-8")
        return path
    return write
