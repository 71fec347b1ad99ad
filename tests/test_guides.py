"""The guides we ship, built for real with the offline voice, checked as a listener would hear them.

One build of every script in scripts/ (module fixture), then: loudness on target and true peak
under the ceiling on the MP3 as written, calm pacing, the bed audible in holds but well under
the voice, cues under the voice, no clicks at joins, lines even in loudness, tail and fade as
long as asked, and the length equal to the plan.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from support.audiocheck import decode_mp3, loudness

from audio_guide.pipeline import Built, Options, build
from audio_guide.timeline import samples

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = sorted(p for p in (ROOT / "scripts").glob("*.yaml") if p.name != "podcast.yaml")


@pytest.fixture(scope="module")
def guides(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Built, np.ndarray]]:
    out = tmp_path_factory.mktemp("guides")
    built = build(SCRIPTS, Options(out_dir=out / "output", cache_dir=out / "cache"))
    return [(b, decode_mp3(b.mp3)) for b in built]


def lufs(x: np.ndarray) -> float:
    import pyloudnorm

    return float(pyloudnorm.Meter(44100).integrated_loudness(np.asarray(x, np.float64)))


def rms_db(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(np.asarray(x, np.float64) ** 2) + 1e-20))


def test_every_script_is_built(guides) -> None:
    assert len(guides) == len(SCRIPTS) >= 3
    for built, audio in guides:
        assert len(audio) == built.timeline.total
        assert not built.timeline.estimated


def test_loudness_on_target_and_true_peak_under_ceiling(guides) -> None:
    for built, _audio in guides:
        measured = loudness(built.mp3)
        assert abs(measured["integrated_lufs"] - built.guide.sound.loudness) <= 1.0, built.guide.slug
        assert measured["true_peak_dbtp"] <= -1.5, built.guide.slug


def test_calm_pacing(guides) -> None:
    for built, _audio in guides:
        speech = built.timeline.speech()
        gaps = [e for e in built.timeline.events if e.kind == "gap"]
        words = sum(len(e.text.split()) for e in speech)
        minutes = (sum(e.length for e in speech) + sum(e.length for e in gaps)) / built.timeline.rate / 60
        assert 100 <= words / minutes <= 130, (built.guide.slug, words / minutes)
        assert built.guide.voice.rate < 1.0
        # the closing section slows toward sleep (test_voices_e2e: a rate is heard as that pace)
        closing = built.guide.voice_for(built.guide.sections[-1])
        assert closing.rate < built.guide.voice.rate, built.guide.slug
        assert {e.voice for e in speech if e.section == len(built.guide.sections) - 1} == {
            built.timeline.voices.index(closing)}


def test_lines_are_even_in_loudness(guides) -> None:
    for built, audio in guides:
        levels = [lufs(audio[e.start:e.end]) for e in built.timeline.speech() if e.length > samples(1)]
        assert max(levels) - min(levels) < 6.0, built.guide.slug
        assert np.std(levels) < 1.5, built.guide.slug


def _bed_windows(built: Built) -> list[tuple[int, int]]:
    """Stretches inside holds at least 2 s from any speech (so the bed is not ducked there)."""
    speech = built.timeline.speech()
    windows = []
    for hold in (e for e in built.timeline.events if e.kind == "hold"):
        start, end = hold.start + samples(2), hold.end - samples(1)
        cuts = sorted((s.start - samples(2), s.end + samples(2)) for s in speech if s.end > start and s.start < end)
        cursor = start
        for a, b in cuts:
            if a - cursor > samples(3):
                windows.append((cursor, a))
            cursor = max(cursor, b)
        if end - cursor > samples(3):
            windows.append((cursor, end))
    return windows


def test_bed_audible_in_holds_and_well_under_the_voice(guides) -> None:
    for built, audio in guides:
        if built.guide.sound.ambience == "none" or not _bed_windows(built):
            continue
        voice = lufs(np.concatenate([audio[e.start:e.end] for e in built.timeline.speech()]))
        for a, b in _bed_windows(built):
            bed = lufs(audio[a:b])
            assert bed > -70, (built.guide.slug, a / 44100)  # audible, not digital silence
            assert voice - bed >= 15, (built.guide.slug, voice, bed)


def test_cues_are_under_the_voice(guides) -> None:
    checked = 0
    for built, audio in guides:
        voice = lufs(np.concatenate([audio[e.start:e.end] for e in built.timeline.speech()]))
        for cue in (e for e in built.timeline.events if e.kind == "cue"):
            assert lufs(audio[cue.start:cue.end]) < voice - 3, built.guide.slug
            checked += 1
    assert checked > 0


def test_no_clicks_at_joins(guides) -> None:
    for built, audio in guides:
        jumps = np.abs(np.diff(audio))
        edge = samples(0.005)
        clips = [e for e in built.timeline.events if e.kind in ("speech", "cue")]
        inside = max(float(jumps[e.start + edge:e.end - edge].max()) for e in clips if e.length > 4 * edge)
        for e in clips:
            for at in (e.start, min(e.end, len(jumps) - 1)):
                assert float(jumps[max(0, at - edge):at + edge].max()) <= inside, (built.guide.slug, e.kind, at)


def test_tail_and_fade_last_as_long_as_asked(guides) -> None:
    for built, audio in guides:
        sound, timeline = built.guide.sound, built.timeline
        assert timeline.total - timeline.content_end - samples(sound.tail) - samples(sound.fade_out) in range(0, 47)
        fade_start = timeline.content_end + samples(sound.tail)
        if sound.ambience != "none" and sound.tail >= 4:
            tail = audio[timeline.content_end + samples(2):fade_start - samples(1)]
            fading = audio[fade_start:fade_start + samples(0.5)]
            assert abs(rms_db(tail) - rms_db(fading)) < 3.0  # the bed runs on at its level until the fade
            assert rms_db(tail) > -75
        last = audio[-samples(0.1):]
        assert rms_db(last) < -60  # it ends in silence
        # the fade takes the whole fade_out: halfway through, the level is still well above silence
        mid = fade_start + samples(sound.fade_out) // 2
        if sound.ambience != "none":
            assert rms_db(audio[mid - samples(0.2):mid + samples(0.2)]) > rms_db(last) + 20


def test_the_shipped_guides_pass_check(guides) -> None:
    """``audio-guide check`` on every shipped guide: holds, pauses and breaks as written, a calm
    pace in every section, loudness on target; and the words heard, within what the small
    recogniser mishears on a good take: none counted. The voice says each line one way, drawn from a
    seed made of the line, so the takes listened to here are the takes every build makes."""
    from audio_guide.check import check_guide

    for built, _audio in guides:
        report = check_guide(built.guide, built.mp3)
        assert report.timings_ok and report.pace_ok and report.loudness.ok, (built.guide.slug, report.problems())
        planned = [e for e in built.timeline.events if e.kind in ("hold", "pause", "break")]
        assert len(report.timings) == len(planned) and all(t.measured is not None for t in report.timings)
        assert all(100 <= p.wpm <= 130 for p in report.pace if p.judged), report.pace
        # heard slowing toward sleep: the closing section slower than the opening and than the
        # sections before it on average (its voice is slower, its sentences further apart)
        *before, closing = [p.wpm for p in report.pace if p.judged]
        assert closing < before[0] and closing < sum(before) / len(before) - 3, (built.guide.slug, report.pace)
        assert not report.content_slips, (built.guide.slug, report.problems())
        assert report.ok
