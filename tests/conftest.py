"""Every test gets its own speech cache and output folder; the fake engine is registered."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Callable

import pytest
from support import fakeengine

from audio_guide import engines


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDIO_GUIDE_CACHE_DIR", str(tmp_path / "cache"))
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
