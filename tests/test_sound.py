"""Beds, ducking, cues and levels in the mixer (fast: fake clips, no speech engine)."""

from __future__ import annotations

import wave
from pathlib import Path
from typing import Callable

import numpy as np
import pytest

from audio_guide.audio import Bed, cue_length, cue_sound, render_all
from audio_guide.audio.dsp import SPEECH_REF_LUFS, loudness
from audio_guide.script import BUILTIN_BEDS, BUILTIN_CUES, load_script
from audio_guide.timeline import HOUSE_RATE, plan, samples

RATE = HOUSE_RATE


class Zeros:
    """Speech clips of silence: the mix is then the bed alone, with the ducking still applied."""

    def __init__(self, length: int) -> None:
        self.length = length

    def get(self, spoken: str, voice: object = None) -> np.ndarray:
        return np.zeros(self.length, dtype=np.float32)


def rms_db(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(np.asarray(x, np.float64) ** 2)))


@pytest.mark.parametrize("name", BUILTIN_BEDS)
def test_builtin_bed_is_block_independent_and_steady(name: str) -> None:
    whole = Bed(name).read(RATE * 20)
    bed = Bed(name)
    pieces = np.concatenate([bed.read(n) for n in (1, 999, 4410, 12345, RATE * 20 - 1 - 999 - 4410 - 12345)])
    np.testing.assert_allclose(pieces, whole, rtol=1e-5, atol=1e-6)  # no seam where blocks meet
    # calibrated to 0 LUFS, and level over time stays within a few dB (no drift, no dropouts)
    assert abs(loudness(whole)) < (1.0 if name == "waves" else 0.5)  # waves swell over 90 s
    levels = [rms_db(whole[i:i + RATE]) for i in range(0, len(whole), RATE)]
    assert max(levels) - min(levels) < (13.0 if name == "waves" else 2.0)


@pytest.fixture
def no_beds_in_memory():
    """Beds made in this process are kept in memory: each test starts without them."""
    from audio_guide.audio import sounds

    sounds._builtin_loop.cache_clear()
    yield sounds
    sounds._builtin_loop.cache_clear()


def test_a_builtin_bed_is_kept_once_made_and_read_back_after(tmp_path: Path, no_beds_in_memory,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    sounds, kept = no_beds_in_memory, tmp_path / "beds"
    made = Bed("rain", RATE, kept).period.copy()
    assert [p.name for p in kept.iterdir()] == [f"rain-{RATE}-{sounds.BED_FORMAT}.clip"]
    sounds._builtin_loop.cache_clear()

    def never(*_args: object) -> np.ndarray:
        raise AssertionError("the bed was made again")
    with monkeypatch.context() as patched:
        patched.setattr(sounds, "_made_loop", never)
        read = Bed("rain", RATE, kept).period
    np.testing.assert_array_equal(read, made)
    sounds._builtin_loop.cache_clear()
    np.testing.assert_array_equal(Bed("rain", RATE).period, made)  # the bed as made with no folder


def test_a_damaged_kept_bed_is_made_again_and_replaced(tmp_path: Path, no_beds_in_memory) -> None:
    sounds, kept = no_beds_in_memory, tmp_path / "beds"
    good = Bed("pink-noise", RATE, kept).period.copy()
    [path] = kept.iterdir()
    damaged = bytearray(path.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    path.write_bytes(bytes(damaged))
    sounds._builtin_loop.cache_clear()
    np.testing.assert_array_equal(Bed("pink-noise", RATE, kept).period, good)
    assert path.read_bytes() != bytes(damaged)  # made again, and kept in its place


def test_a_bed_folder_that_cannot_be_made_only_means_the_bed_is_made_each_time(tmp_path: Path,
                                                                               no_beds_in_memory) -> None:
    sounds = no_beds_in_memory
    (tmp_path / "file").write_text("in the way", encoding="utf-8")
    bed = Bed("brown-noise", RATE, tmp_path / "file" / "beds")
    assert len(bed.period) == sounds.BED_LOOP * RATE
    sounds._builtin_loop.cache_clear()
    np.testing.assert_array_equal(bed.period, Bed("brown-noise", RATE).period)


def _write_wav(path: Path, samples: np.ndarray) -> None:
    with wave.open(str(path), "wb") as fh:
        fh.setnchannels(1)
        fh.setsampwidth(2)
        fh.setframerate(RATE)
        fh.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())


def test_user_bed_loops_without_a_seam(tmp_path: Path) -> None:
    # 2.3 s of a 437 Hz tone: a naive loop would jump where the end meets the start
    t = np.arange(int(2.3 * RATE)) / RATE
    tone = 0.5 * np.sin(2 * np.pi * 437 * t + 0.7)
    _write_wav(tmp_path / "hum.wav", tone)
    naive_jump = abs(tone[0] - tone[-1])
    inside = np.max(np.abs(np.diff(tone)))
    assert naive_jump > 2 * inside  # the file really has a seam to hide
    bed = Bed(str(tmp_path / "hum.wav"))
    out = bed.read(RATE * 10)
    jumps = np.abs(np.diff(out))
    scale = np.max(np.abs(out)) / 0.5  # the bed's calibration gain on the 0.5-amplitude tone
    assert jumps.max() <= 1.25 * inside * scale
    assert abs(loudness(out)) < 1.0


def test_too_short_user_bed_is_a_clear_error(tmp_path: Path) -> None:
    from audio_guide.errors import ExportError

    _write_wav(tmp_path / "blip.wav", np.full(400, 0.1))
    with pytest.raises(ExportError, match="too short to loop"):
        Bed(str(tmp_path / "blip.wav"))


@pytest.fixture
def bed_guide(write_script: Callable[[str, str], Path]):
    return load_script(write_script("g.yaml", """
        title: T
        description: D
        voice: {engine: fake}
        sound: {ambience: pink-noise, ambience_level: -24 dB, duck: 9 dB, fade_in: 2s, fade_out: 3s, tail: 10s}
        sections:
          - title: S
            steps:
              - say: Stretch now.
              - hold: 20s
              - say: Goodnight.
    """))


def test_bed_level_ducking_and_fades(bed_guide) -> None:
    speech = samples(8)
    timeline = plan(bed_guide, lambda _t, _v: speech, cue_length)
    mix = render_all(timeline, Zeros(speech), bed_guide.sound)
    first = timeline.speech()[0]
    hold = next(e for e in timeline.events if e.kind == "hold")
    under_speech = mix[first.start + samples(2):first.end - samples(2)]
    in_hold = mix[hold.start + samples(3):hold.end - samples(3)]
    # the bed sits at ambience_level relative to the voice's reference loudness, in the hold
    assert abs(loudness(in_hold) - (SPEECH_REF_LUFS - 24)) < 1.0
    # and dips by exactly `duck` under speech
    assert abs((rms_db(in_hold) - rms_db(under_speech)) - 9.0) < 0.5
    # fade-in: quiet at the start, full by 2 s
    assert rms_db(mix[:samples(0.1)]) < rms_db(in_hold) - 20
    # the tail runs 10 s after the last event at the bed's level, then the 3 s fade ends in silence
    tail = mix[timeline.content_end + samples(1):timeline.content_end + samples(9)]
    assert abs(rms_db(tail) - rms_db(in_hold)) < 1.0
    assert timeline.total - timeline.content_end == samples(13)
    fade = mix[timeline.total - samples(3):]
    assert rms_db(fade[:samples(0.3)]) > rms_db(fade[-samples(0.3):]) + 20
    assert abs(mix[-1]) < 1e-4


def test_ducking_moves_smoothly(bed_guide) -> None:
    speech = samples(8)
    timeline = plan(bed_guide, lambda _t, _v: speech, cue_length)
    mix = render_all(timeline, Zeros(speech), bed_guide.sound)
    inside = np.max(np.abs(np.diff(mix[samples(3):samples(5)])))
    first = timeline.speech()[0]
    edge = mix[first.start - samples(1):first.start + samples(1)]
    assert np.max(np.abs(np.diff(edge))) <= 1.2 * inside  # no step where the duck begins


@pytest.mark.parametrize("name", BUILTIN_CUES)
def test_builtin_cues_are_soft_and_below_the_voice(name: str, write_script: Callable[[str, str], Path]) -> None:
    cue = cue_sound(name)
    attack = np.argmax(np.abs(cue) > 0.5)
    assert attack > int(0.005 * RATE)  # no instant transient: at least 5 ms to reach half level
    assert abs(cue[0]) < 1e-3 and abs(cue[-1]) < 1e-3
    guide = load_script(write_script("c.yaml", f"""
        title: T
        description: D
        voice: {{engine: fake}}
        sound: {{ambience: none, cue: {name}, fade_out: 0s}}
        sections:
          - title: S
            steps:
              - say: Hold.
              - hold: 2s
    """))
    timeline = plan(guide, lambda _t, _v: samples(1), cue_length)
    mix = render_all(timeline, Zeros(samples(1)), guide.sound)
    played = next(e for e in timeline.events if e.kind == "cue")
    level = loudness(mix[played.start:played.end])
    assert SPEECH_REF_LUFS - 14 < level < SPEECH_REF_LUFS - 5


def test_user_cue_file_is_faded_and_levelled(tmp_path: Path, write_script: Callable[[str, str], Path],
                                             project: Path) -> None:
    # a square-ish buzz that starts and stops at full level: it must not click in the mix
    t = np.arange(int(0.8 * RATE)) / RATE
    _write_wav(project / "scripts" / "ding.wav", 0.9 * np.sign(np.sin(2 * np.pi * 300 * t)))
    guide = load_script(write_script("c.yaml", """
        title: T
        description: D
        voice: {engine: fake}
        sound: {ambience: none, cue: ding.wav, fade_out: 0s}
        sections:
          - title: S
            steps:
              - say: Hold.
              - hold: 2s
              - cue: none
    """))
    timeline = plan(guide, lambda _t, _v: samples(1), cue_length)
    played = [e for e in timeline.events if e.kind == "cue"]
    assert len(played) == 1 and played[0].length == int(0.8 * RATE)
    mix = render_all(timeline, Zeros(samples(1)), guide.sound)
    assert abs(mix[played[0].start]) < 1e-3 and abs(mix[played[0].end - 1]) < 1e-3
    assert loudness(mix[played[0].start:played[0].end]) < SPEECH_REF_LUFS - 5
