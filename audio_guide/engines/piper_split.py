"""A piper voice run in two parts, its decoder a window at a time, so that its memory stays flat.

piper's model makes a sentence's audio in one run, and its decoder (HiFi-GAN, which turns the
model's frames into samples) holds buffers that grow with the audio: about 21 MB a second for
the bundled voice, so the speech worker's peak followed the longest clause of a build. The
decoder is convolutional: a sample depends only on the frames around it, ten or so either
side. Decoded in windows of :data:`WINDOW_FRAMES` with :data:`CONTEXT_FRAMES` more on each
side, and each window's middle kept, the samples are those that decoding the whole gives, to
within 1e-6 (a test holds this), and the decoder's buffers never outgrow one window.

Measured speaking the shipped guides: the worker peaks at about 200 MB instead of 320 MB. The
context costs time (it is decoded twice): 1-second windows with 12 frames of context peaked at
189 MB and spoke about 10 % slower than these (median of four runs in turn); whole, about 20 %.

So the model is split once per voice, with onnx, into the part before the decoder and the
decoder, and the two are kept in the user cache folder under the model's digest. A model in
which the decoder is not found, or needs more than the frames (a speaker, in some
multi-speaker voices), or a cache folder that cannot be written, is run whole, as piper runs it.
In the split, the model's random draws are inputs, fed from a seed made of the line
(:mod:`.piper_takes`): one take per line.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Final, Sequence

import numpy as np

from .piper_takes import SeededFront, seed_the_draws

WINDOW_FRAMES: Final = 129
"""Frames decoded at once: 1.5 s of audio at piper's 22.05 kHz and 256 samples a frame."""
CONTEXT_FRAMES: Final = 10
"""Frames decoded beyond each side of a window and thrown away. On the bundled voice the windows
join within 1e-6 of decoding whole with 10 or more (-120 dBFS; measured 5e-7); with 4, by 0.03,
a click."""
DECODER: Final = "/dec/"
"""How piper's exported models name the decoder's nodes (VITS' ``dec`` module)."""
STALE_SECONDS: Final = 600
"""A half-made split this old was left by a process that died: a split takes a second or two."""
FORMAT: Final = 2
"""Bumped when the split files change shape, so that older ones are made again."""


class WindowedSession:
    """Stands in for the onnxruntime session piper runs: :meth:`run` gives what the whole model
    gives, with its random draws taken from the line's seed."""

    def __init__(self, front: Any, decoder: Any, frames: str, hop: int) -> None:
        self._front = SeededFront(front)
        self._decoder = decoder
        self._frames = frames
        self._hop = hop

    def run(self, _outputs: Sequence[str] | None, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        return [self.decode(self.front(feeds))]

    def front(self, feeds: dict[str, np.ndarray]) -> np.ndarray:
        """The part before the decoder: the frames ``feeds`` make (one thread at a time)."""
        return self._front.run(feeds)

    def decode(self, latent: np.ndarray) -> np.ndarray:
        """The frames' samples, a window at a time; safe beside :meth:`front` on another thread."""
        total = latent.shape[-1]
        parts: list[np.ndarray] = []
        for start in range(0, total, WINDOW_FRAMES):
            end = min(total, start + WINDOW_FRAMES)
            low, high = max(0, start - CONTEXT_FRAMES), min(total, end + CONTEXT_FRAMES)
            audio = self._decoder.run(None, {self._frames: np.ascontiguousarray(latent[..., low:high])})[0]
            if audio.shape[-1] != (high - low) * self._hop:
                raise ValueError(f"the voice's decoder made {audio.shape[-1]} samples of {high - low} frames, "
                                 f"not {self._hop} a frame")
            parts.append(audio[..., (start - low) * self._hop:(end - low) * self._hop])
        return np.concatenate(parts, axis=-1) if parts else np.zeros((1, 1, 0), np.float32)


def windowed_session(model: Path, digest: str, folder: Path, hop: int) -> WindowedSession | None:
    """The voice ``model`` (``digest``: its content's) run in two parts, split into ``folder`` on
    first use; ``None`` when it cannot be split or the split cannot be kept (then run it whole)."""
    import onnxruntime

    home = folder / f"{digest}-{FORMAT}"
    try:
        if not (home / "decoder.onnx").is_file():
            _split(model, home)
        frames = (home / "frames").read_text(encoding="utf-8")
        front, decoder = (onnxruntime.InferenceSession(str(home / name), sess_options=_options(onnxruntime, is_front),
                                                       providers=["CPUExecutionProvider"])
                          for name, is_front in (("front.onnx", True), ("decoder.onnx", False)))
    except Exception:  # noqa: BLE001 - a folder, onnx or onnxruntime that fails, in any of their ways: run it whole
        return None
    return WindowedSession(front, decoder, frames, hop)


def _options(onnxruntime: Any, front: bool) -> Any:
    """Each session's threads sleep when their run ends rather than spin, waiting for more: two
    sessions run side by side (:mod:`.overlap`), and the spinning threads of one took the cores
    from the other (a short line took 0.15 s instead of 0.08).

    The decoder runs without a memory pattern, the block onnxruntime lays out per input shape
    and keeps: its windows come in many lengths, and that saved 28 MB of the worker's peak (217
    to 189 MB speaking the shipped guides) at no cost in time.

    The front, the part before the decoder, is a chain of small operations: it runs on one
    thread (it makes the next line's frames beside the decoder, which has both cores), and
    without onnxruntime's graph optimisations, which took 0.4 s of loading the voice and gained
    nothing while speaking (measured on 40 of the shipped lines: the voice loaded and the first
    lines spoken in 0.3 to 0.4 s instead of 0.5 to 0.9, then 8.5 and 8.3 s of speaking against
    9.0 and 8.0). Its frames then differ from the optimised graph's by rounding (the samples, by
    under 2e-4), and no longer with the number of cores.
    """
    options = onnxruntime.SessionOptions()
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.enable_mem_pattern = front
    if front:
        options.intra_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
    return options


def _split(model: Path, home: Path) -> None:
    """Write ``front.onnx`` (its weights in ``front.data``), ``decoder.onnx`` and ``frames`` (the
    name of the tensor between them) into ``home``, all at once: a folder renamed into place."""
    import onnx
    from onnx import TensorProto, helper

    proto = onnx.load(str(model))
    graph = proto.graph
    frames = next((node.input[0] for node in graph.node if node.name.startswith(DECODER)), None)
    if frames is None:
        raise ValueError("no decoder in this model")
    made = {name: index for index, node in enumerate(graph.node) for name in node.output}
    weights = {tensor.name for tensor in graph.initializer}
    decoder = _needed(graph, made, [out.name for out in graph.output], stop=frames)
    outside = {name for index in decoder for name in graph.node[index].input if name} - weights - \
        {name for index in decoder for name in graph.node[index].output} - {frames}
    if outside:
        raise ValueError(f"the decoder needs more than the frames: {sorted(outside)}")
    front = set(_needed(graph, made, [frames], stop=None))
    used = {name for index in decoder for name in graph.node[index].input}
    decoder_graph = helper.make_graph(
        [graph.node[index] for index in decoder], "decoder",
        [helper.make_tensor_value_info(frames, TensorProto.FLOAT, None)], list(graph.output),
        [tensor for tensor in graph.initializer if tensor.name in used])
    decoder_model = helper.make_model(decoder_graph, opset_imports=list(proto.opset_import),
                                      ir_version=proto.ir_version)
    home.parent.mkdir(parents=True, exist_ok=True)
    for left in home.parent.glob(f".{home.name}.*"):  # a split that was killed half way, long ago
        with contextlib.suppress(OSError):
            if time.time() - left.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(left, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{home.name}.", dir=home.parent))
    try:
        onnx.save_model(decoder_model, str(staging / "decoder.onnx"))
        del decoder_model, decoder_graph
        for index in reversed(range(len(graph.node))):  # in place: the decoder's few nodes and weights go
            if index not in front:
                del graph.node[index]
        needed = {name for node in graph.node for name in node.input}
        for index in reversed(range(len(graph.initializer))):
            if graph.initializer[index].name not in needed:
                del graph.initializer[index]
        del graph.output[:]
        graph.output.append(helper.make_tensor_value_info(frames, TensorProto.FLOAT, None))
        seed_the_draws(graph)
        # the weights go to a file of their own, one tensor at a time: the model is never held twice
        onnx.save_model(proto, str(staging / "front.onnx"), save_as_external_data=True,
                        all_tensors_to_one_file=True, location="front.data", size_threshold=1024)
        (staging / "frames").write_text(frames, encoding="utf-8")
        try:
            os.rename(staging, home)
        except OSError:
            if not (home / "decoder.onnx").is_file():  # not another build's split, finished first
                raise
        digest = home.name.rsplit("-", 1)[0]
        for older in range(1, FORMAT):  # a split of an earlier shape is not used again
            shutil.rmtree(home.parent / f"{digest}-{older}", ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _needed(graph: Any, made: dict[str, int], targets: list[str], stop: str | None) -> list[int]:
    """Indices of the nodes that ``targets`` are computed from, in the graph's order, going no
    further back than the tensor ``stop``."""
    seen: set[int] = set()
    todo = [name for name in targets if name != stop]
    while todo:
        index = made.get(todo.pop())
        if index is None or index in seen:
            continue
        seen.add(index)
        todo.extend(name for name in graph.node[index].input if name and name != stop)
    return sorted(seen)
