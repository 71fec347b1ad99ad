"""One take per line: a piper model's random draws fed from a seed made of what it speaks.

A VITS voice draws normal noise twice a run (for the sounds' lengths and for their colour), so
that, run as piper runs it, no two takes of a line are alike. That made every build a new
performance: an MP3 rebuilt from an empty cache differed from the last, and a word ``check``
heard right in one take was misheard in the next. In the split voice (:mod:`.piper_split`)
those draws are inputs, fed from a generator seeded by the run's phonemes, scales and speaker:
a line is said the same way in every build (on another processor, up to its floating-point
rounding), and a new wording, pace or voice is a new take. The noise is the model's own kind
(standard normal), so a take is one piper could have made.
"""

from __future__ import annotations

import hashlib
from typing import Any, Final

import numpy as np

NOISE: Final = "audio_guide_noise_"
"""Names of the inputs that stand for the model's random draws (``NOISE`` + its number), and of
the outputs that say how many values each needed (``NOISE`` + ``size_`` + its number)."""
NOISE_PER_PHONEME: Final = 2048
"""Noise values fed per phoneme and unit of length scale to a voice's first run: enough for the
bundled voice's 192 channels at up to ten frames a phoneme. A run that needed more is made again
with as many; later runs are fed :data:`MARGIN` times the most each draw has needed so far."""
MARGIN: Final = 1.25
"""Making the noise is a few per cent of speaking: a draw of the sounds' lengths needs two values a
phoneme, one of their colour about 400 to 700 (192 channels a frame), not the 2048 of a first guess."""


class SeededFront:
    """The part of a voice before its decoder, its draws fed from a seed (see :func:`seed_the_draws`)."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self._noises = sorted((i.name for i in session.get_inputs() if i.name.startswith(NOISE)),
                              key=lambda name: int(name[len(NOISE):]))
        self._per_phoneme = [float(NOISE_PER_PHONEME)] * len(self._noises)
        """Values each draw is fed per phoneme and unit of length scale: learned from the runs."""
        self._most = [0.0] * len(self._noises)

    def run(self, feeds: dict[str, np.ndarray]) -> np.ndarray:
        """The frames, with each random draw taken from a generator seeded by ``feeds``.

        How many values a draw takes is known only inside the run (the frames follow from the
        durations): a run is fed a guess (see :data:`MARGIN`), and says what it needed; the
        generators give the same first values whatever their length, so a run made again with
        more is the run that would have been made with enough at first."""
        if not self._noises:
            return np.asarray(self.session.run(None, feeds)[0])
        seed = _seed(feeds)
        phonemes = int(np.asarray(feeds["input"]).shape[-1]) if "input" in feeds else 1
        length_scale = float(np.asarray(feeds["scales"]).reshape(-1)[1]) if "scales" in feeds else 1.0
        reach = phonemes * max(1.0, length_scale)
        sizes = [64 + int(per * reach) for per in self._per_phoneme]
        for _attempt in range(len(self._noises) + 1):  # a draw fed too little can change what a later one needs
            noise = {name: np.random.default_rng([seed, number]).standard_normal(size, dtype=np.float32)
                     for number, (name, size) in enumerate(zip(self._noises, sizes))}
            latent, *needed = self.session.run(None, {**feeds, **noise})
            wanted = [int(np.asarray(n).reshape(-1)[0]) for n in needed]
            self._most = [max(most, want / reach) for most, want in zip(self._most, wanted)]
            self._per_phoneme = [MARGIN * most for most in self._most]
            if all(want <= size for want, size in zip(wanted, sizes)):
                return np.asarray(latent)
            sizes = [max(want, size) for want, size in zip(wanted, sizes)]
        raise ValueError("the voice's random draws needed more values than they were given")


def _seed(feeds: dict[str, np.ndarray]) -> int:
    """A generator seed from what a run speaks and how: its phonemes, scales and speaker."""
    digest = hashlib.sha256()
    for name in sorted(feeds):
        value = np.ascontiguousarray(feeds[name])
        digest.update(f"{name}:{value.dtype.str}:{value.shape}:".encode())
        digest.update(value.tobytes())
    return int.from_bytes(digest.digest()[:8], "little")


def seed_the_draws(graph: Any) -> None:
    """Make each ``RandomNormalLike`` of ``graph`` an input: ``NOISE<n>``, a flat run of values of
    which as many as the draw's shape holds are taken (zeros where it is too short), and an output
    ``NOISE`` ``size_<n>``, how many that was (see :meth:`SeededFront.run`)."""
    from onnx import TensorProto, helper

    zero, axis = f"{NOISE}zero", f"{NOISE}axis"
    graph.initializer.extend([helper.make_tensor(zero, TensorProto.INT64, [1], [0]),
                              helper.make_tensor(axis, TensorProto.INT64, [1], [0])])
    nodes = list(graph.node)
    del graph.node[:]
    draws = 0
    for node in nodes:
        if node.op_type != "RandomNormalLike":
            graph.node.append(node)
            continue
        settings = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        if settings.get("dtype", TensorProto.FLOAT) != TensorProto.FLOAT or \
                settings.get("mean", 0.0) != 0.0 or settings.get("scale", 1.0) != 1.0:
            raise ValueError(f"a random draw this code does not know: {settings}")
        name = f"{NOISE}{draws}"
        shape, size, have, short, pads, taken, padded = (f"{name}/{part}" for part in
                                                         ("shape", "size", "have", "short", "pads", "taken", "padded"))
        graph.input.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, ["values"]))
        graph.node.extend([
            helper.make_node("Shape", [node.input[0]], [shape]),
            helper.make_node("ReduceProd", [shape], [size], keepdims=1),
            helper.make_node("Shape", [name], [have]),
            helper.make_node("Sub", [size, have], [f"{short}/raw"]),
            helper.make_node("Max", [f"{short}/raw", zero], [short]),
            helper.make_node("Concat", [zero, short], [pads], axis=0),
            helper.make_node("Slice", [name, zero, size, axis], [taken]),
            helper.make_node("Pad", [taken, pads], [padded]),
            helper.make_node("Reshape", [padded, shape], [node.output[0]]),
            helper.make_node("Identity", [size], [f"{NOISE}size_{draws}"]),
        ])
        graph.output.append(helper.make_tensor_value_info(f"{NOISE}size_{draws}", TensorProto.INT64, [1]))
        draws += 1
