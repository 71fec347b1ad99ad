"""Which voice reads which line: installed voices by name, a producer's own file, speakers, the
guide's language, and voices that change within a guide. Checked at ``validate``; no speech here
except through the fake engine.
"""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path
from typing import Callable

import pytest
from support import voicefiles
from support.cli import run
from support.folders import one_error_line, snapshot

from audio_guide.audio import Clips, SpeechCache
from audio_guide.engines.piper_voices import speaker_id
from audio_guide.errors import EngineError, ScriptError, UsageError
from audio_guide.pipeline import Options
from audio_guide.pipeline.options import apply_options
from audio_guide.script import Voice, VoiceChange, load_script
from audio_guide.timeline import plan, spoken_lines

Write = Callable[[str, str], Path]
BODY = """
sections:
  - title: S
    steps:
      - say: Hello there.
"""


def voices_dir() -> Path:
    return Path(os.environ["AUDIO_GUIDE_VOICES_DIR"])


def error_of(path: Path) -> str:
    with pytest.raises(ScriptError) as caught:
        load_script(path)
    return str(caught.value).replace(str(path), "{P}")


# --- naming a voice -------------------------------------------------------------------------


def test_an_installed_voice_is_used_by_name(write_script: Write) -> None:
    voicefiles.install(voices_dir(), "en_GB-testvoice-medium")
    guide = load_script(write_script("g.yaml", "title: T\ndescription: D\nvoice: {name: en_GB-testvoice-medium}\n"
                                     + BODY))
    assert guide.voice == Voice(name="en_GB-testvoice-medium")


def test_a_voice_that_is_not_installed_names_the_download_command(write_script: Write) -> None:
    path = write_script("g.yaml", "title: T\ndescription: D\nvoice:\n  name: es_ES-davefx-medium\n" + BODY)
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert one_error_line(result.stderr) == (
        f"{path}:4:9: the piper voice 'es_ES-davefx-medium' is not installed; download it with: "
        "audio-guide voices download es_ES-davefx-medium")


def test_a_half_installed_voice_is_not_a_voice(write_script: Write) -> None:
    folder = voices_dir() / "en_GB-testvoice-medium"
    voicefiles.install(voices_dir(), "en_GB-testvoice-medium")
    (folder / "en_GB-testvoice-medium.onnx.json").unlink()
    path = write_script("g.yaml", "title: T\ndescription: D\nvoice: {name: en_GB-testvoice-medium}\n" + BODY)
    assert "is not installed; download it with: audio-guide voices download en_GB-testvoice-medium" in error_of(path)


def test_a_producers_own_voice_file_by_path(project: Path, write_script: Write) -> None:
    voicefiles.place(project / "voices", "calm", "en_US")
    guide = load_script(write_script("g.yaml", "title: T\ndescription: D\nvoice: {model: ../voices/calm.onnx}\n"
                                     + BODY))
    assert guide.voice.model == (project / "voices" / "calm.onnx").resolve()
    assert guide.voice.name is None and guide.voice.voice_id == str(guide.voice.model)


@pytest.mark.parametrize(("setup", "voice", "expected"), [
    pytest.param(lambda p: voicefiles.place(p / "voices", "calm"), "{model: ../voices/nothere.onnx}",
                 "3:16: 'voice.model': file '../voices/nothere.onnx' does not exist", id="missing"),
    pytest.param(lambda p: (voicefiles.place(p / "voices", "calm"), (p / "voices" / "calm.onnx.json").unlink()),
                 "{model: ../voices/calm.onnx}", "the voice calm has no config file", id="no-config"),
    pytest.param(lambda p: (p / "voices").mkdir(), "{model: ../../elsewhere.onnx}", "points outside the project",
                 id="outside"),
    pytest.param(lambda p: ((p / "voices").mkdir(), (p / "voices" / "x.onnx").write_text("hello")),
                 "{model: ../voices/x.onnx}", "is named like a onnx file, but its contents are not", id="not-onnx"),
    pytest.param(lambda p: voicefiles.place(p / "voices", "calm"),
                 "{name: en_US-joe-medium, model: ../voices/calm.onnx}", "a voice has a 'name' or a 'model' file, not both",
                 id="both"),
])
def test_voice_files_that_cannot_be_used(project: Path, write_script: Write, setup: Callable[[Path], object],
                                         voice: str, expected: str) -> None:
    setup(project)
    assert expected in error_of(write_script("g.yaml", f"title: T\ndescription: D\nvoice: {voice}\n" + BODY))


# --- speakers --------------------------------------------------------------------------------


def test_speakers_of_a_voice_with_several(write_script: Write) -> None:
    voicefiles.install(voices_dir(), "en_GB-many-medium", speakers={"ann": 0, "bob": 1, "cy": 2})
    top = "title: T\ndescription: D\nvoice: {name: en_GB-many-medium, speaker: %s}\n"
    assert load_script(write_script("a.yaml", top % "bob" + BODY)).voice.speaker == "bob"
    assert load_script(write_script("b.yaml", top % "2" + BODY)).voice.speaker == "2"
    assert error_of(write_script("c.yaml", top % "dan" + BODY)) == (
        "{P}:3:43: the voice en_GB-many-medium (en-GB) has no speaker 'dan'; expected one of: ann, bob, cy.")
    assert "has no speaker '3'" in error_of(write_script("d.yaml", top % "3" + BODY))


def test_a_speaker_for_a_voice_with_one_is_refused(write_script: Write) -> None:
    path = write_script("g.yaml", "title: T\ndescription: D\nvoice:\n  speaker: 1\n" + BODY)
    assert error_of(path) == ("{P}:4:12: the voice en_US-joe-medium (en-US) has one speaker, so 'speaker' cannot be "
                              "chosen; remove 'speaker'.")


def test_speaker_names_become_piper_ids() -> None:
    assert speaker_id({"ann": 0, "bob": 7}, "bob") == 7
    assert speaker_id({"ann": 0}, "3") == 3
    assert speaker_id({}, None) is None
    with pytest.raises(EngineError):
        speaker_id({"ann": 0}, "zed")


# --- language ----------------------------------------------------------------------------------


def test_a_spanish_guide_with_an_english_voice_is_refused_at_validate(project: Path, write_script: Write) -> None:
    path = write_script("g.yaml", "title: T\ndescription: D\nlanguage: es\n" + BODY.replace("Hello there.", "Hola."))
    before = snapshot(project)
    result = run("validate")
    assert result.exit_code == 2
    assert one_error_line(result.stderr) == (
        f"{path.relative_to(project)}:3:11: the guide's language is 'es', but the voice en_US-joe-medium (en-US) "
        "speaks en-US; no voice for it is installed; find one with: audio-guide voices --all --language es "
        "(or use voice: {engine: gtts} when online).")
    assert snapshot(project) == before


def test_the_refusal_offers_the_voices_that_speak_the_language(write_script: Write) -> None:
    voicefiles.install(voices_dir(), "es_ES-testvoz-medium")
    path = write_script("g.yaml", "title: T\ndescription: D\nlanguage: es-MX\n" + BODY)
    assert error_of(path).endswith("use a voice that speaks it: es_ES-testvoz-medium.")
    ok = load_script(write_script("h.yaml", "title: T\ndescription: D\nlanguage: es-MX\n"
                                  "voice: {name: es_ES-testvoz-medium}\n" + BODY))
    assert ok.language == "es-MX"  # the same language in another region reads it


def test_a_region_of_the_voices_language_is_accepted(write_script: Write) -> None:
    assert load_script(write_script("g.yaml", "title: T\ndescription: D\nlanguage: en-GB\n" + BODY)).language == "en-GB"


def test_a_section_voice_must_speak_the_guides_language_too(write_script: Write) -> None:
    voicefiles.install(voices_dir(), "de_DE-testwort-medium")
    path = write_script("g.yaml", """\
        title: T
        description: D
        sections:
          - title: S
            voice: {name: de_DE-testwort-medium}
            steps:
              - say: Hallo.
        """.replace("        ", ""))
    assert error_of(path).startswith("{P}:5:19: the guide's language is 'en', but the voice de_DE-testwort-medium "
                                     "(de-DE) speaks de-DE;")


def test_gtts_must_speak_the_language(write_script: Write) -> None:
    path = write_script("g.yaml", "title: T\ndescription: D\nlanguage: tlh\nvoice: {engine: gtts}\n" + BODY)
    assert "the guide's language is 'tlh', but the voice gtts com speaks af, am," in error_of(path)
    guide = load_script(write_script("h.yaml", "title: T\ndescription: D\nlanguage: es\nvoice: {engine: gtts}\n"
                                     + BODY))
    assert guide.voice.engine == "gtts"


def test_the_command_line_voice_is_checked_against_the_language(write_script: Write) -> None:
    voicefiles.install(voices_dir(), "es_ES-testvoz-medium")
    guide = load_script(write_script("g.yaml", "title: T\ndescription: D\nlanguage: es\n"
                                     "voice: {name: es_ES-testvoz-medium}\n" + BODY))
    with pytest.raises(UsageError, match="with the voice from the command line, the guide's language is 'es', "
                                         "but the voice en_US-joe-medium"):
        apply_options(guide, Options(voice="en_US-joe-medium"))
    assert apply_options(guide, Options(rate=0.8)).voice == Voice(name="es_ES-testvoz-medium", rate=0.8)


# --- voices that change within a guide -----------------------------------------------------------

LAYERED = """\
title: T
description: D
voice: {engine: fake, rate: 1.0, sentence_pause: 500ms}
sections:
  - title: Opening
    steps:
      - say: One. Two.
      - say: Other voice.
        voice: {name: other, rate: 1.25}
  - title: Closing
    voice: {rate: 0.8, sentence_pause: 1s, paragraph_pause: 2s}
    steps:
      - say: Three. Four.
      - say: Five.
      - hold: 45s
        remind_every: 15s
        remind: Soft.
        voice: {name: soft}
"""


def test_voices_are_laid_over_each_other(write_script: Write) -> None:
    guide = load_script(write_script("g.yaml", LAYERED))
    opening, closing = guide.sections
    base = Voice(engine="fake", sentence_pause=Fraction(1, 2))
    assert guide.voice_for(opening, opening.steps[0]) == base  # type: ignore[arg-type]
    assert guide.voice_for(opening, opening.steps[1]) == Voice(engine="fake", name="other", rate=1.25,  # type: ignore[arg-type]
                                                               sentence_pause=Fraction(1, 2))
    slow = Voice(engine="fake", rate=0.8, sentence_pause=Fraction(1), paragraph_pause=Fraction(2))
    assert guide.voice_for(closing) == slow
    assert guide.voice_for(closing, closing.steps[2]) == Voice(  # type: ignore[arg-type]
        engine="fake", name="soft", rate=0.8, sentence_pause=Fraction(1), paragraph_pause=Fraction(2))
    assert len(guide.voices()) == 4


def test_the_plan_speaks_each_line_in_its_voice_with_its_pauses(write_script: Write) -> None:
    guide = load_script(write_script("g.yaml", LAYERED))
    timeline = plan(guide, lambda text, voice: 44_100)  # every sentence 1 s
    speech = timeline.speech()
    said = [(e.text, timeline.voices[e.voice].name, timeline.voices[e.voice].rate) for e in speech]
    assert said[:6] == [("One.", None, 1.0), ("Two.", None, 1.0), ("Other voice.", "other", 1.25),
                        ("Three.", None, 0.8), ("Four.", None, 0.8), ("Five.", None, 0.8)]
    assert all(timeline.voices[e.voice].name == "soft" for e in speech if e.reminder)
    assert [e.text for e in speech if e.reminder] == ["Soft.", "Soft."]
    gaps = [(e.start, e.length) for e in timeline.events if e.kind == "gap"]
    one, two, three, four = speech[0], speech[1], speech[3], speech[4]
    assert two.start - one.end == 22_050  # the guide's 500ms between sentences
    assert four.start - three.end == 44_100  # the closing section's 1s
    assert speech[5].start - four.end == 88_200  # and its 2s paragraph pause
    assert gaps  # the gaps are events of their own (transcripts skip them)
    assert timeline.to_dict()["voices"] == ["fake default voice", "fake other, rate 1.25",
                                            "fake default voice, rate 0.8", "fake soft, rate 0.8"]


def test_each_voice_has_its_own_speech(write_script: Write, tmp_path: Path) -> None:
    guide = load_script(write_script("g.yaml", LAYERED))
    lines = spoken_lines(guide)
    assert len({voice for voice, _text in lines}) == 4
    clips = Clips(guide, SpeechCache(tmp_path / "c"))
    same_text = {clips.key("Five.", voice) for voice in guide.voices()}
    assert len(same_text) == 4  # one sentence, four voices: four clips
    assert clips.make(lines) == len(lines)
    assert clips.make(lines) == 0  # all cached now
    slow = guide.voice_for(guide.sections[1])
    quick = guide.voice_for(guide.sections[0], guide.sections[0].steps[1])  # type: ignore[arg-type]
    assert clips.length("Five.", slow) is not None
    # the fake engine's length follows the rate: 0.8 is slower than 1.25
    timeline = plan(guide, clips.length)
    five = next(e for e in timeline.speech() if e.text == "Five.")
    other = next(e for e in timeline.speech() if e.text == "Other voice.")
    assert timeline.voices[five.voice] == slow and timeline.voices[other.voice] == quick


def test_a_hold_voice_needs_reminders(write_script: Write) -> None:
    path = write_script("g.yaml", "title: T\ndescription: D\nsections:\n  - title: S\n    steps:\n"
                                  "      - say: Hi.\n      - hold: 30s\n        voice: {rate: 0.8}\n")
    assert error_of(path) == ("{P}:8:9: a hold's 'voice' is the voice of its reminders, but it has none; "
                              "add 'remind' and 'remind_every', or remove 'voice'.")


def test_a_change_of_engine_starts_from_that_engines_default_voice() -> None:
    base = Voice(engine="piper", name="en_GB-x-medium", speaker="3", rate=0.9)
    assert VoiceChange(engine="gtts").apply(base) == Voice(engine="gtts", rate=0.9)
    assert VoiceChange(name="en_GB-y-medium").apply(base) == Voice(name="en_GB-y-medium", rate=0.9)
    assert VoiceChange(rate=0.7).apply(base) == Voice(engine="piper", name="en_GB-x-medium", speaker="3", rate=0.7)


def test_cli_build_with_a_layered_guide_speaks_every_voice(project: Path, write_script: Write) -> None:
    write_script("g.yaml", LAYERED)
    result = run("build")
    assert result.exit_code == 0, result.stderr
    assert (project / "output" / "g.mp3").is_file()


def test_several_guides_are_spoken_by_one_worker_before_the_mixing(project: Path, write_script: Write,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from audio_guide.audio import speaker
    from support import fakeengine

    started: list[int] = []
    real = speaker._start_worker

    def counted(engine: str, todo: list, cache_root: Path | None) -> object:  # type: ignore[type-arg]
        started.append(len(todo))
        return real(engine, todo, cache_root)
    monkeypatch.setattr(speaker, "_start_worker", counted)
    for name in ("a", "b", "c"):
        write_script(f"{name}.yaml", LAYERED.replace("Five.", f"Five {name}."))
    result = run("build")
    assert result.exit_code == 0, result.stderr
    # one worker for the three guides; the lines they share are spoken once
    assert len(started) == 1
    said = list(fakeengine.calls._list())
    assert len(said) == len(set(said)) == started[0]
    assert {"Five a.", "Five b.", "Five c."} <= set(said)
    for name in ("a", "b", "c"):
        assert (project / "output" / f"{name}.mp3").is_file()
    assert run("build").exit_code == 0
    assert len(started) == 1  # an up-to-date build speaks nothing, and starts no worker
