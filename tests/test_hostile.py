"""Hostile input through the command line: every bad script is refused with one line, before any work.

``tests/test_script.py`` checks the loader's messages one by one; here the same classes of bad input
go through ``audio-guide validate`` and ``audio-guide build`` as a user runs them, into a project
whose ``output/`` already holds a good build. Each must end with exit status 2, exactly one line
on stderr, ``error: <file>:<line>:<column>: ...``, no traceback, nothing on stdout for ``build``,
no speech made, and ``output/`` unchanged byte for byte (names, contents and modification times).

The property-based tests at the end add what the loader's own fuzzing leaves out: the command
line's framing (exit status, one line, no traceback) for arbitrary files, and random *structures*
(a list where a mapping belongs, a number where text belongs, ...) rather than random text.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from fractions import Fraction
from pathlib import Path
from typing import Callable, Iterator

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import fakeengine
from support.cli import run
from support.folders import one_error_line, snapshot
from support.media import chunk, long_wav, png, tone_wav, wav_bytes

from audio_guide import engines
from audio_guide.errors import ScriptError
from audio_guide.script import (
    BED_SECONDS_USED,
    MAX_CUE_SECONDS,
    MAX_DEPTH,
    MAX_EXPANDED_STEPS,
    MAX_FILE_BYTES,
    MAX_SAY_CHARS,
    load_script,
    parse_duration,
    parse_level,
)
from audio_guide.script.limits import MIN_BED_SECONDS, MIN_CUE_SECONDS, SILENT_DB

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
BAD = "scripts/zbad.yaml"
"""Sorted after ``calm.yaml``: the good script is read first, so nothing may start before all are checked."""
SECTIONS = "sections:\n  - title: S\n    steps:\n"
STEPS = "title: T\ndescription: D\n" + SECTIONS
"""Steps appended to this start at line 6; a step's key is at column 9, a ``say:`` value at 14."""
WAV = tone_wav(2.0)


def top(line: str) -> str:
    """A valid one-step guide with ``line`` as its third line."""
    return "title: T\ndescription: D\n" + line + "\n" + SECTIONS + "      - say: Hi.\n"








@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project folder with one good guide built into output/ (made once for the module)."""
    root = tmp_path_factory.mktemp("hostile") / "project"
    (root / "scripts").mkdir(parents=True)
    (root / "scripts" / "calm.yaml").write_text(GOOD, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        mp.setenv("AUDIO_GUIDE_CACHE_DIR", str(root.parent / "cache"))
        engines.register(fakeengine.INFO)
        result = run("build")
    assert result.exit_code == 0, result.stderr
    assert (root / "output" / "calm.mp3").is_file()
    return root


@pytest.fixture
def hostile(built: Path, project: Path, tmp_path: Path) -> Iterator[Path]:
    """This test's project: a copy of the built output, and a good script that was edited since.

    Were a bad script not to stop the build, the edited guide would be rebuilt and output/
    would change; the cache must stay empty, since nothing may be spoken either.
    """
    shutil.rmtree(project / "output")
    shutil.copytree(built / "output", project / "output")
    (project / "scripts" / "calm.yaml").write_text(GOOD.replace("And rest.", "And rest now."), encoding="utf-8")
    yield project
    assert not (tmp_path / "cache" / "speech").exists(), "speech was made for a build that should not start"


def _alias_bomb() -> str:
    lines = ['lol0: &lol0 "lol"']
    lines += [f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * 10) + "]" for i in range(1, 10)]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def big_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Files too big to write for every case: a two-hour WAV and a 30000x30000 PNG (made once,
    then hard-linked into each project, so they are real files inside it)."""
    folder = tmp_path_factory.mktemp("big")
    long_wav(folder / "long.wav", 2 * 3600)
    (folder / "bomb.png").write_bytes(png(30000, 30000, colour_type=0, bit_depth=1))
    return {"long.wav": folder / "long.wav", "bomb.png": folder / "bomb.png"}


def _setup_files(project: Path, big: dict[str, Path]) -> None:
    """Files the path and media cases point at, all made here: text named like audio or PNG, a
    folder and a FIFO named .wav, a link out of the project, a file beside (not inside) the
    project, silent, cut-short, one-sample and too-long sounds, a bomb and transparent covers."""
    scripts = project / "scripts"
    (scripts / "notes.wav").write_text("these are notes, not audio")
    (scripts / "notes.png").write_text("not an image")
    (scripts / "folder.wav").mkdir()
    os.mkfifo(scripts / "fifo.wav")
    (scripts / "escape.wav").symlink_to("/etc/passwd")
    (project.parent / "outside.wav").write_bytes(WAV)
    (scripts / "silent.wav").write_bytes(tone_wav(2.0, amplitude=0.0))
    (scripts / "cut.wav").write_bytes(tone_wav(10.0)[:44 + 100])  # the header still says ten seconds
    (scripts / "one.wav").write_bytes(wav_bytes(b"\x00\x40"))  # one sample, at half scale
    (scripts / "cue50.wav").write_bytes(tone_wav(50.0, rate=2000, frequency=220.0))
    (scripts / "id3.mp3").write_bytes(b"ID3 these are notes, not an MP3\n" * 10)
    (scripts / "trns.png").write_bytes(png(1400, 1400, extra=chunk(b"tRNS", b"\x00\x00\x00\x00\x00\x00")))
    (scripts / "palette.png").write_bytes(png(1400, 1400, colour_type=3))
    (scripts / "palette-see-through.png").write_bytes(png(1400, 1400, colour_type=3, extra=chunk(b"tRNS", b"\x00")))
    (scripts / "wide.png").write_bytes(png(1600, 1400))
    for name, source in big.items():
        os.link(source, scripts / name)


def _unknown_engine() -> str:
    return f"3:17: unknown engine 'espeak'; expected one of: {', '.join(engines.names())}."


# (id, the bad script's bytes or text, the message after "error: scripts/zbad.yaml:")
CASES: list[tuple[str, str | bytes, str | re.Pattern[str] | Callable[[], str]]] = [
    # YAML itself
    ("billion-laughs", _alias_bomb(),
     "2:14: YAML aliases (*name) are not supported; write the steps out, or use a 'repeat' step."),
    ("merge-key-alias", STEPS + "      - say: &a Hi.\n      - <<: *a\n",
     "7:13: YAML aliases (*name) are not supported; write the steps out, or use a 'repeat' step."),
    ("deep-flow-nesting", "title: " + "[" * 5000 + "]" * 5000 + "\n",
     f"1:47: nested more than {MAX_DEPTH} levels deep; a guide needs only a few levels (sections, steps, repeat)."),
    ("deep-block-nesting", STEPS + "".join("  " * i + "      - a:\n" for i in range(60)),
     f"24:45: nested more than {MAX_DEPTH} levels deep; a guide needs only a few levels (sections, steps, "
     "repeat)."),
    ("tab-indent", STEPS + "\t  - say: Hi.\n",
     "6:1: YAML syntax error: a tab character is used for indentation; indent with spaces."),
    # encodings
    ("latin-1", (STEPS + "      - say: Jos\xe9.\n").encode("latin-1"),
     "6:17: is not UTF-8 text (byte 0xe9). Save the file as UTF-8."),
    ("utf-16", (STEPS + "      - say: Hi.\n").encode("utf-16"),
     "1:1: is not UTF-8 text (byte 0xff). Save the file as UTF-8."),
    ("bom-then-error", b"\xef\xbb\xbf" + (STEPS + "      - hodl: 1s\n").encode(),
     "6:9: unknown step 'hodl'; expected one of: say, pause, cue, hold, repeat. Did you mean 'hold'?"),
    # a list where a mapping belongs
    ("list-for-script", "- title: T\n- description: D\n",
     "1:1: the script must be a mapping (key: value lines), got a list."),
    ("list-for-voice", top("voice: [fake, tone]"),
     "3:8: 'voice' must be a mapping (key: value lines), got a list."),
    ("list-for-step", STEPS + "      - [say, Hi.]\n",
     "6:9: a step must be a mapping such as '- say: ...', got a list."),
    ("mapping-for-sections", "title: T\ndescription: D\nsections: {title: S}\n",
     "3:11: 'sections' must be a list (lines starting with '- '), got a mapping."),
    # absurd durations
    ("duration-20-digit-hours", STEPS + "      - pause: 99999999999999999999h\n",
     "6:16: 'pause' is longer than the limit of 2h."),
    ("duration-exponent", STEPS + "      - pause: 1e308\n",
     "6:16: 'pause': expected a duration such as 500ms, 2s, 1.5s, 3m, 1m30s, 1h or a number of seconds, "
     "got '1e308'."),
    ("duration-infinite", STEPS + "      - hold: .inf\n",
     "6:15: 'hold': expected a duration such as 500ms, 2s, 1.5s, 3m, 1m30s, 1h or a number of seconds, got inf."),
    ("duration-negative", STEPS + "      - hold: -5m\n",
     "6:15: 'hold': expected a duration such as 500ms, 2s, 1.5s, 3m, 1m30s, 1h or a number of seconds, "
     "got '-5m'."),
    ("duration-zero", STEPS + "      - hold: 0s\n", "6:15: 'hold' must be longer than zero, got '0s'."),
    ("guide-over-12h", STEPS + "      - repeat: 100\n        steps: [{hold: 2h}]\n",
     "1:1: the guide's pauses, holds and cues add up to 200h5m, over the limit of 12h for a guide."),
    # engines and voices
    ("unknown-engine", top("voice: {engine: espeak}"), _unknown_engine),
    ("unknown-voice", top("voice: {engine: piper, name: amy}"),
     "3:30: 'amy' is not a piper voice name (they read like en_GB-alba-medium); see the voices you can "
     "download with: audio-guide voices --all"),
    # say lines
    ("say-empty", STEPS + "      - say: ''\n", "6:14: a 'say' line must not be empty."),
    ("say-too-long", STEPS + "      - say: " + "a" * (MAX_SAY_CHARS + 1) + "\n",
     f"6:14: a 'say' line is {MAX_SAY_CHARS + 1} characters long; the limit is {MAX_SAY_CHARS}. "
     "Split it into shorter pieces."),
    ("say-escape-sequence", STEPS + '      - say: "Red \\e[31m text."\n',
     "6:14: a 'say' line contains a character that cannot be used: U+001B (a control character). Remove it."),
    ("say-nul", STEPS + '      - say: "a\\0b"\n',
     "6:14: a 'say' line contains a character that cannot be used: U+0000 (a control character). Remove it."),
    ("say-bidi-override", STEPS + "      - say: Sleep \u202ewell.\n",
     "6:14: a 'say' line contains a character that cannot be used: U+202E 'right-to-left override'. "
     "Remove it."),
    ("say-emoji", STEPS + "      - say: Sleep \U0001F634 well.\n",
     "6:14: a 'say' line contains a character that cannot be used: U+1F634 'sleeping face'. Remove it."),
    # paths
    ("bed-missing", top("sound: {ambience: bed.wav}"),
     "3:19: 'sound.ambience': file 'bed.wav' does not exist (looked for {project}/scripts/bed.wav)."),
    ("bed-is-a-folder", top("sound: {ambience: folder.wav}"),
     "3:19: 'sound.ambience': 'folder.wav' is a folder; expected a file."),
    ("cue-not-audio", STEPS + "      - cue: notes.wav\n",
     "6:14: 'cue': 'notes.wav' is named like a wav file, but its contents are not. Check that it is the right "
     "file, or convert it."),
    ("cue-outside-project", STEPS + "      - cue: ../../outside.wav\n",
     "6:14: 'cue': '../../outside.wav' points outside the project ({project}). Copy the file into the project."),
    ("bed-link-out-of-project", top("sound: {ambience: escape.wav}"),
     "3:19: 'sound.ambience': 'escape.wav' points outside the project ({project}). Copy the file into the "
     "project."),
    ("cover-missing", top("cover: nope.png"),
     "3:8: 'cover': file 'nope.png' does not exist (looked for {project}/scripts/nope.png)."),
    ("cover-not-an-image", top("cover: notes.png"),
     "3:8: 'cover': 'notes.png' is named like a png file, but its contents are not. Check that it is the right "
     "file, or convert it."),
    ("cover-absolute", top("cover: /etc/passwd"),
     "3:8: 'cover': '/etc/passwd' is an absolute path; write it relative to the script's folder."),
    # what the files hold (issue: hostile media)
    ("bed-is-a-fifo", top("sound: {ambience: fifo.wav}"),
     "3:19: 'sound.ambience': 'fifo.wav' is not a regular file (a pipe, socket or device); expected a file."),
    ("cue-is-a-fifo", STEPS + "      - cue: fifo.wav\n",
     "6:14: 'cue': 'fifo.wav' is not a regular file (a pipe, socket or device); expected a file."),
    ("cue-silent", STEPS + "      - cue: silent.wav\n",
     "6:14: 'cue': 'silent.wav' is silent (digital silence). Use another file."),
    ("sound-cue-silent", top("sound: {cue: silent.wav}"),
     "3:14: 'sound.cue': 'silent.wav' is silent (digital silence). Use another file."),
    ("bed-silent", top("sound: {ambience: silent.wav}"),
     "3:19: 'sound.ambience': 'silent.wav' is silent (digital silence). Use 'ambience: none' for no bed."),
    ("cue-two-hours", STEPS + "      - cue: long.wav\n",
     "6:14: 'cue': 'long.wav' is too long for a cue (2h); a cue may last at most 60 s. "
     "Trim it, or use it as 'sound.ambience'."),
    ("hold-cue-two-hours-repeated", STEPS + "      - repeat: 100\n        steps: [{hold: 1m, cue: long.wav}]\n",
     "7:33: the hold's 'cue': 'long.wav' is too long for a cue (2h); a cue may last at most 60 s. "
     "Trim it, or use it as 'sound.ambience'."),
    ("cues-over-12h", STEPS + "      - repeat: 100\n        steps:\n" + "          - cue: cue50.wav\n" * 10,
     "1:1: the guide's pauses, holds and cues add up to 13h53m20s, over the limit of 12h for a guide."),
    ("cue-cut-short", STEPS + "      - cue: cut.wav\n",
     "6:14: 'cue': 'cut.wav' holds only 6.3 ms of audio; a cue must last at least 0.1 s. "
     "Check that the file is whole (not cut short)."),
    ("cue-one-sample", STEPS + "      - cue: one.wav\n",
     "6:14: 'cue': 'one.wav' holds only 0.0 ms of audio; a cue must last at least 0.1 s. "
     "Check that the file is whole (not cut short)."),
    ("bed-cut-short", top("sound: {ambience: cut.wav}"),
     "3:19: 'sound.ambience': 'cut.wav' holds only 6.3 ms of audio; an ambience file (it is looped) must last "
     "at least 1 s. Check that the file is whole (not cut short)."),
    ("bed-one-sample", top("sound: {ambience: one.wav}"),
     "3:19: 'sound.ambience': 'one.wav' holds only 0.0 ms of audio; an ambience file (it is looped) must last "
     "at least 1 s. Check that the file is whole (not cut short)."),
    ("cue-text-with-id3-header", STEPS + "      - cue: id3.mp3\n",
     re.compile(r"6:14: 'cue': 'id3\.mp3' is not usable audio: ffmpeg cannot decode it as audio \(.+\)\.")),
    ("cover-bomb", top("cover: bomb.png"),
     "3:8: 'cover': the cover has 900,000,000 pixels, far beyond a cover's 3000x3000 px. "
     "Resize it to between 1400 and 3000 px a side."),
    ("cover-transparent-colour", top("cover: trns.png"),
     "3:8: 'cover': the cover has a transparent colour (a tRNS chunk); expected no transparency. "
     "Flatten it onto a background and save as RGB."),
    ("cover-palette", top("cover: palette.png"),
     "3:8: 'cover': the cover's colour mode is P; expected RGB: save it in the RGB colour mode."),
    ("cover-palette-transparent", top("cover: palette-see-through.png"),
     "3:8: 'cover': the cover's colour mode is P; expected RGB: remove the transparency (flatten it onto a "
     "background) and save as RGB."),
    ("cover-not-square", top("cover: wide.png"),
     "3:8: 'cover': the cover is 1600x1400 px; it must be square. Crop it to a square."),
    ("gtts-voice-unknown", top("voice: {engine: gtts, name: nonsense}"),
     "3:29: engine 'gtts' has no voice 'nonsense'; expected one of 177 voices, such as com, co.uk, com.au, ca, "
     "co.in, ie, co.za, fr, pt, com.mx, es, ad."),
]


@pytest.mark.parametrize("command", ["validate", "build"])
@pytest.mark.parametrize(("body", "expected"), [pytest.param(b, e, id=i) for i, b, e in CASES])
def test_bad_script_is_one_line_exit_2_and_nothing_changes(hostile: Path, big_files: dict[str, Path], command: str,
                                                           body: str | bytes,
                                                           expected: str | re.Pattern[str] | Callable[[], str]) -> None:
    _setup_files(hostile, big_files)
    path = hostile / BAD
    path.write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
    before = snapshot(hostile / "output")
    start = time.perf_counter()
    result = run(command)
    elapsed = time.perf_counter() - start
    assert result.exit_code == 2, result.stderr
    line = one_error_line(result.stderr)
    if isinstance(expected, re.Pattern):
        assert re.fullmatch(re.escape(f"{BAD}:") + expected.pattern, line), line
    else:
        message = expected() if callable(expected) else expected.replace("{project}", str(hostile.resolve()))
        assert line == f"{BAD}:{message}"
    assert result.stdout == ""  # validate reports only once every script has been read
    assert snapshot(hostile / "output") == before
    assert elapsed < 1.0, f"refusing took {elapsed:.2f} s"


def test_a_good_bom_script_is_accepted(hostile: Path) -> None:
    (hostile / BAD).write_bytes(b"\xef\xbb\xbf" + (STEPS + "      - say: Hi.\n").encode())
    result = run("validate")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines()[-1] == f"{BAD}: ok (1 section)"


@pytest.mark.parametrize("command", ["validate", "build"])
def test_file_over_the_size_limit(hostile: Path, command: str) -> None:
    """A whole-file problem has no line to point at: the message names the file and the limit."""
    path = hostile / BAD
    path.write_text(STEPS + "      - say: Hi.\n" * (MAX_FILE_BYTES // 16), encoding="utf-8")
    before = snapshot(hostile / "output")
    start = time.perf_counter()
    result = run(command)
    assert time.perf_counter() - start < 1.0
    assert result.exit_code == 2
    assert one_error_line(result.stderr) == (f"{BAD}: is {path.stat().st_size:,} bytes; a script may be at most "
                                             f"{MAX_FILE_BYTES:,} bytes. Split it into several guides.")
    assert snapshot(hostile / "output") == before



@pytest.mark.parametrize("body", [
    pytest.param("x" * 900_000 + "\n", id="script-is-one-long-text"),
    pytest.param(top("slug: " + "a" * 100_000), id="long-slug"),
    pytest.param(STEPS + "      - cue: " + "q" * 100_000 + "\n", id="long-cue-name"),
    pytest.param(STEPS + "      - say: " + "a" * 900_000 + "\n", id="long-say"),
    pytest.param(top("voice: {rate: '" + "f" * 100_000 + "'}"), id="long-rate"),
    pytest.param(STEPS + "      - pause: '" + "9" * 100_000 + "x'\n", id="long-duration"),
    pytest.param(STEPS + "      - pause: " + "9" * 5_000 + "\n", id="5000-digit-number"),
])
def test_a_huge_value_gives_a_short_message(hostile: Path, body: str) -> None:
    """One line a person can read: a 100 kB value is described, never echoed back whole."""
    (hostile / BAD).write_text(body, encoding="utf-8")
    result = run("validate", BAD)
    assert result.exit_code == 2
    line = one_error_line(result.stderr)
    assert re.match(rf"{re.escape(BAD)}:\d+:\d+: ", line), line
    assert len(line) < 300, f"{len(line)} characters: {line[:120]}..."




@pytest.mark.parametrize("body", [
    pytest.param(".\n\n!\n", id="script-is-two-lines-of-text"),
    pytest.param(top("voice: |\n  fast\n  voice"), id="voice-is-a-block-of-text"),
])
def test_a_value_with_line_breaks_gives_a_one_line_message(hostile: Path, body: str) -> None:
    (hostile / BAD).write_text(body, encoding="utf-8")
    result = run("validate", BAD)
    assert result.exit_code == 2
    one_error_line(result.stderr)


def test_billion_laughs_through_the_real_entry_point_is_refused_at_once(tmp_path: Path) -> None:
    """The whole process, interpreter start included, is done in well under a second."""
    import subprocess
    import sys

    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(_alias_bomb())
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "audio_guide", "validate", str(bomb)], capture_output=True,
                          text=True, timeout=30)
    elapsed = time.perf_counter() - start
    assert proc.returncode == 2
    assert proc.stderr == (f"error: {bomb}:2:14: YAML aliases (*name) are not supported; write the steps out, "
                           "or use a 'repeat' step.\n")
    assert elapsed < 2.0, f"{elapsed:.2f} s"  # typically 0.2 s; the margin is for a loaded machine


# -- properties -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile-fuzz") / "scripts"
    folder.mkdir()
    return folder


def _check_cli_framing(path: Path, result) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code in (0, 2), (result.exit_code, result.stderr)
    if result.exit_code == 0:
        assert result.stderr == ""
        assert re.fullmatch(rf"{re.escape(str(path))}: ok \(\d+ sections?\)\n", result.stdout)
        return
    assert result.stdout == ""
    line = one_error_line(result.stderr)
    assert line.startswith(f"{path}:")
    located = re.match(rf"{re.escape(str(path))}:(\d+):(\d+): \S", line)
    if located:  # a position is one the file has (1-based; the line after the last for "ends too early")
        data = path.read_bytes()
        assert 1 <= int(located[1]) <= data.count(b"\n") + 2
        assert int(located[2]) >= 1


YAMLISH = st.lists(st.sampled_from(list("ab:-_ \n\t[]{},&*!|>'\"#%@`?0123456789.sm<>/\\")
                                   + ["say", "pause", "hold", "repeat", "steps", "title", "sections", "description",
                                      "voice", "engine", "sound", "cover", "\x1b", "\U0001F634", "\ufeff", "---",
                                      "!!int ", "&a ", "*a", "\n  ", "\n    - ", "\n      - say: "]),
                   max_size=60).map("".join)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=200), YAMLISH.map(str.encode),
                      YAMLISH.map(lambda s: (STEPS + "      - say: Hi.\n" + s).encode()),
                      YAMLISH.map(lambda s: (STEPS + s).encode())))
def test_validate_always_exits_0_or_2_with_one_line(fuzz_dir: Path, data: bytes) -> None:
    path = fuzz_dir / "fuzz.yaml"
    path.write_bytes(data)
    _check_cli_framing(path, run("validate", str(path)))


TOP_KEYS = ["title", "description", "slug", "language", "voice", "sound", "sections", "author", "album", "genre",
            "published", "references", "lexicon", "cover"]
INNER_KEYS = ["title", "steps", "say", "pause", "cue", "hold", "repeat", "remind_every", "remind", "engine", "name",
              "rate", "ambience", "loudness", "tail", "fade_out", "duck", "sentence_pause"]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30), st.floats(allow_nan=True),
                    st.sampled_from(["Hi.", "2s", "0", "-1", "1m30s", "bell", "none", "fake", "tone", "piper",
                                     "brown-noise", "x.wav", "../x.png", "-20 LUFS", "2026-01-01", "", " ",
                                     '<break time="1s"/>', "\U0001F634", "\x1b"]),
                    st.text(max_size=8))
TREES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.sampled_from(INNER_KEYS), inner, max_size=3)), max_leaves=12)


def _guide_like(draw_top: dict) -> str:  # type: ignore[type-arg]
    return yaml.safe_dump(draw_top, allow_unicode=True, sort_keys=False)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(top=st.dictionaries(st.sampled_from(TOP_KEYS), TREES, max_size=6),
       steps=st.lists(st.dictionaries(st.sampled_from(INNER_KEYS), TREES, min_size=1, max_size=2), max_size=3))
def test_any_structure_raises_only_a_located_script_error(fuzz_dir: Path, top: dict, steps: list) -> None:  # type: ignore[type-arg]
    """Right keys, wrong shapes: lists for mappings, numbers for text, nothing for lists..."""
    document = {"title": "T", "description": "D", "sections": [{"title": "S", "steps": steps or [{"say": "Hi."}]}]}
    document.update(top)
    path = fuzz_dir / "shape.yaml"
    path.write_text(_guide_like(document), encoding="utf-8")
    try:
        load_script(path)
    except ScriptError as exc:
        text = str(exc)
        assert exc.exit_code == 2
        assert "\n" not in text and "\r" not in text
        assert text.startswith(f"{path}:")


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(st.text(alphabet="0123456789.+- LUFSdBlufs\u0663e", max_size=14), st.text(max_size=12),
                       st.integers(), st.integers(-10**400, 10**400), st.floats(), st.booleans(), st.none(),
                       st.lists(st.integers(), max_size=2)),
       unit=st.sampled_from(["LUFS", "dB"]))
def test_parse_level_raises_only_value_error_and_gives_finite_levels(value: object, unit: str) -> None:
    try:
        level = parse_level(value, unit)
    except ValueError as exc:
        assert "\n" not in str(exc)
        return
    assert isinstance(level, float) and abs(level) != float("inf") and level == level


@settings(max_examples=200, deadline=None)
@given(h=st.one_of(st.none(), st.integers(0, 10**6)), m=st.one_of(st.none(), st.integers(0, 10**6)),
       s=st.one_of(st.none(), st.integers(0, 10**6)), ms=st.one_of(st.none(), st.integers(0, 10**6)),
       tenths=st.integers(0, 9))
def test_every_well_formed_duration_parses_exactly(h: int | None, m: int | None, s: int | None, ms: int | None,
                                                   tenths: int) -> None:
    """The grammar's positive side: any h, m, s, ms combination, in order, is exact to the millisecond."""
    parts = [(h, "h", 3600), (m, "m", 60), (s, "s", 1), (ms, "ms", Fraction(1, 1000))]
    present = [(v, unit, scale) for v, unit, scale in parts if v is not None]
    if not present:
        return
    text = "".join(f"{v}{unit}" for v, unit, _ in present[:-1])
    last, unit, scale = present[-1]
    text += f"{last}.{tenths}{unit}"
    expected = sum((Fraction(v) * k for v, _, k in present[:-1]), Fraction(0)) + (last + Fraction(tenths, 10)) * scale
    assert parse_duration(text) == expected
    assert parse_duration(f"  {text}\n") == expected


def test_limits_in_the_readme_match_the_code() -> None:
    """The documented limits are the enforced ones."""
    readme = " ".join((Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8").split())
    assert f"A script file is at most {MAX_FILE_BYTES // 1_000_000} MB" in readme
    assert f"a `say` at most {MAX_SAY_CHARS:,} characters" in readme
    assert f"a guide at most {MAX_EXPANDED_STEPS:,} steps" in readme
    assert f"nesting deeper than {MAX_DEPTH} levels" in readme
    assert (f"a cue lasts {MIN_CUE_SECONDS:g} s to {MAX_CUE_SECONDS:g} s, "
            f"an ambience file at least {MIN_BED_SECONDS:g} s") in readme
    assert f"a peak below {SILENT_DB:g} dBFS" in readme
    assert f"only the first {BED_SECONDS_USED / 60:g} minutes are read" in readme
