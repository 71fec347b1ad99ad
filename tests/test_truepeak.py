"""The build's true-peak meter: exact where it interpolates, right to skip where it does not.

It interpolates only the rows of samples that could hold a new peak (:mod:`audio_guide.audio.truepeak`);
these tests hold it to interpolating every sample with BS.1770's filter (numpy's convolution),
to ffmpeg's own true-peak meter on real MP3s, and to a classic inter-sample peak.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from audio_guide.audio import measure_file
from audio_guide.audio.export import encode_measured
from audio_guide.audio.truepeak import TAPS, TruePeak, to_db
from audio_guide.errors import ExportError
from audio_guide.media import ffmpeg_exe
from support.audiocheck import decode_mp3, loudness

RATE = 44100


def every_sample(x: np.ndarray) -> float:
    """The true peak by brute force: each phase of the filter over every sample (silence either side)."""
    padded = np.concatenate([np.zeros(TAPS.shape[1]), x.astype(np.float64), np.zeros(TAPS.shape[1])])
    return max(float(np.abs(padded).max()), *(float(np.abs(np.convolve(padded, phase)).max()) for phase in TAPS))


def true_peak_db(samples: np.ndarray) -> float:
    """The meter's true peak of a whole clip, dBTP."""
    meter = TruePeak()
    meter.feed(samples)
    return to_db(meter.finish())


def fed_in_pieces(x: np.ndarray, rng: np.random.Generator) -> float:
    meter = TruePeak()
    start = 0
    while start < len(x):
        size = int(rng.integers(1, 700))
        meter.feed(x[start:start + size])
        start += size
    return meter.finish()


def bursts(rng: np.random.Generator, n: int) -> np.ndarray:
    """Quiet noise with a few loud short bursts at random places: most rows are skipped, some not."""
    x = 0.001 * rng.standard_normal(n)
    for _ in range(int(rng.integers(1, 6))):
        at, width = int(rng.integers(0, n)), int(rng.integers(1, 200))
        x[at:at + width] += rng.uniform(0.05, 0.9) * rng.standard_normal(len(x[at:at + width]))
    return x.astype(np.float32)


@pytest.mark.parametrize("seed", range(12))
def test_the_peak_is_that_of_interpolating_every_sample(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = bursts(rng, int(rng.integers(1, 20000)))
    assert fed_in_pieces(x, rng) == pytest.approx(every_sample(x), rel=1e-5)


@pytest.mark.parametrize("where", ["first", "last", "alone"])
@pytest.mark.parametrize("length", range(4990, 5030, 3))
def test_a_peak_at_either_end_is_found(where: str, length: int) -> None:
    """The interpolation reaches into the silence before the first sample and after the last,
    however the stream's length falls on the meter's rows."""
    rng = np.random.default_rng(length)
    x = 0.001 * rng.standard_normal(length).astype(np.float32)
    spike = np.array([0.6, -0.7, 0.65], np.float32)
    x = {"first": np.concatenate([spike, x]), "last": np.concatenate([x, spike]), "alone": spike}[where]
    found = fed_in_pieces(x, rng)
    assert found == pytest.approx(every_sample(x), rel=1e-5)
    assert found > 0.7  # over the sample peak: the peak lies between the samples


def test_an_inter_sample_peak_is_found_between_the_samples() -> None:
    """A sine at a quarter of the rate, sampled 45 degrees off its crests: every sample is 3 dB
    under its true peak."""
    t = np.arange(RATE)
    x = (0.5 * np.sin(np.pi / 2 * t + np.pi / 4)).astype(np.float32)
    assert 20 * np.log10(np.abs(x).max()) == pytest.approx(-9.03, abs=0.01)
    assert true_peak_db(x) == pytest.approx(20 * np.log10(0.5), abs=0.1)


def test_silence_has_no_peak() -> None:
    assert true_peak_db(np.zeros(RATE, np.float32)) == float("-inf")
    assert to_db(TruePeak().finish()) == float("-inf")


def speechlike(seconds: float, seed: int = 3) -> np.ndarray:
    """Bursts of band-limited noise with pauses, peaking near -3 dBFS, as a guide's speech does."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    x = np.convolve(rng.standard_normal(n), np.hanning(9), mode="same")
    x *= (np.sin(np.arange(n) * 2 * np.pi / (1.3 * RATE)) > -0.2) * (0.5 + 0.5 * np.sin(np.arange(n) / 900.0))
    return (0.7 * x / np.abs(x).max()).astype(np.float32)


def test_the_meter_agrees_with_ffmpegs_on_an_mp3(tmp_path: Path) -> None:
    """The MP3 as written, measured while it is written and again from the file, against ffmpeg's
    own ``ebur128`` with its true peak (4x resampled by ffmpeg's resampler, a different filter)."""
    path = tmp_path / "speech.mp3"
    x = speechlike(40)
    measured = encode_measured(iter(np.array_split(x, 17)), path, RATE)
    again = measure_file(path)
    theirs = loudness(path)
    assert measured == again
    assert measured.integrated == pytest.approx(theirs["integrated_lufs"], abs=0.05)
    assert measured.lra == pytest.approx(theirs["lra_lu"], abs=0.05)
    assert measured.true_peak == pytest.approx(theirs["true_peak_dbtp"], abs=0.15)
    decoded = decode_mp3(path)
    assert measured.true_peak >= 20 * np.log10(np.abs(decoded).max()) - 1e-6
    assert measured.true_peak == pytest.approx(true_peak_db(decoded), abs=0.01)


def test_a_file_that_is_not_sound_cannot_be_measured(tmp_path: Path) -> None:
    path = tmp_path / "noise.mp3"
    path.write_bytes(b"not an mp3 at all" * 100)
    with pytest.raises(ExportError, match=r"^measuring .*noise\.mp3: ffmpeg could not measure it: "):
        measure_file(path)


def test_the_meter_reads_what_ffmpeg_decodes(tmp_path: Path) -> None:
    """The samples the meter takes are those ffmpeg decodes: a loud click placed late in a long,
    quiet file moves the peak to the click's."""
    wav = tmp_path / "click.wav"
    x = 0.01 * np.random.default_rng(5).standard_normal(RATE * 30).astype(np.float32)
    x[RATE * 29] = 0.9
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "f32le", "-ar", str(RATE), "-ac", "1", "-i", "pipe:0",
                    "-c:a", "pcm_f32le", str(wav)], input=x.tobytes(), check=True)
    assert measure_file(wav).true_peak == pytest.approx(true_peak_db(x), abs=1e-4)
    assert measure_file(wav).true_peak > -1.0


def test_a_true_peak_meter_that_fails_says_so_and_holds_nothing_up(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure inside the true-peak meter is an error in words, once ffmpeg has been read to its
    end (left unread, it would stall the encoder writing into it)."""
    from audio_guide.audio import truepeak

    def broken(_self: object, _samples: np.ndarray) -> None:
        raise MemoryError("no room")
    monkeypatch.setattr(truepeak.TruePeak, "feed", broken)
    path = tmp_path / "speech.mp3"
    with pytest.raises(ExportError, match=r"^measuring speech\.mp3: its true peak could not be measured \(no room\)\.$"):
        encode_measured(iter(np.array_split(speechlike(30), 9)), path, RATE)
