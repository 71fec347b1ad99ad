"""``audio-guide preview``: one section or a stretch of time, spoken alone, never published."""

from __future__ import annotations

import re
import tempfile
import wave
from pathlib import Path
from typing import Callable

import pytest
from support import fakeengine
from support.cli import run

SCRIPT = """\
title: T
description: D
voice: {engine: fake}
sound: {ambience: brown-noise, fade_out: 1s}
sections:
  - title: First
    steps:
      - say: One two three.
      - hold: 3s
  - title: Second part
    steps:
      - say: Four five six.
      - pause: 2s
      - say: Seven eight.
"""


def seconds_of(path: Path) -> float:
    with wave.open(str(path)) as fh:
        return fh.getnframes() / fh.getframerate()


def test_a_section_is_spoken_alone_and_written_outside_output(project: Path,
                                                              write_script: Callable[[str, str], Path]) -> None:
    write_script("g.yaml", SCRIPT)
    result = run("preview", "scripts/g.yaml", "--section", "Second part", "-o", "second.wav")
    assert result.exit_code == 0, result.stderr
    assert fakeengine.calls == ["Four five six.", "Seven eight."]  # the first section was not spoken
    length = seconds_of(project / "second.wav")
    # the section alone: its speech, the 2 s pause, the gaps, and the ending's 1 s fade
    assert 3.0 < length < 6.0, length
    assert result.stdout.startswith("second.wav  0:0")
    assert list((project / "output").iterdir()) == []  # nothing published, nothing built


def test_from_and_to_cut_a_stretch(project: Path, write_script: Callable[[str, str], Path]) -> None:
    write_script("g.yaml", SCRIPT)
    result = run("preview", "scripts/g.yaml", "--from", "1s", "--to", "3.5s", "-o", "cut.wav")
    assert result.exit_code == 0, result.stderr
    assert abs(seconds_of(project / "cut.wav") - 2.5) < 0.002


def test_by_default_a_temporary_mp3_whose_path_is_printed(project: Path,
                                                          write_script: Callable[[str, str], Path]) -> None:
    write_script("g.yaml", SCRIPT)
    result = run("preview", "scripts/g.yaml", "--section", "1")
    assert result.exit_code == 0, result.stderr
    path = Path(result.stdout.split()[0])
    try:
        assert path.is_file() and not path.is_relative_to(project)
        head = path.read_bytes()[:3]
        assert head == b"ID3" or head[0] == 0xFF
    finally:
        path.unlink(missing_ok=True)


def test_a_preview_is_never_written_into_output(project: Path, write_script: Callable[[str, str], Path]) -> None:
    write_script("g.yaml", SCRIPT)
    result = run("preview", "scripts/g.yaml", "-o", "output/g.mp3")
    assert result.exit_code == 2
    assert re.fullmatch(r"error: -o output/g\.mp3: a preview is never written into \S+/output/ \(that folder is "
                        r"published\); choose a path outside it\.\n", result.stderr)
    assert list((project / "output").iterdir()) == [] and len(fakeengine.calls) == 0


def test_bad_arguments_are_usage_errors(project: Path, write_script: Callable[[str, str], Path]) -> None:
    write_script("g.yaml", SCRIPT)
    cases = [
        (["--section", "3"], "error: scripts/g.yaml: there is no section 3; the guide has 2.\n"),
        (["--section", "Third"], "error: scripts/g.yaml: no section is titled 'Third'; the sections are 'First', "
                                 "'Second part'.\n"),
        (["--from", "soon"], None),
        (["--from", "5s", "--to", "2s"], "error: --to (2s) must be later than --from (5s).\n"),
        (["-o", "clip.ogg"], "error: -o clip.ogg: expected a file name ending in .mp3 or .wav.\n"),
    ]
    for args, message in cases:
        result = run("preview", "scripts/g.yaml", *args)
        assert result.exit_code == 2, (args, result.stderr)
        assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
        if message is not None:
            assert result.stderr == message
    assert len(fakeengine.calls) == 0  # refused before a word was spoken


def test_play_hands_the_file_to_a_player_when_one_is_installed(project: Path, tmp_path: Path,
                                                               write_script: Callable[[str, str], Path],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    write_script("g.yaml", SCRIPT)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    player = bin_dir / "paplay"  # stands in for a real player: records what it was asked to play
    player.write_text(f"#!/bin/sh\necho \"$@\" > {tmp_path / 'played.txt'}\n")
    player.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    result = run("preview", "scripts/g.yaml", "--section", "1", "-o", "one.wav", "--play")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "played.txt").read_text().split() == ["one.wav"]
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = run("preview", "scripts/g.yaml", "--section", "1", "-o", "one.wav", "--play")
    assert result.exit_code == 0
    assert "no audio player found" in result.stderr and "one.wav" in result.stderr


def test_a_refused_preview_leaves_no_temporary_file(project: Path, tmp_path: Path,
                                                   write_script: Callable[[str, str], Path],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    write_script("g.yaml", SCRIPT)
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    assert run("preview", "scripts/g.yaml", "--section", "9").exit_code == 2
    assert list(temp.iterdir()) == []
