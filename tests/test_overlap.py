"""Two stages over a sequence, the next item's first stage beside this one's second (audio_guide.engines.overlap)."""

from __future__ import annotations

import threading

import pytest

from audio_guide.engines.overlap import overlapped


def test_the_results_come_in_order_and_the_first_stage_runs_on_one_other_thread() -> None:
    threads: set[int] = set()

    def first(item: int) -> int:
        threads.add(threading.get_ident())
        return item * 10

    assert list(overlapped(range(6), first, lambda made: made + 1)) == [1, 11, 21, 31, 41, 51]
    assert len(threads) == 1 and threading.get_ident() not in threads


def test_the_next_items_first_stage_runs_while_this_ones_second_stage_does() -> None:
    """The second stage of item 0 waits for the first stage of item 1: in turn, it would wait in vain."""
    started = threading.Event()
    seen: list[bool] = []

    def first(item: int) -> int:
        if item == 1:
            started.set()
        return item

    def then(item: int) -> int:
        if item == 0:
            seen.append(started.wait(10))
        return item

    assert list(overlapped(range(3), first, then)) == [0, 1, 2]
    assert seen == [True]


def test_a_failure_in_the_first_stage_is_raised_in_its_place_and_nothing_after_it_is_made() -> None:
    asked: list[int] = []

    def first(item: int) -> int:
        asked.append(item)
        if item == 2:
            raise ValueError("no voice for item 2")
        return item

    results = overlapped(range(6), first, lambda made: made)
    assert [next(results), next(results)] == [0, 1]
    with pytest.raises(ValueError, match="no voice for item 2"):
        next(results)
    assert asked == [0, 1, 2]


def test_leaving_early_stops_the_thread() -> None:
    asked: list[int] = []

    def first(item: int) -> int:
        asked.append(item)
        return item

    results = overlapped(range(1000), first, lambda made: made)
    assert next(results) == 0
    results.close()  # waits for the thread to end
    assert len(asked) <= 4  # the item given, the one waiting in the queue, the one being made: no more
    assert not any(t.name.startswith("overlapped") for t in threading.enumerate())
