"""``audio-guide check``: it listens to a built guide and finds what is not as written.

A good guide passes; a word the lexicon mangles is flagged at its word and time; a hold with
two seconds cut out of the MP3 is flagged with its measured length; the missing extra gives
the install command; ``--suggest`` finds a respelling that is heard right. The alignment of
words and the edge finding are tested on their own first, on cases built by hand.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from support.audiocheck import decode_mp3, ffmpeg_exe
from support.cli import run

from audio_guide.check import clock
from audio_guide.check import hear as recogniser
from audio_guide.audio import cue_length
from audio_guide.check.levels import Envelope, sound_begins, sound_ends, sound_starts, threshold
from audio_guide.check.listen import _line_up, _listen_again, _pace, _timings
from audio_guide.check.report import SentenceCheck, Tolerances, WordSlip
from audio_guide.check.suggest import find_respelling
from audio_guide.check.words import FUNCTION_WORDS, align, inflected, tokens
from audio_guide.pipeline import Options, build
from audio_guide.script import load_script
from audio_guide.timeline import Timeline, plan

GOOD = """
title: Check test
description: A short guide for the check command's tests.
voice: {engine: piper, rate: 0.71, sentence_pause: 2.2s, paragraph_pause: 3s}
sound: {ambience: none, cue: bell, fade_out: 1s, tail: 3s}
sections:
  - title: Stretch
    steps:
      - say: Sit up slowly. Take hold of your foot. Pull it gently toward your knee.
      - hold: 10s
      - say: Now relax. <break time="3s"/> Rest your leg, and breathe out.
      - pause: 4s
      - say: Lay a warm towel over your calf. Now close your eyes, and rest.
"""


# ---- words: what counts as the same word -------------------------------------------------

def slips(script: str, heard: str) -> list[tuple[str, str]]:
    a, b = tokens(script), tokens(heard)
    return [(a[p.word], " ".join(b[k] for k in p.heard)) for p in align(a, b) if not p.exact]


def test_numerals_compounds_and_punctuation_are_not_slips() -> None:
    assert slips("Hold it for thirty seconds.", "hold it for 30 seconds") == []
    assert slips("The lighthouse is near.", "The light house is near") == []
    assert slips("Milk and tofu help", "milkandtofu help") == []
    assert slips("Don't rush; rest.", "dont rush rest") == []
    assert slips("Please see a doctor soon.", "Please see a Dr. soon.") == []


def test_a_word_missed_or_heard_as_another_is_a_slip() -> None:
    assert slips("Let the warmth soften the muscle.", "let the warm soften the muscle") == [("warmth", "warm")]
    assert slips("Pull your toes toward your knee.", "pull your toward your knee") == [("toes", "")]
    assert slips("salts are lost", "insults are lost") == [("salts", "insults")]

def test_repeated_steps_are_lined_up_each_with_its_own_repetition() -> None:
    # as heard in one take of cramp-relief: the first of three repetitions misheard in two
    # words, the others heard right but for 'towards'; longest-run-first matching lined the
    # script's first repetition up with the heard second one and reported a repetition missed
    step = ("Take hold of your toes. Gently pull them back toward your knee. Hold the stretch and breathe "
            "slowly. And slowly let go. Let the foot rest. ")
    script = step * 3 + "Well done."
    heard = (step.replace("the stretch and breathe", "the action breeze").replace("toward", "towards")
             + step.replace("toward", "towards") * 2 + "Well done.")
    found = slips(script, heard)
    assert [word for word, _ in found] == ["toward", "stretch", "and", "breathe", "toward", "toward"], found
    assert {heard_as for word, heard_as in found if word == "toward"} == {"towards"}


def test_another_ending_is_told_from_another_word() -> None:
    assert inflected("let", "lets") and inflected("stiffened", "stiffen") and inflected("ease", "eased")
    assert inflected("narrowed", "narrows") and inflected("cramps", "cramped")
    assert not inflected("warmth", "warm") and not inflected("salts", "insults")
    assert not inflected("bed", "bees") and not inflected("legs", "lead")  # short stems are other words


def test_function_words_are_told_from_content_words() -> None:
    assert {"the", "and", "a", "you"} <= FUNCTION_WORDS
    assert not {"warmth", "toes", "calf", "sit"} & FUNCTION_WORDS


def test_clock_reads_like_a_player() -> None:
    assert [clock(5.9), clock(65), clock(3725), clock(None)] == ["0:05", "1:05", "1:02:05", "-:--"]


# ---- levels: edges of quiet, to the millisecond -------------------------------------------

RATE = 16_000


def tone(seconds: float, level: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (level * np.sin(2 * np.pi * 1500 * t)).astype(np.float32)


def brown(seconds: float, level_db: float, seed: int = 1) -> np.ndarray:
    noise = np.cumsum(np.random.default_rng(seed).standard_normal(int(seconds * RATE)))
    noise -= np.convolve(noise, np.ones(400) / 400, "same")  # no drift
    noise *= 10 ** (level_db / 20) / np.sqrt(np.mean(noise ** 2))
    return noise.astype(np.float32)


@pytest.mark.parametrize("bed_db", [None, -40.0])
def test_a_quiet_between_two_sounds_is_found_at_its_edges(bed_db: float | None) -> None:
    x = np.concatenate([np.zeros(RATE), tone(1.0), np.zeros(int(2.5 * RATE)), tone(1.0), np.zeros(RATE)])
    if bed_db is not None:
        x = x + brown(len(x) / RATE, bed_db)
    env = Envelope.of(x, RATE)
    limit = threshold(env, 2.3, 4.2)
    assert limit.bed is (bed_db is not None)
    start = sound_ends(limit, 1.5, 2.5)  # a rough guess at where the first sound ends
    assert start is not None and abs(start - 2.0) < 0.01
    onset = sound_starts(limit, start)
    assert onset is not None and abs(onset - 4.5) < 0.01


def test_a_quiet_long_enough_is_told_from_a_longer_one_further_off() -> None:
    # a 5 s pause, a short line, a 3 s gap, a line: the recogniser put that line's first word
    # 2 s early, so the 5 s pause is in reach of the search, and it is the longest there
    x = np.concatenate([tone(1.0), np.zeros(5 * RATE), tone(0.6), np.zeros(3 * RATE), tone(2.0)])
    limit = threshold(Envelope.of(x, RATE), 0.0, len(x) / RATE)
    heard_at = 9.6 - 2.0
    assert abs(sound_begins(limit, heard_at - 3.0, heard_at + 0.25) - 6.0) < 0.01  # the longest
    assert abs(sound_begins(limit, heard_at - 3.0, heard_at + 0.25, need=1.0) - 9.6) < 0.01
    # the same from the other side: the line's last word heard ending inside it
    assert abs(sound_ends(limit, 0.7, 4.0, need=1.0) - 1.0) < 0.01
    assert abs(sound_ends(limit, 6.3, 9.0, need=6.0) - 6.6) < 0.01  # none that long: the longest


EDGES = """
title: Edges
description: Sections that end in pauses and begin after a short line.
voice: {engine: piper, sentence_pause: 0.7s, paragraph_pause: 3s}
sound: {ambience: none, cue: none}
sections:
  - title: One
    steps:
      - say: Take hold of your toes, and gently pull them back toward your knee.
      - pause: 5s
      - say: Well done.
  - title: Two
    steps:
      - say: Now place both hands around your calf, and rub the muscle gently.
      - pause: 2s
      - say: Keep the pressure soft and kind.
      - pause: 4s
  - title: Three
    steps:
      - say: That is enough. Let your hands rest now.
"""


def drawn(timeline: Timeline) -> tuple[np.ndarray, list[recogniser.HeardWord]]:
    """The plan's speech drawn as tones, each word "heard" in turn where the plan puts its line."""
    x = np.zeros(int(timeline.content_end / timeline.rate * RATE) + RATE, dtype=np.float32)
    heard: list[recogniser.HeardWord] = []
    for event in timeline.speech():
        start, end = event.start / timeline.rate, event.end / timeline.rate
        a, b = int(start * RATE), int(end * RATE)
        x[a:b] = tone((b - a) / RATE)
        words = tokens(event.text)
        step = (end - start) / len(words)
        heard += [recogniser.HeardWord(w, start + k * step, start + (k + 1) * step) for k, w in enumerate(words)]
    return x, heard


def test_pace_is_measured_between_the_sections_own_edges(write_script) -> None:
    # one word smeared 2 s early: the pace counts each section from its first sound to its
    # last, less the pauses between its own lines (not the one after it), exactly as planned
    guide = load_script(write_script("edges.yaml", EDGES))
    timeline = plan(guide, None, cue_length)
    x, heard = drawn(timeline)
    smeared = next(k for k, w in enumerate(heard) if w.text == "now")
    heard[smeared] = recogniser.HeardWord("now", heard[smeared].start - 2.0, heard[smeared].end)
    said = _line_up(timeline, heard, "en")
    envelope = Envelope.of(x, RATE)
    timings = _timings(timeline, said, heard, envelope, Tolerances())
    pace = _pace(guide, timeline, said, heard, timings, envelope, Tolerances())
    for index, check in enumerate(pace):
        spoken = [e for e in timeline.speech() if e.section == index]
        timed = sum(e.length for e in timeline.events if e.kind in ("pause", "hold", "break")
                    and spoken[0].start <= e.start < spoken[-1].end)
        planned = (spoken[-1].end - spoken[0].start - timed) / timeline.rate
        assert check.seconds == pytest.approx(planned, abs=0.05), (check, planned)


@pytest.mark.parametrize(("alone", "counts"), [("muscle", False), ("muscles", False), ("bustle", True), ("", True)])
def test_a_content_word_heard_wrong_is_listened_to_again_in_its_sentence_alone(
        write_script, monkeypatch: pytest.MonkeyPatch, alone: str, counts: bool) -> None:
    # heard as "bustle" among the other lines; heard alone as the word, as a word with another
    # ending, as another word again, or not at all: only the first two are the recogniser's slip
    timeline = plan(load_script(write_script("edges.yaml", EDGES)), None, cue_length)
    x, heard = drawn(timeline)
    wrong = next(k for k, w in enumerate(heard) if w.text == "muscle")
    heard[wrong] = recogniser.HeardWord("bustle", heard[wrong].start, heard[wrong].end)
    spans: list[tuple[float, float]] = []

    def hear_span(samples: np.ndarray, start: float, end: float, language: str) -> list[recogniser.HeardWord]:
        spans.append((start, end))
        return [w if w.text != "bustle" else recogniser.HeardWord(alone, w.start, w.end)
                for w in heard if start <= w.start < end and (w.text != "bustle" or alone)]

    monkeypatch.setattr(recogniser, "hear_span", hear_span)
    said = _line_up(timeline, heard, "en")
    _listen_again(said, heard, x, "en", timeline.rate)
    [slip] = [slip for s in said for slip in s.slips]
    assert (slip.word, slip.heard, slip.again, slip.counts) == ("muscle", "bustle", alone, counts)
    line = next(e for e in timeline.speech() if "muscle" in e.text)
    before = next(e for e in reversed(timeline.speech()) if e.end <= line.start)
    assert spans == [(pytest.approx(max(before.end / timeline.rate, line.start / timeline.rate - 1.0), abs=0.01),
                      pytest.approx(line.end / timeline.rate + 1.0, abs=0.01))]


# ---- the recogniser is an optional extra --------------------------------------------------

def test_the_missing_extra_gives_the_install_command(write_script, project: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    write_script("good.yaml", GOOD)
    (project / "output" / "good.mp3").write_bytes(b"\xff\xfb" + bytes(400))
    monkeypatch.setitem(sys.modules, "faster_whisper", None)  # as if not installed
    monkeypatch.setattr(recogniser, "_model", None)
    result = run("check")
    assert result.exit_code == 2
    assert result.stderr.strip() == ("error: 'check' needs a speech recogniser, which is an optional extra; "
                                     "install it with: pip install 'audio-guide[check]'")
    assert "Traceback" not in result.output + result.stderr


def test_a_guide_not_built_yet_is_named_with_the_build_command(write_script) -> None:
    script = write_script("good.yaml", GOOD)
    result = run("check", str(script))
    assert result.exit_code == 2
    assert f"is not built; build it first with: audio-guide build {script}" in result.stderr


# ---- end to end: the real voice, the real recogniser ------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("check")
    (root / "scripts").mkdir()
    script = root / "scripts" / "good.yaml"
    script.write_text(GOOD.lstrip(), encoding="utf-8")
    [result] = build([script], Options(out_dir=root / "output", cache_dir=root / "cache"))
    return result


def check_json(*args: str, tmp: Path) -> tuple[int, dict]:
    report = tmp / "report.json"
    result = run("check", *args, "--json", str(report))
    return result.exit_code, json.loads(report.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_a_good_guide_passes(built, tmp_path: Path) -> None:
    # one content word: the small recogniser mishears an odd word of a fresh take now and then
    # (measured: about one take in ten); a word the voice dropped, or a line, is more than one
    code, report = check_json(str(built.guide.path), "--out", str(built.mp3.parent), "--words", "1", tmp=tmp_path)
    [guide] = report["guides"]
    assert code == 0, ([s for sentence in guide["sentences"] for s in sentence["slips"]], guide["pace"])
    assert report["ok"] is True and guide["verdict"] == {"words": True, "timings": True, "pace": True,
                                                         "loudness": True}
    assert guide["tolerances"]["content_words"] == 1
    assert len(guide["sentences"]) == len(built.timeline.speech())
    timings = [(t["kind"], t["expected"]) for t in guide["timings"]]
    assert timings == [("hold", 10.0), ("break", 3.0), ("pause", 4.0)]
    for t in guide["timings"]:  # no bed: the silence in the samples, within 50 ms
        assert t["bed"] is False and abs(t["measured"] - t["expected"]) <= 0.05, t
    planned = [e for e in built.timeline.events if e.kind in ("hold", "break", "pause")]
    for t, event in zip(guide["timings"], planned, strict=True):
        assert abs(t["at"] - event.start / built.timeline.rate) <= 0.05


@pytest.mark.slow
def test_a_mangled_word_is_flagged_at_its_word_and_time(tmp_path: Path) -> None:
    (tmp_path / "scripts").mkdir()
    script = tmp_path / "scripts" / "mangled.yaml"
    script.write_text(GOOD.lstrip() + "lexicon:\n  towel: bottle\n", encoding="utf-8")
    [result] = build([script], Options(out_dir=tmp_path / "output", cache_dir=tmp_path / "cache"))
    code, report = check_json(str(script), "--out", str(tmp_path / "output"), tmp=tmp_path)
    assert code == 1
    [guide] = report["guides"]
    slips = [s for sentence in guide["sentences"] for s in sentence["slips"] if s["content"] and s["confirmed"]]
    towel = [s for s in slips if s["word"] == "towel"]
    # the mangled word, every time; the words around it in its sentence may be heard wrong with
    # it ("lay a bottle over your calf" was once heard as "play a bottle over your cap"), and a
    # one-off slip of the small recogniser elsewhere may come too
    elsewhere = [s for sentence in guide["sentences"] if "towel" not in sentence["text"] for s in sentence["slips"]
                 if s["content"] and s["confirmed"]]
    assert len(towel) == 1 and len(elsewhere) <= 1, slips
    said = next(e for e in result.timeline.speech() if "towel" in e.text)
    start, end = said.start / result.timeline.rate, said.end / result.timeline.rate
    assert start - 0.5 <= towel[0]["at"] <= end, (towel[0], start, end)
    assert guide["verdict"]["words"] is False
    shown = run("check", str(script), "--out", str(tmp_path / "output"), "-q")
    assert f"problem: {clock(towel[0]['at'])}  misheard 'towel' (heard " in shown.output


@pytest.mark.slow
def test_two_seconds_cut_out_of_a_hold_are_flagged_with_the_measured_length(built, tmp_path: Path) -> None:
    rate = built.timeline.rate
    hold = next(e for e in built.timeline.events if e.kind == "hold")
    audio = decode_mp3(built.mp3)
    middle = hold.start + hold.length // 2
    cut = np.concatenate([audio[:middle], audio[middle + 2 * rate:]])
    out = tmp_path / "output"
    out.mkdir()
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0",
                    "-c:a", "libmp3lame", "-b:a", "96k", str(out / "good.mp3")], input=cut.tobytes(), check=True)
    code, report = check_json(str(built.guide.path), "--out", str(out), tmp=tmp_path)
    assert code == 1
    [guide] = report["guides"]
    flagged = [t for t in guide["timings"] if not t["ok"]]
    assert [(t["kind"], t["line"]) for t in flagged] == [("hold", hold.line)]
    assert abs(flagged[0]["measured"] - 8.0) <= 0.05
    # the words are the good take's (judged above); the cut is a timing fault and only that
    assert {k: v for k, v in guide["verdict"].items() if k != "words"} == {"timings": False, "pace": True,
                                                                           "loudness": True}


@pytest.mark.slow
def test_suggest_finds_a_respelling_that_is_heard_right(built) -> None:
    guide = load_script(built.guide.path)
    # the bundled voice says "warmth" so that the small recogniser hears "warm"
    found = find_respelling(guide, "Let the warmth soften the muscle.", "warmth")
    assert found is not None and found != "warmth"
    assert "warm" in found.replace("-", "")[:5] or found.startswith("w")


def test_suggest_tries_a_word_in_the_voice_its_line_is_spoken_in(write_script, monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from audio_guide.check import suggest

    path = write_script("voices.yaml", "title: V\ndescription: D\nvoice: {rate: 0.8}\nsections:\n"
                        "  - title: One\n    steps:\n      - say: Keep the leg warm.\n"
                        "  - title: Two\n    voice: {rate: 0.6}\n    steps:\n      - say: Rest the leg now.\n")
    guide = load_script(path)
    tried: list[tuple[str, float]] = []
    monkeypatch.setattr(suggest, "find_respelling",
                        lambda guide, text, word, engine=None, voice=None: tried.append((word, voice.rate)))

    def heard_wrong(text: str, line: int, word: str) -> SentenceCheck:
        return SentenceCheck(text, 0, line, 1.0, text.replace(word, "x"), (WordSlip(word, "x", 1.0, True),))
    report = SimpleNamespace(sentences=[heard_wrong("Keep the leg warm.", 7, "warm"),
                                        heard_wrong("Rest the leg now.", 11, "rest")])
    list(suggest.suggest_respellings(guide, report))
    assert tried == [("warm", 0.8), ("rest", 0.6)]


def test_a_sentence_not_heard_at_all_is_listened_to_again_where_the_plan_puts_it(write_script,
                                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # "Well done." comes after a 5 s pause and 3 s before the next line: with none of it heard,
    # it is listened to again just before the next line's words (not over the whole pause)
    timeline = plan(load_script(write_script("edges.yaml", EDGES)), None, cue_length)
    x, everything = drawn(timeline)
    heard = [w for w in everything if w.text not in ("well", "done")]
    spans: list[tuple[float, float]] = []

    def hear_span(samples: np.ndarray, start: float, end: float, language: str) -> list[recogniser.HeardWord]:
        spans.append((start, end))
        return [w for w in everything if start <= w.start and w.end <= end]

    monkeypatch.setattr(recogniser, "hear_span", hear_span)
    said = _line_up(timeline, heard, "en")
    _listen_again(said, heard, x, "en", timeline.rate)
    slips = [slip for s in said for slip in s.slips]
    assert [(s.word, s.heard, s.again, s.counts) for s in slips] == [("well", "", "well", False),
                                                                     ("done", "", "done", False)]
    line = next(e for e in timeline.speech() if e.text == "Well done.")
    following = next(w for w in heard if w.text == "now")
    end = line.end / timeline.rate + 1.0  # where the plan ends it, and a margin
    assert spans == [(pytest.approx(end - (line.end - line.start) / timeline.rate - 2.0, abs=0.01),
                      pytest.approx(end, abs=0.01))]
