"""Hostile media beyond the script, and a hostile machine: random bytes under audio and image
names, a podcast image that is a bomb, a speech cache that cannot be written, no usable home.

Every failure is one line with exit 2 and leaves an earlier build's output exactly as it was;
an up-to-date build needs no cache at all.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import fakeengine
from support.cli import run
from support.folders import one_error_line, snapshot
from support.media import chunk, png, tone_wav

import audio_guide.files
from audio_guide.places import cache_dir, cache_fallback

GOOD = """\
title: Calm
description: A short guide.
voice: {engine: fake}
sound: {ambience: none, fade_out: 1s}
sections:
  - title: First
    steps:
      - say: Breathe in slowly.
      - hold: 1s
      - say: And rest.
"""
PODCAST = """\
title: Night Guides
description: Calm guides for the night.
author: Tester
owner: {name: Owner, email: owner@example.org}
language: en-GB
category: Health & Fitness
explicit: false
base_url: https://example.org/guides/
"""






@pytest.fixture
def built(project: Path) -> Path:
    """A project whose one guide was built (fake engine) and is up to date."""
    (project / "scripts" / "calm.yaml").write_text(GOOD, encoding="utf-8")
    result = run("build")
    assert result.exit_code == 0, result.stderr
    return project


# -- the podcast's own image ---------------------------------------------------------------


@pytest.mark.parametrize(("image", "message"), [
    (png(20000, 20000, colour_type=0, bit_depth=1),
     "the cover has 400,000,000 pixels, far beyond a cover's 3000x3000 px. Resize it to between 1400 and 3000 px "
     "a side."),
    (png(1400, 1400, extra=chunk(b"tRNS", bytes(6))),
     "the cover has a transparent colour (a tRNS chunk); expected no transparency. Flatten it onto a background "
     "and save as RGB."),
    (png(1400, 1400, colour_type=6), "the cover's colour mode is RGBA; expected RGB: remove the transparency "
                                     "(flatten it onto a background) and save as RGB."),
    (png(3200, 3200), "the cover is 3200x3200 px; expected between 1400x1400 and 3000x3000 px. Resize it (e.g. to "
                      "3000 px)."),
])
@pytest.mark.parametrize("command", ["validate", "build", "feed"])
def test_a_bad_podcast_image_is_one_line_and_changes_nothing(built: Path, image: bytes, message: str,
                                                             command: str) -> None:
    (built / "art.png").write_bytes(image)
    (built / "scripts" / "podcast.yaml").write_text(PODCAST + "image: ../art.png\n", encoding="utf-8")
    before = snapshot(built / "output")
    result = run(command)
    assert result.exit_code == 2, result.stderr
    assert one_error_line(result.stderr) == f"scripts/podcast.yaml:9:8: 'image': {message}"
    assert snapshot(built / "output") == before


# -- random bytes under sound and image names ----------------------------------------------

MAGIC = [b"", b"RIFF\x24\x00\x00\x00WAVEfmt ", b"ID3", b"OggS", b"fLaC", b"\xff\xfb", b"\x00\x00\x00\x18ftypM4A ",
         b"FORM", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"]


@pytest.fixture(scope="module")
def fuzz_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("media-fuzz")
    (root / "scripts").mkdir()
    return root


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(head=st.sampled_from(MAGIC), body=st.binary(max_size=3000),
       use=st.sampled_from([("cue", ".wav"), ("cue", ".mp3"), ("ambience", ".ogg"), ("ambience", ".flac"),
                            ("cue", ".m4a"), ("cover", ".png")]))
def test_random_bytes_under_media_names_never_crash_or_hang(fuzz_project: Path, head: bytes, body: bytes,
                                                             use: tuple[str, str]) -> None:
    key, suffix = use
    (fuzz_project / "scripts" / f"media{suffix}").write_bytes(head + body)
    value = f"media{suffix}"
    top = {"cue": f"sound: {{cue: {value}}}", "ambience": f"sound: {{ambience: {value}}}",
           "cover": f"cover: {value}"}[key]
    script = fuzz_project / "scripts" / "fuzz.yaml"
    script.write_text(GOOD.replace("sound: {ambience: none, fade_out: 1s}", top), encoding="utf-8")
    result = run("validate", str(script))
    assert result.exit_code in (0, 2), (result.exit_code, result.stderr)
    if result.exit_code == 2:
        assert re.fullmatch(rf"{re.escape(str(script))}:4:\d+: .+", one_error_line(result.stderr))


# -- the speech cache ----------------------------------------------------------------------


def _edit(project: Path) -> None:
    (project / "scripts" / "calm.yaml").write_text(GOOD.replace("And rest.", "And rest now."), encoding="utf-8")


def test_a_cache_that_is_a_file_is_named_with_the_way_to_move_it(built: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache should be")
    monkeypatch.setenv("AUDIO_GUIDE_CACHE_DIR", str(blocked))
    _edit(built)
    before = snapshot(built / "output")
    result = run("build")
    assert result.exit_code == 2, result.stderr
    assert one_error_line(result.stderr) == (
        f"the speech cache ({blocked}) cannot be written (Not a directory); choose another folder with "
        "--cache-dir DIR or AUDIO_GUIDE_CACHE_DIR=DIR.")
    assert snapshot(built / "output") == before
    # the option names a folder, so click itself refuses a file there, as a usage error
    monkeypatch.delenv("AUDIO_GUIDE_CACHE_DIR")
    result = run("build", "--cache-dir", str(blocked))
    assert result.exit_code == 2 and "'--cache-dir'" in result.stderr and "is a file" in result.stderr
    assert snapshot(built / "output") == before


def test_a_cache_inside_a_file_is_named_too(built: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file")
    _edit(built)
    before = snapshot(built / "output")
    result = run("build", "--cache-dir", str(blocked / "cache"))
    assert result.exit_code == 2, result.stderr
    assert one_error_line(result.stderr) == (
        f"the speech cache ({blocked / 'cache'}) cannot be written (Not a directory); choose another folder with "
        "--cache-dir DIR or AUDIO_GUIDE_CACHE_DIR=DIR.")
    assert snapshot(built / "output") == before


def test_an_up_to_date_build_does_not_need_the_cache(built: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.rmtree(tmp_path / "cache")
    (tmp_path / "cache").write_text("a file where the cache was")
    before = snapshot(built / "output")
    result = run("build")
    assert result.exit_code == 0, result.stderr
    assert "(up to date)" in result.stdout
    assert snapshot(built / "output") == before


def test_a_podcast_build_that_is_up_to_date_does_not_need_the_cache(built: Path, tmp_path: Path) -> None:
    """The podcast's cover is embedded in each MP3, so it is kept in the cache; but only a guide
    that is made again needs it there."""
    (built / "scripts" / "podcast.yaml").write_text(PODCAST, encoding="utf-8")
    assert run("build").exit_code == 0  # now with the podcast's cover embedded
    shutil.rmtree(tmp_path / "cache")
    (tmp_path / "cache").write_text("a file where the cache was")
    before = snapshot(built / "output")
    result = run("build")
    assert result.exit_code == 0, result.stderr
    assert snapshot(built / "output") == before
    _edit(built)
    result = run("build")
    assert result.exit_code == 2
    assert one_error_line(result.stderr).startswith(f"the speech cache ({tmp_path / 'cache'}) cannot be written")
    assert snapshot(built / "output") == before


# -- no usable home folder -----------------------------------------------------------------


@pytest.fixture
def no_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A service account's environment: HOME is a file, no cache setting, a private temporary folder."""
    home = tmp_path / "home-is-a-file"
    home.write_text("")
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("AUDIO_GUIDE_CACHE_DIR", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    return temp


def test_no_usable_home_falls_back_to_a_private_temporary_cache(no_home: Path, project: Path) -> None:
    (project / "scripts" / "calm.yaml").write_text(GOOD, encoding="utf-8")
    result = run("build")
    assert result.exit_code == 0, result.stderr
    folder = cache_dir()
    assert folder.parent.parent == no_home and (folder / "speech").is_dir()
    assert folder.parent.stat().st_mode & 0o777 == 0o700
    note = cache_fallback()
    assert note is not None and "AUDIO_GUIDE_CACHE_DIR" in note
    info = run("cache", "info")
    assert info.exit_code == 0 and str(folder) in info.stdout and "AUDIO_GUIDE_CACHE_DIR" in info.stdout


def test_a_planted_temporary_folder_is_not_trusted(no_home: Path, project: Path) -> None:
    """Someone else's folder (here: a link to one) in the shared temporary folder is refused."""
    elsewhere = no_home.parent / "elsewhere"
    elsewhere.mkdir()
    for link in no_home.glob("audio-guide-*"):
        link.rmdir()
    (no_home / f"audio-guide-{os.getuid()}").symlink_to(elsewhere)
    (project / "scripts" / "calm.yaml").write_text(GOOD, encoding="utf-8")
    result = run("build")
    assert result.exit_code == 2
    assert one_error_line(result.stderr).endswith("is not this user's own folder; choose another folder with "
                                                  "--cache-dir DIR or AUDIO_GUIDE_CACHE_DIR=DIR.")
    assert not list((project / "output").glob("*.mp3"))


def test_a_usable_home_needs_no_fallback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("AUDIO_GUIDE_CACHE_DIR", raising=False)
    assert cache_dir().is_relative_to(tmp_path)
    assert cache_fallback() is None
    assert not (tmp_path / ".cache").exists()  # asking where writes nothing


def test_a_silent_but_real_bed_file_still_loads(project: Path) -> None:
    """The counterpart of the refusals: a quiet, real two-second tone is a good bed and cue."""
    (project / "scripts" / "soft.wav").write_bytes(tone_wav(2.0, amplitude=0.01))
    (project / "scripts" / "calm.yaml").write_text(
        GOOD.replace("sound: {ambience: none, fade_out: 1s}", "sound: {ambience: soft.wav, cue: soft.wav}"))
    result = run("validate")
    assert result.exit_code == 0, result.stderr


def test_an_output_folder_that_cannot_be_made_is_refused_before_any_speech(project: Path) -> None:
    (project / "scripts" / "calm.yaml").write_text(GOOD, encoding="utf-8")
    (project / "afile").write_text("a file where a folder is wanted")
    result = run("build", "--out", "afile/sub")
    assert result.exit_code == 2, result.stderr
    assert one_error_line(result.stderr) == ("the output folder afile/sub cannot be written (Not a directory); "
                                             "make it writable, or choose another with --out DIR.")
    assert len(fakeengine.calls) == 0  # refused before a word was spoken
    assert (project / "afile").read_text() == "a file where a folder is wanted"


def test_a_file_that_may_not_be_written_is_exit_2_and_changes_nothing(built: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder that refuses one file half way (permissions, a read-only mount) is the machine's
    problem, not a failed build: exit 2, and the earlier build's output stays whole."""
    real = tempfile.mkstemp

    def mkstemp(*args: object, **kwargs: object) -> tuple[int, str]:
        if str(kwargs.get("prefix", "")).startswith(".calm.mp3"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(kwargs.get("dir")))
        return real(*args, **kwargs)  # type: ignore[call-overload,no-any-return]

    _edit(built)
    before = snapshot(built / "output")
    monkeypatch.setattr(audio_guide.files.tempfile, "mkstemp", mkstemp)
    result = run("build")
    monkeypatch.setattr(audio_guide.files.tempfile, "mkstemp", real)
    assert result.exit_code == 2, result.stderr
    assert re.fullmatch(r"Permission denied \((\S*/)?output\); no temporary file was left in the output "
                        r"folder\. Check the folder's permissions, or choose another \(--out, --cache-dir\)\.",
                        result.stderr.splitlines()[-1][len("error: "):])
    assert result.stderr.splitlines()[-1].startswith("error: ") and "Traceback" not in result.stderr
    assert snapshot(built / "output") == before
