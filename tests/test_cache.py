"""The speech cache: keys cover every setting, damage is detected and repaired, writers never collide."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
from pathlib import Path
from typing import Callable

import numpy as np
import pytest
from support import fakeengine
from support.cli import runner as cli_runner
from test_cli import GOOD

from audio_guide.audio.cache import SpeechCache, speech_key
from audio_guide.cli import cli
from audio_guide.places import cache_dir as default_dir


def test_key_changes_with_every_setting() -> None:
    base = dict(voice=None, rate=1.0, language="en")
    key = speech_key("piper-1:joe:abc", "Hello.", **base)
    assert key == speech_key("piper-1:joe:abc", "Hello.", **base)
    variants = [
        speech_key("piper-2:joe:abc", "Hello.", **base),          # engine version
        speech_key("piper-1:joe:abd", "Hello.", **base),          # voice model digest
        speech_key("piper-1:joe:abc", "Hello!", **base),          # text
        speech_key("piper-1:joe:abc", "Hello.", **{**base, "rate": 0.8}),
        speech_key("piper-1:joe:abc", "Hello.", **{**base, "language": "en-GB"}),
        speech_key("piper-1:joe:abc", "Hello.", **{**base, "voice": "other"}),
    ]
    assert len({key, *variants}) == 7


def test_round_trip_and_header_length(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path)
    clip = np.linspace(-1, 1, 12345, dtype=np.float32)
    cache.put("ab" * 32, clip, 44100)
    assert cache.length("ab" * 32) == 12345
    np.testing.assert_array_equal(cache.get("ab" * 32, 44100), clip)
    assert cache.get("ab" * 32, 22050) is None  # another rate is another clip
    assert cache.get("cd" * 32, 44100) is None


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty", "garbage"])
def test_damaged_entry_is_detected_removed_and_remade(damage: str, project: Path,
                                                      write_script: Callable[[str, str], Path],
                                                      tmp_path: Path) -> None:
    write_script("calm.yaml", GOOD)
    runner = cli_runner()
    assert runner.invoke(cli, ["build"], catch_exceptions=False).exit_code == 0
    entries = sorted((tmp_path / "cache" / "speech").rglob("*.clip"))
    assert len(entries) == 2
    victim = entries[0]
    data = victim.read_bytes()
    victim.write_bytes({"truncate": data[: len(data) // 2], "flip": data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:],
                        "empty": b"", "garbage": b"not a clip at all" * 10}[damage])
    fakeengine.calls.clear()
    result = runner.invoke(cli, ["build", "--force"], catch_exceptions=False)
    assert result.exit_code == 0
    assert len(fakeengine.calls) == 1  # only the damaged sentence is spoken again
    assert SpeechCache(tmp_path / "cache").get(victim.stem, 44100) is not None


def _hammer(root: str, key: str, seed: int) -> None:
    cache = SpeechCache(Path(root))
    rng = np.random.default_rng(seed)
    for _ in range(30):
        cache.put(key, rng.standard_normal(50_000).astype(np.float32), 44100)


def test_concurrent_writers_leave_a_valid_entry(tmp_path: Path) -> None:
    key = "ef" * 32
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_hammer, args=(str(tmp_path), key, seed)) for seed in range(4)]
    for w in workers:
        w.start()
    readers_saw_damage = 0
    cache = SpeechCache(tmp_path)
    while any(w.is_alive() for w in workers):
        path = tmp_path / "speech" / key[:2] / f"{key}.clip"
        if path.exists() and cache.length(key) is not None and cache.get(key, 44100) is None:
            readers_saw_damage += 1  # a reader never sees a half-written entry
    for w in workers:
        w.join()
        assert w.exitcode == 0
    assert readers_saw_damage == 0
    assert cache.get(key, 44100) is not None and len(cache.get(key, 44100)) == 50_000
    assert not list((tmp_path / "speech").rglob(".tmp-*"))


def test_cache_location(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AUDIO_GUIDE_CACHE_DIR", str(tmp_path / "here"))
    assert default_dir() == tmp_path / "here"
    monkeypatch.delenv("AUDIO_GUIDE_CACHE_DIR")
    assert default_dir().name == "audio-guide"


def test_cache_dir_option(project: Path, write_script: Callable[[str, str], Path], tmp_path: Path) -> None:
    write_script("calm.yaml", GOOD)
    result = cli_runner().invoke(cli, ["build", "--cache-dir", str(tmp_path / "elsewhere")],
                                                catch_exceptions=False)
    assert result.exit_code == 0
    assert SpeechCache(tmp_path / "elsewhere").info().entries == 2
    assert SpeechCache(tmp_path / "cache").info().entries == 0


def test_a_build_keeps_its_builtin_bed_in_the_cache(project: Path, write_script: Callable[[str, str], Path],
                                                     tmp_path: Path) -> None:
    from audio_guide.audio.sounds import BED_FORMAT

    write_script("calm.yaml", GOOD.replace("ambience: none", "ambience: waves"))
    result = cli_runner().invoke(cli, ["build", "--cache-dir", str(tmp_path / "elsewhere")], catch_exceptions=False)
    assert result.exit_code == 0
    assert [p.name for p in (tmp_path / "elsewhere" / "beds").iterdir()] == [f"waves-44100-{BED_FORMAT}.clip"]


def test_validate_imports_no_audio_stack(project: Path, write_script: Callable[[str, str], Path]) -> None:
    write_script("calm.yaml", GOOD.replace("engine: fake", "engine: piper"))
    code = ("import sys\nfrom audio_guide.cli import cli\n"
            "try:\n    cli(['validate'])\nexcept SystemExit as e:\n    print('EXIT', e.code)\n"
            "print('HEAVY', [m for m in ('numpy', 'scipy', 'piper', 'onnxruntime', 'pydub') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=project).stdout
    assert "EXIT 0" in out and "HEAVY []" in out
