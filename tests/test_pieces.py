"""Long sentences spoken a clause at a time: where they are cut, how the parts are joined, and
that the real voice joined that way sounds like the sentence spoken whole."""

from __future__ import annotations

import numpy as np
import pytest
from support.listening import find, tokens

from audio_guide.engines import pieces as P
from audio_guide.engines.pieces import clause_pause, join, pieces, quiet_runs, split_clauses

RATE = 22050


def test_clauses_keep_their_marks_and_drop_opening_spaces() -> None:
    assert split_clauses(list("ab, cd; ef: gh")) == [list("ab,"), list("cd;"), list("ef:"), list("gh")]
    assert split_clauses(list("abc")) == [list("abc")]


def test_a_sentence_within_the_budget_is_not_cut() -> None:
    sentence = list("aaaa, bbbb, cccc")
    assert pieces(sentence, len(sentence)) == [sentence]


def test_fewest_parts_and_the_most_even_cut() -> None:
    # clauses of 2, 10, 10, 10: greedy under 25 packs 22 + 10; the same two parts cut evenly are 12 + 20
    sentence = list("a," + "b" * 9 + "," + "c" * 9 + "," + "d" * 10)
    parts = pieces(sentence, 25)
    assert [len(p) for p in parts] == [12, 20]
    assert parts[0][-1] == ","  # every cut follows a clause mark
    assert [x for p in parts for x in p] == sentence


def test_a_part_keeps_the_sentence_s_own_spaces_between_its_clauses() -> None:
    parts = pieces(list("aa, bb, cc"), 7)
    assert ["".join(p) for p in parts] == ["aa,", "bb, cc"]


def test_a_clause_longer_than_the_budget_stays_whole() -> None:
    sentence = list("a" * 30 + ", bb")
    assert [len(p) for p in pieces(sentence, 10)] == [31, 2]
    assert pieces(list("a" * 30), 10) == [list("a" * 30)]


def _tone(seconds: float, quiet_before: float = 0.0, quiet_after: float = 0.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    body = (0.5 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    return np.concatenate([np.zeros(int(quiet_before * RATE), np.float32), body,
                           np.zeros(int(quiet_after * RATE), np.float32)])


def test_join_puts_exactly_the_pause_between_the_sounding_parts() -> None:
    pause = int(0.3 * RATE)
    first, second = _tone(1.0, 0.05, 0.2), _tone(0.5, 0.1, 0.15)
    out = join([first, second], pause, RATE)
    inside = [(a, b) for a, b in quiet_runs(out, RATE) if 0 < a and b < len(out) - RATE // 10]
    assert len(inside) == 1
    frame = int(P.FRAME_SECONDS * RATE)
    assert abs((inside[0][1] - inside[0][0]) - pause) <= 2 * frame
    # the first part's lead-in and the last part's tail are the voice's own, kept whole
    assert np.all(out[: int(0.04 * RATE)] == 0) and np.all(out[-int(0.14 * RATE):] == 0)
    assert len(out) == pytest.approx(len(first) - 0.2 * RATE + pause + len(second) - 0.1 * RATE, abs=4 * frame)


def test_join_never_clicks() -> None:
    # parts cut mid-wave at full level: the join must still move smoothly
    out = join([_tone(0.5), _tone(0.5)], int(0.2 * RATE), RATE)
    steps = np.abs(np.diff(out))
    assert steps.max() < 0.05  # a 220 Hz tone at 0.5 moves at most 0.016 a sample; a hard cut jumps up to 0.5


def test_clause_pause_is_the_median_inner_pause() -> None:
    speech = np.concatenate([_tone(0.6, 0.05), np.zeros(int(0.30 * RATE), np.float32), _tone(0.6),
                             np.zeros(int(0.40 * RATE), np.float32), _tone(0.6),
                             np.zeros(int(0.32 * RATE), np.float32), _tone(0.6, 0, 0.5)])
    assert clause_pause(speech, RATE) == pytest.approx(0.32 * RATE, abs=2 * P.FRAME_SECONDS * RATE)
    assert clause_pause(_tone(2.0), RATE) == int(0.25 * RATE)  # no inner pause: a plain default


LONG = ("When a cramp wakes you in the night, sit up slowly, reach down for your foot, "
        "and pull your toes back toward your knee, keeping the leg straight, "
        "while you breathe out and let your shoulders drop.")


@pytest.fixture(scope="module")
def engine():
    from audio_guide.engines.piper_engine import PiperEngine

    engine = PiperEngine()
    engine.synthesize(LONG, voice=None, rate=0.71, language="en")  # timed and its pause measured before runs are counted
    return engine


def _runs(engine, monkeypatch: pytest.MonkeyPatch, budget: float) -> tuple[np.ndarray, list[int]]:
    """Speak :data:`LONG` with a given piece budget; the speech and the length of each model run."""
    import audio_guide.engines.piper_engine as module

    monkeypatch.setattr(module, "PIECE_SECONDS", budget)
    loaded = engine._load(None)
    lengths: list[int] = []
    original = type(loaded).phoneme_ids_to_audio

    def counted(self, ids, config, **kwargs):
        audio = original(self, ids, config, **kwargs)
        lengths.append(len(audio))
        return audio
    monkeypatch.setattr(type(loaded), "phoneme_ids_to_audio", counted)
    speech = engine.synthesize(LONG, voice=None, rate=0.71, language="en")
    return speech.samples, list(lengths)  # a copy: a later call's runs are counted too


def test_a_long_sentence_is_made_in_runs_within_the_budget(engine, monkeypatch: pytest.MonkeyPatch) -> None:
    whole, whole_runs = _runs(engine, monkeypatch, 1000.0)
    cut, cut_runs = _runs(engine, monkeypatch, P.PIECE_SECONDS)
    assert len(whole_runs) == 1 and len(whole) / RATE > 2 * P.PIECE_SECONDS
    assert len(cut_runs) >= 3
    # each run makes at most the budget (the budget is estimated from the text, hence the margin)
    assert max(cut_runs) / RATE <= 1.25 * P.PIECE_SECONDS
    # the sentence keeps its length: the voice's own clause pause sits at each join
    assert len(cut) == pytest.approx(len(whole), rel=0.06)


def test_the_joined_sentence_keeps_its_clause_pauses(engine, monkeypatch: pytest.MonkeyPatch) -> None:
    def pauses(x: np.ndarray) -> list[float]:
        return [(b - a) / RATE for a, b in quiet_runs(x, RATE) if a > 0 and b < len(x) and b - a >= 0.2 * RATE]
    # each take's pauses vary (the voice is not deterministic), so several takes are pooled
    natural = [p for _take in range(3) for p in pauses(_runs(engine, monkeypatch, 1000.0)[0])]
    ours = []
    for _take in range(3):
        cut, runs = _runs(engine, monkeypatch, P.PIECE_SECONDS)
        ours += pauses(cut)
    assert len(runs) >= 3 and len(ours) >= 3 * (len(runs) - 1)  # a pause at every join, at least
    assert abs(float(np.median(ours)) - float(np.median(natural))) < 0.1, (ours, natural)


def test_the_joined_sentence_is_heard_whole(engine, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("faster_whisper")
    from support.audiocheck import transcribe

    cut, runs = _runs(engine, monkeypatch, P.PIECE_SECONDS)
    assert len(runs) >= 3
    heard = tokens(transcribe(cut, rate=RATE))
    lost = [find(word, heard) is None for word in tokens(LONG)]
    longest, run = 0, 0
    for gone in lost:
        run = run + 1 if gone else 0
        longest = max(longest, run)
    # the small recogniser misses the odd word here and there; a part dropped or garbled at a
    # join loses a whole clause, five words or more in a row
    assert longest <= 3 and sum(lost) <= 6, [w for w, gone in zip(tokens(LONG), lost) if gone]
