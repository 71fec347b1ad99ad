"""A long sentence spoken in parts, cut at its commas, so that a neural voice's memory stays small.

piper's decoder makes a whole sentence's audio at once, and what it holds grows with that
audio: about 23 MB a second for the bundled voice at a calm pace, so a 15-second sentence
took the speech worker past 600 MB. Spoken a clause at a time, a sentence costs what its
longest part costs, and the parts are also quicker to make (the voice's attention grows
with the square of the text's length).

A part is cut only after a clause mark (comma, semicolon, colon), where a reader pauses
anyway, and keeps that mark, so the voice ends it as it ends a clause inside a sentence.
The join is then made as the voice would have made it: each part's own leading and trailing
quiet is cut and the voice's own clause pause, measured on its calibration passage, is put
between them, with short fades so that nothing clicks. Only sentences longer than the budget
are cut, into as few parts as the budget allows, as evenly as the clauses allow.
"""

from __future__ import annotations

from typing import Final, Sequence

import numpy as np

CLAUSE_MARKS: Final = frozenset(",;:")
"""Phonemes after which a sentence may be cut: the pauses espeak keeps inside a sentence."""
PIECE_SECONDS: Final = 4.0
"""The longest part, in seconds of speech, that a sentence is cut down to where its clauses allow."""
QUIET_BELOW_PEAK_DB: Final = -40.0
FRAME_SECONDS: Final = 0.010
JOIN_FADE_SECONDS: Final = 0.004


def split_clauses(phonemes: Sequence[str]) -> list[list[str]]:
    """The sentence's clauses, each ending with its mark; spaces that open a clause are dropped."""
    return [_opened(phonemes[a:b]) for a, b in _clause_spans(phonemes)]


def _clause_spans(phonemes: Sequence[str]) -> list[tuple[int, int]]:
    """``(start, end)`` of each clause: after each clause mark a new one starts."""
    spans, start = [], 0
    for index, phoneme in enumerate(phonemes):
        if phoneme in CLAUSE_MARKS:
            spans.append((start, index + 1))
            start = index + 1
    if start < len(phonemes):
        spans.append((start, len(phonemes)))
    return [(a, b) for a, b in spans if _opened(phonemes[a:b])]


def _opened(phonemes: Sequence[str]) -> list[str]:
    """``phonemes`` without the spaces before its first sound: a part starts as a sentence does."""
    start = 0
    while start < len(phonemes) and phonemes[start].isspace():
        start += 1
    return list(phonemes[start:])


def pieces(phonemes: Sequence[str], most: int) -> list[list[str]]:
    """Cut ``phonemes`` after clause marks into parts of at most ``most`` phonemes.

    As few parts as the budget allows (a clause longer than it stays whole), and of those
    cuts the one whose longest part is shortest: an even split, not a long part and a
    one-word tail. Inside a part the phonemes are the sentence's own, spaces included.
    """
    spans = _clause_spans(phonemes)
    sizes = [b - a for a, b in spans]
    if sum(sizes) <= most or len(spans) < 2:
        return [list(phonemes)]
    bounds = _even_bounds(sizes, _fewest_parts(sizes, most))
    return [_opened(phonemes[spans[a][0]:spans[b - 1][1]]) for a, b in zip(bounds, bounds[1:])]


def _fewest_parts(sizes: list[int], most: int) -> int:
    """Greedy packing, which gives the fewest consecutive groups under a cap."""
    count, filled = 1, 0
    for size in sizes:
        if filled and filled + size > most:
            count, filled = count + 1, 0
        filled += size
    return count


def _even_bounds(sizes: list[int], count: int) -> list[int]:
    """Cut points (0, ..., len(sizes)) giving ``count`` groups whose largest sum is least."""
    n = len(sizes)
    total = [0, *np.cumsum(sizes).tolist()]
    inf = float("inf")
    # worst[k][i]: the least possible largest group when the first i clauses form k groups
    worst = [[inf] * (n + 1) for _ in range(count + 1)]
    cut = [[0] * (n + 1) for _ in range(count + 1)]
    worst[0][0] = 0
    for k in range(1, count + 1):
        for i in range(k, n + 1):
            for j in range(k - 1, i):
                value = max(worst[k - 1][j], total[i] - total[j])
                if value < worst[k][i]:
                    worst[k][i], cut[k][i] = value, j
    bounds = [n]
    for k in range(count, 0, -1):
        bounds.append(cut[k][bounds[-1]])
    return bounds[::-1]


def quiet_runs(samples: np.ndarray, rate: int) -> list[tuple[int, int]]:
    """``(start, end)`` sample spans of 10 ms frames more than 40 dB under the loudest frame; a
    span that reaches the last whole frame ends at the last sample."""
    frame = max(1, int(FRAME_SECONDS * rate))
    count = len(samples) // frame
    if count == 0:
        return []
    power = np.mean(np.square(samples[: count * frame].reshape(count, frame), dtype=np.float64), axis=1)
    quiet = power < power.max() * 10 ** (QUIET_BELOW_PEAK_DB / 10)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], quiet.astype(np.int8), [0]))))
    return [(int(a) * frame, len(samples) if b == count else int(b) * frame) for a, b in zip(edges[::2], edges[1::2])]


def clause_pause(samples: np.ndarray, rate: int) -> int:
    """The voice's pause at a comma, in samples: the median quiet run of at least 120 ms inside
    a sentence spoken whole (its edges excluded), or a quarter second when it has none."""
    inside = [b - a for a, b in quiet_runs(samples, rate) if a > 0 and b < len(samples) and b - a >= 0.12 * rate]
    return int(np.median(inside)) if inside else int(0.25 * rate)


def join(parts: list[np.ndarray], pause: int, rate: int) -> np.ndarray:
    """One sentence from its parts: each part's quiet at a join cut away, ``pause`` samples of
    silence between parts, and a short fade at each cut so that no part starts or stops mid-wave."""
    if len(parts) == 1:
        return parts[0]
    fade = int(JOIN_FADE_SECONDS * rate)
    out: list[np.ndarray] = []
    for index, part in enumerate(parts):
        start, end = _sounding(part, rate)
        if index > 0:
            out.append(np.zeros(pause, dtype=np.float32))
        else:
            start = 0
        if index == len(parts) - 1:
            end = len(part)
        piece = part[start:end].astype(np.float32, copy=True)
        n = min(fade, len(piece) // 2)
        if n > 0:
            ramp = (0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, n))).astype(np.float32)
            if index > 0:
                piece[:n] *= ramp
            if index < len(parts) - 1:
                piece[-n:] *= ramp[::-1]
        out.append(piece)
    return np.concatenate(out)


def _sounding(part: np.ndarray, rate: int) -> tuple[int, int]:
    """Where the part's sound starts and ends: its quiet runs at either edge left out."""
    runs = quiet_runs(part, rate)
    start = runs[0][1] if runs and runs[0][0] == 0 else 0
    end = runs[-1][0] if runs and runs[-1][1] == len(part) else len(part)
    return start, max(end, start)
