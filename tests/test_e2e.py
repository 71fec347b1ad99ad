"""End to end with the real offline voice: build, decode the MP3 we wrote, listen to it.

Holds must be heard as quiet of the right length at the right time (within 50 ms), the file
must be as long as the plan says, and a speech recogniser must hear the script's words.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.audiocheck import decode_mp3, quiet_spans, transcribe, words
from support.listening import missing

from audio_guide.pipeline import Options, build
from audio_guide.script import load_script
from audio_guide.timeline import spoken_sentences

pytestmark = pytest.mark.slow

SCRIPT = """
title: Toe pull test
description: A tiny guide for the end-to-end test.
voice: {engine: piper, rate: 0.9, sentence_pause: 400ms, paragraph_pause: 800ms}
sound: {ambience: none, cue: bell, fade_out: 1s}
sections:
  - title: Stretch
    steps:
      - say: Take hold of your toes and pull them gently toward your knee.
      - hold: 4s
      - say: Now let go, and rest your leg on the bed for 3s.
      - hold: 3s
        cue: none
  - title: Warmth
    steps:
      - say: Lay a warm towel over your calf muscle.
      - pause: 2.5s
      - say: Now close your eyes and sleep well.
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("e2e")
    (root / "scripts").mkdir()
    script = root / "scripts" / "toe-pull.yaml"
    script.write_text(SCRIPT.lstrip(), encoding="utf-8")
    [result] = build([script], Options(out_dir=root / "output", cache_dir=root / "cache"))
    return result


def test_total_length_equals_the_plan(built) -> None:
    audio = decode_mp3(built.mp3)
    assert len(audio) == built.timeline.total
    assert built.timeline.estimated is False


def test_holds_and_pauses_are_quiet_for_their_exact_length(built) -> None:
    audio = decode_mp3(built.mp3)
    rate = built.timeline.rate
    spans = quiet_spans(audio, rate, threshold_db=-45.0, min_len=0.3)
    timed = [e for e in built.timeline.events if e.kind in ("hold", "pause")]
    assert [(e.kind, e.length / rate) for e in timed] == [("hold", 4.0), ("hold", 3.0), ("pause", 2.5)]
    for event in timed:
        start, end = event.start / rate, event.end / rate
        match = [s for s in spans if abs(s[0] - start) < 0.05]
        assert match, f"no quiet span starts near {start:.3f}s; spans: {spans}"
        quiet_start, quiet_end = match[0]
        assert abs(quiet_end - end) < 0.05, (event, match[0])
        assert abs((quiet_end - quiet_start) - event.length / rate) < 0.05


def test_speech_is_where_the_plan_puts_it(built) -> None:
    audio = decode_mp3(built.mp3)
    rate = built.timeline.rate
    spans = quiet_spans(audio, rate, threshold_db=-45.0, min_len=0.05)
    for event in built.timeline.speech():
        start, end = event.start / rate, event.end / rate
        quiet = sum(max(0.0, min(b, end) - max(a, start)) for a, b in spans)
        assert quiet < 0.3 * (end - start), f"speech {event.text!r} is mostly quiet ({quiet:.2f}s)"


def test_the_words_are_heard(built) -> None:
    heard = transcribe(built.mp3)
    script = load_script(built.guide.path)
    lost = missing(" ".join(spoken_sentences(script)), heard)  # "3" and "three", "light house" are the same
    # the neural voice is randomised and a small recogniser mishears short words ("leg" as
    # "light", "lay a" as "they"): a few of those are chance, a dropped sentence (8+ words) is not
    assert len(lost) <= 4, f"not heard: {lost}; heard: {heard}"
    assert len([w for w in lost if len(w) >= 4]) <= 1, f"content words not heard: {lost}; heard: {heard}"
    keys = ("toes", "knee", "towel", "calf", "sleep", "seconds")  # "3s" is spoken as "3 seconds"
    assert len(missing(" ".join(keys), heard)) <= 1, heard
    assert "3s" not in words(heard)


def test_rebuild_reuses_speech_and_is_identical(built, tmp_path: Path) -> None:
    first = built.mp3.read_bytes()
    [again] = build([built.guide.path], Options(out_dir=built.mp3.parent, cache_dir=built.mp3.parent.parent / "cache"))
    assert again.made == 0
    assert again.mp3.read_bytes() == first


def test_a_build_from_empty_caches_makes_the_same_mp3(built, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Each line has one take (the voice's noise is drawn from a seed made of the line): a build on
    another machine, or after the cache is cleared, is the same file to the byte, so a podcast
    app sees no new episode, and a take ``check`` passed stays passed."""
    monkeypatch.setenv("AUDIO_GUIDE_CACHE_DIR", str(tmp_path / "elsewhere"))  # the voice split again, too
    [again] = build([built.guide.path], Options(out_dir=tmp_path / "output", cache_dir=tmp_path / "elsewhere"))
    assert again.made == len(spoken_sentences(built.guide)) > 0
    assert again.mp3.read_bytes() == built.mp3.read_bytes()
