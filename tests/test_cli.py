"""The command line through click's runner: output, exit codes, and nothing written on error."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Callable

from mutagen.id3 import ID3
from mutagen.mp3 import MP3
from support import fakeengine
from support.cli import run

GOOD = """
title: Night & "Calm" <Stretch>
description: "A short test guide, with unicode: café."
voice: {engine: fake, rate: 0.8}
author: Tester
album: Tests
genre: Health
published: 2026-01-02
references: ["Ref one. 2020-06-11"]
sound: {ambience: none, fade_out: 1s}
sections:
  - title: First
    steps:
      - say: Breathe in slowly.
      - hold: 2s
  - title: Second
    steps:
      - say: And rest.
"""




def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_build_writes_mp3_with_tags_and_summary(project: Path, write_script: Callable[[str, str], Path]) -> None:
    write_script("calm.yaml", GOOD)
    result = run("build")
    assert result.exit_code == 0, result.stderr
    mp3 = project / "output" / "calm.mp3"
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"output/calm\.mp3  0:0\d\.\d{3}  \d+\.\d KB  \(2 sentences spoken\)",
                        lines[0]), lines
    assert re.fullmatch(r"built 1 guide, 0:0\d\.\d{3} of audio, in output/", lines[1])
    assert "speaking calm" in result.stderr  # the progress bar
    assert "mixing and encoding calm..." in result.stderr
    tags = ID3(mp3)
    assert str(tags["TIT2"]) == 'Night & "Calm" <Stretch>'
    assert str(tags["TPE1"]) == "Tester"
    assert str(tags["TALB"]) == "Tests"
    assert str(tags["TCON"]) == "Health"
    assert str(tags["TDRC"]) == "2026-01-02"
    assert tags.getall("COMM")[0].text == ["A short test guide, with unicode: café."]
    assert tags.getall("TXXX:References")[0].text == ["Ref one. 2020-06-11"]
    info = MP3(mp3).info
    assert info.sample_rate == 44100 and info.channels == 1 and info.bitrate == 96000
    names = sorted(p.name for p in (project / "output").iterdir())
    covers = [n for n in names if n.startswith("podcast-cover-") and n.endswith(".png")]
    assert len(covers) == 1
    assert names == sorted([  # and no temporary files left
        "calm.chapters.json", "calm.episode.json", "calm.mp3", "calm.srt", "calm.txt", "calm.vtt",
        "feed-state.json", "feed.xml", "index.html", covers[0]])
    assert result.stdout.splitlines()[2] == ("feed: output/feed.xml  page: output/index.html  "
                                            "(a local feed: no podcast.yaml beside the scripts)")
    assert tags.getall("APIC")[0].data == (project / "output" / covers[0]).read_bytes()


def test_second_build_is_skipped_and_force_rebuilds(project: Path, write_script: Callable[[str, str], Path]) -> None:
    write_script("calm.yaml", GOOD)
    assert run("build").exit_code == 0
    assert len(fakeengine.calls) == 2
    before = snapshot(project / "output")
    mtime = (project / "output" / "calm.mp3").stat().st_mtime_ns
    result = run("build")
    assert result.exit_code == 0
    assert re.fullmatch(r"output/calm\.mp3  0:0\d\.\d{3}  \d+\.\d KB  \(up to date\)", result.stdout.splitlines()[0])
    assert len(fakeengine.calls) == 2
    assert snapshot(project / "output") == before
    assert (project / "output" / "calm.mp3").stat().st_mtime_ns == mtime
    result = run("build", "--force")
    assert "(all 2 sentences from the cache)" in result.stdout
    assert len(fakeengine.calls) == 2


def test_editing_one_line_speaks_only_that_line(project: Path, write_script: Callable[[str, str], Path]) -> None:
    write_script("calm.yaml", GOOD)
    assert run("build").exit_code == 0
    fakeengine.calls.clear()
    write_script("calm.yaml", GOOD.replace("And rest.", "And rest now."))
    result = run("build")
    assert "(1 sentence spoken, 1 from the cache)" in result.stdout
    assert fakeengine.calls == ["And rest now."]


def test_missing_output_or_changed_settings_rebuild(project: Path, write_script: Callable[[str, str], Path]) -> None:
    write_script("calm.yaml", GOOD)
    assert run("build").exit_code == 0
    (project / "output" / "calm.vtt").unlink()
    assert "(all 2 sentences from the cache)" in run("build").stdout
    assert (project / "output" / "calm.vtt").is_file()
    assert "(up to date)" in run("build").stdout
    assert "(2 sentences spoken)" in run("build", "--rate", "0.9").stdout  # a setting changed


def test_changed_sound_file_rebuilds(project: Path, write_script: Callable[[str, str], Path]) -> None:
    import shutil

    from audio_guide.media import run as ffmpeg

    ffmpeg(["-f", "lavfi", "-i", "sine=f=600:d=1", "-y", str(project / "scripts" / "ding.wav")])
    write_script("calm.yaml", GOOD.replace("fade_out: 1s}", "fade_out: 1s, cue: ding.wav}"))
    assert run("build").exit_code == 0
    assert "(up to date)" in run("build").stdout
    ffmpeg(["-f", "lavfi", "-i", "sine=f=500:d=1", "-y", str(project / "scripts" / "ding2.wav")])
    shutil.move(project / "scripts" / "ding2.wav", project / "scripts" / "ding.wav")
    assert "(all 2 sentences from the cache)" in run("build").stdout


def test_parallel_jobs_build_every_guide(project: Path, write_script: Callable[[str, str], Path]) -> None:
    write_script("calm.yaml", GOOD)
    write_script("other.yaml", GOOD.replace("Breathe in slowly.", "Breathe out slowly."))
    result = run("build", "--jobs", "2")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (project / "output").glob("*.mp3")) == ["calm.mp3", "other.mp3"]
    assert "built 2 guides" in result.stdout
    from support.audiocheck import decode_mp3

    assert len(decode_mp3(project / "output" / "other.mp3")) > 44100


def test_bad_script_exits_2_and_leaves_output_untouched(project: Path, write_script: Callable[[str, str], Path]) -> None:
    write_script("calm.yaml", GOOD)
    assert run("build").exit_code == 0
    before = snapshot(project / "output")
    write_script("zbroken.yaml", """
        title: Broken
        description: D
        sections:
          - title: S
            steps:
              - hodl: 30s
    """)
    (project / "scripts" / "calm.yaml").write_text(GOOD.replace("Breathe in slowly.", "Breathe out."))
    result = run("build")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == ("error: scripts/zbroken.yaml:6:9: unknown step 'hodl'; expected one of: "
                             "say, pause, cue, hold, repeat. Did you mean 'hold'?\n")
    assert snapshot(project / "output") == before


def test_validate(project: Path, write_script: Callable[[str, str], Path]) -> None:
    write_script("calm.yaml", GOOD)
    result = run("validate")
    assert (result.exit_code, result.stdout) == (0, "scripts/calm.yaml: ok (2 sections)\n")
    result = run("validate", "scripts/missing.yaml")
    assert result.exit_code == 2
    assert result.stderr == "error: scripts/missing.yaml: no such file. Check the path.\n"


def test_no_scripts_is_a_usage_error(project: Path) -> None:
    result = run("build")
    assert (result.exit_code, result.stderr) == (
        2, "error: no scripts given and none found in scripts/; start a project with: audio-guide init\n")


def test_no_project_at_all_says_how_to_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    result = run("build")
    assert (result.exit_code, result.stderr) == (
        2, "error: no scripts given and none found in scripts/ here or in a folder above; start a project with: "
           "audio-guide init\n")
    assert list(empty.iterdir()) == []


CONFIG = """\
title: Test Cast
description: Guides for tests.
author: Tester
owner: {name: Tester, email: owner@example.org}
category: Health & Fitness
base_url: https://example.org/cast/
"""


def test_a_script_elsewhere_builds_into_its_own_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """From another folder: the script's project gets the output, with the podcast.yaml beside it."""
    (tmp_path / "mypodcast" / "scripts").mkdir(parents=True)
    (tmp_path / "mypodcast" / "scripts" / "calm.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "mypodcast" / "scripts" / "podcast.yaml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    result = run("build", "../mypodcast/scripts/calm.yaml")
    assert result.exit_code == 0, result.stderr
    assert list((tmp_path / "elsewhere").iterdir()) == []  # no output/ where the command ran
    out = tmp_path / "mypodcast" / "output"
    assert (out / "calm.mp3").is_file()
    assert "https://example.org/cast/calm.mp3" in (out / "feed.xml").read_text(encoding="utf-8")
    assert f"in {out}/" in result.stdout


def test_inside_a_project_any_subfolder_finds_it(project: Path, write_script: Callable[[str, str], Path],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    write_script("calm.yaml", GOOD)
    (project / "art").mkdir()
    monkeypatch.chdir(project / "art")
    result = run("build")
    assert result.exit_code == 0, result.stderr
    assert (project / "output" / "calm.mp3").is_file()
    assert not (project / "art" / "output").exists()
    assert f"in {project / 'output'}/" in result.stdout  # outside the current folder: shown in full
    assert run("validate").stdout.startswith(f"{project / 'scripts' / 'calm.yaml'}: ok")


def test_scripts_from_two_projects_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("a", "b"):
        (tmp_path / name / "scripts").mkdir(parents=True)
        (tmp_path / name / "scripts" / "calm.yaml").write_text(GOOD, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("build", "a/scripts/calm.yaml", "b/scripts/calm.yaml")
    assert result.exit_code == 2
    assert result.stderr == ("error: the scripts are in 2 folders (a/scripts, b/scripts); each folder is a podcast "
                             "of its own: build them one folder at a time.\n")


def test_plan_json_matches_the_build(project: Path, write_script: Callable[[str, str], Path]) -> None:
    write_script("calm.yaml", GOOD)
    before = json.loads(run("plan", "scripts/calm.yaml", "--json").stdout)
    assert before["estimated"] is True
    assert [c["title"] for c in before["chapters"]] == ["First", "Second"]
    assert run("build").exit_code == 0
    after = json.loads(run("plan", "scripts/calm.yaml", "--json").stdout)
    assert after["estimated"] is False
    kinds = [(e["kind"], e["text"]) for e in after["events"] if e["kind"] != "gap"]
    assert kinds == [("speech", "Breathe in slowly."), ("hold", ""), ("cue", "bell"), ("speech", "And rest.")]
    speech = [e for e in after["events"] if e["kind"] == "speech"]
    assert speech[0]["start"] == 44100  # the lead-in
    hold = next(e for e in after["events"] if e["kind"] == "hold")
    assert hold["start"] == speech[0]["start"] + speech[0]["length"] and hold["length"] == 88200
    from support.audiocheck import decode_mp3

    assert len(decode_mp3(project / "output" / "calm.mp3")) == after["total_samples"]


def test_plan_text(project: Path, write_script: Callable[[str, str], Path]) -> None:
    write_script("calm.yaml", GOOD)
    out = run("plan", "scripts/calm.yaml").stdout.splitlines()
    assert out[0] == 'calm: Night & "Calm" <Stretch>'
    assert out[1] == "   0:00.000  == First =="
    assert re.fullmatch(r"   0:01\.000  speech ~  0:0\d\.\d{3}  Breathe in slowly\.", out[2])
    assert re.fullmatch(r" +0:0\d\.\d{3}  hold      0:02\.000  ", out[3])
    assert out[-1].startswith("total 0:") and out[-1].endswith("(estimated: not built yet)")


def test_unknown_engine_option(project: Path, write_script: Callable[[str, str], Path]) -> None:
    write_script("calm.yaml", GOOD)
    result = run("build", "--engine", "espeak")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: unknown engine 'espeak'; expected one of: piper, gtts")
    assert list((project / "output").iterdir()) == []


def test_voices_lists_engines_and_status() -> None:
    out = run("voices").stdout
    assert "piper [default]: offline neural voice" in out
    assert "  voices: en_US-joe-medium" in out
    assert "  status: usable: ready (offline)" in out
    assert re.search(r"^gtts: .*\n  voices: any \(default com\)\n  status: ", out, re.M)


def test_cache_info_and_clear(project: Path, write_script: Callable[[str, str], Path], tmp_path: Path) -> None:
    write_script("calm.yaml", GOOD)
    run("build")
    info = run("cache", "info").stdout
    assert info.startswith(f"{tmp_path / 'cache'}: 2 clips, ")
    assert run("cache", "clear").stdout.startswith("removed 2 clips")
    assert run("cache", "info").stdout.startswith(f"{tmp_path / 'cache'}: 0 clips, 0 B")


def test_help_is_fast_and_imports_no_engine() -> None:
    code = ("import sys\nfrom audio_guide.cli import cli\n"
            "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('numpy', 'piper', 'onnxruntime', 'scipy', 'gtts') if m in sys.modules]\n"
            "print('HEAVY', heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out
    assert "build" in out and "validate" in out and "plan" in out and "voices" in out


def test_module_entry_point_reports_errors_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: [unclosed\n")
    proc = subprocess.run([sys.executable, "-m", "audio_guide", "validate", str(bad)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"error: {bad}:")
    assert len(proc.stderr.strip().splitlines()) == 1


def test_a_comment_or_another_spelling_of_the_path_rebuilds_nothing(
        project: Path, write_script: Callable[[str, str], Path]) -> None:
    write_script("calm.yaml", GOOD)
    assert run("build").exit_code == 0
    write_script("calm.yaml", "# a note for the producer\n\n" + GOOD.lstrip())
    assert "(up to date)" in run("build").stdout
    assert "(up to date)" in run("build", "./scripts/calm.yaml").stdout


REMINDER_DROPPED = """\
title: T
description: D
voice: {engine: fake}
sections:
  - title: S
    steps:
      - say: Go.
      - hold: 25s
        remind_every: 12s
        remind: >-
          This reminder is far too long to fit into the little time that is left in the hold, because it
          goes on and on about the calf, the towel, the toes, the knee, the warm blanket and the pillow,
          and about breathing slowly and deeply, long after the hold has ended and the bell has rung.
"""


def test_validate_warns_as_plan_does(project: Path) -> None:
    """Same warning lines as plan, on stderr; warnings do not fail validation."""
    (project / "scripts" / "g.yaml").write_text(REMINDER_DROPPED, encoding="utf-8")
    checked = run("validate", "scripts/g.yaml")
    planned = run("plan", "scripts/g.yaml")
    assert checked.exit_code == 0 and planned.exit_code == 0
    assert checked.stdout == "scripts/g.yaml: ok (1 section)\n"
    warnings = [line for line in checked.stderr.splitlines() if line.startswith("warning: ")]
    assert warnings and warnings == [line for line in planned.stderr.splitlines() if line.startswith("warning: ")]
    assert "scripts/g.yaml:8: a reminder at 12s into the hold would run past its end" in warnings[0]


def test_plan_spoken_shows_what_the_voice_is_given(project: Path) -> None:
    (project / "scripts" / "g.yaml").write_text("""\
title: T
description: D
voice: {engine: fake}
lexicon: {tofu: toe foo}
sections:
  - title: S
    steps:
      - say: Eat tofu, then rest for 30s.
""", encoding="utf-8")
    written = run("plan", "scripts/g.yaml")
    spoken = run("plan", "--spoken", "scripts/g.yaml")
    assert written.exit_code == 0 and spoken.exit_code == 0
    assert "Eat tofu, then rest for 30s." in written.stdout
    assert "toe foo" not in written.stdout
    line = next(line for line in spoken.stdout.splitlines() if "speech" in line)
    assert "Eat toe foo, then rest for 30 seconds." in line, spoken.stdout
