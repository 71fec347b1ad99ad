"""The mix's loudness worked out from its parts agrees with measuring the mix itself."""

from __future__ import annotations

import wave
from pathlib import Path
from typing import Callable

import numpy as np
import pytest

from audio_guide.audio import cue_length, render_all
from audio_guide.audio.bs1770 import integrated_loudness
from audio_guide.audio.dsp import SPEECH_REF_LUFS, loudness
from audio_guide.audio.estimate import estimated_loudness
from audio_guide.script import load_script
from audio_guide.timeline import HOUSE_RATE, plan

LINES = ["Sit up slowly and reach for your foot.", "Pull your toes back toward your knee.",
         "Hold the stretch and breathe.", "Let go, and rest the leg.", "Warm the muscle with a towel."]


class Speechy:
    """Clips like prepared speech: noise in syllable-rate bursts with pauses, at the reference loudness."""

    def get(self, spoken: str, voice: object = None) -> np.ndarray:
        rng = np.random.default_rng(sum(map(ord, spoken)))
        n = int(0.09 * len(spoken) * HOUSE_RATE)
        t = np.arange(n) / HOUSE_RATE
        syllables = np.clip(np.sin(2 * np.pi * 4.0 * t), 0.0, None) ** 2
        words = (np.sin(2 * np.pi * 0.7 * t + 1.0) > -0.6).astype(np.float64)
        noise = np.cumsum(rng.standard_normal(n)) * 0.02  # weighted toward low frequencies, as a voice is
        noise -= np.convolve(noise, np.ones(400) / 400, mode="same")
        clip = (noise * syllables * words).astype(np.float32)
        return clip * np.float32(10 ** ((SPEECH_REF_LUFS - loudness(clip)) / 20))

    def length(self, spoken: str, _voice: object) -> int:
        return len(self.get(spoken))


def _script(sound: str) -> str:
    steps = "".join(f"      - say: {line}\n      - hold: {hold}\n"
                    for line, hold in zip(LINES * 3, ["20s", "4s", "45s", "2s", "30s"] * 3))
    return ("title: T\ndescription: D\nvoice: {engine: fake}\n"
            f"sound: {{{sound}}}\nsections:\n  - title: A\n    steps:\n{steps}")


def _both(write_script: Callable[[str, str], Path], sound: str) -> tuple[float, float]:
    guide = load_script(write_script("g.yaml", _script(sound)))
    clips = Speechy()
    timeline = plan(guide, clips.length, cue_length)
    mix = render_all(timeline, clips, guide.sound, gain_db=3.0)
    return estimated_loudness(timeline, clips, guide.sound, gain_db=3.0), integrated_loudness(mix, HOUSE_RATE)


@pytest.mark.parametrize("sound", [
    "ambience: none, cue: bell",
    "ambience: brown-noise, cue: bell, fade_in: 3s, fade_out: 8s",
    "ambience: waves, duck: 12dB, fade_out: 20s",
    "ambience: rain, ambience_level: -8dB, duck: 0dB, cue: none",  # the bed louder than the voice's gaps
    "ambience: pink-noise, ambience_level: -40dB, fade_in: 10s",
])
def test_the_estimate_agrees_with_measuring_the_mix(write_script, sound: str) -> None:
    estimate, measured = _both(write_script, sound)
    assert abs(estimate - measured) < 0.1, (estimate, measured)


def test_a_users_bed_whose_period_is_no_whole_number_of_steps(write_script, project: Path) -> None:
    rate, seconds = 44_100, 7.31
    rng = np.random.default_rng(7)
    t = np.arange(int(seconds * rate)) / rate
    bed = (0.2 * rng.standard_normal(len(t)) * (0.6 + 0.4 * np.sin(2 * np.pi * t / seconds)))
    with wave.open(str(project / "scripts" / "bed.wav"), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((np.clip(bed, -1, 1) * 32767).astype("<i2").tobytes())
    estimate, measured = _both(write_script, "ambience: bed.wav, ambience_level: -12dB")
    assert abs(estimate - measured) < 0.1, (estimate, measured)


def test_the_estimate_follows_the_bed(write_script) -> None:
    quiet, quiet_measured = _both(write_script, "ambience: brown-noise, ambience_level: -40dB")
    loud, loud_measured = _both(write_script, "ambience: brown-noise, ambience_level: -6dB")
    # a bed loud enough to pass the relative gate brings the quiet holds into the measure
    assert abs(loud_measured - quiet_measured) > 1.0
    assert abs((loud - quiet) - (loud_measured - quiet_measured)) < 0.1
