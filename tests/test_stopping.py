"""The stop that ends work on other threads when a build stops (see audio_guide.stopping)."""

from __future__ import annotations

import threading

import pytest

from audio_guide.stopping import Stop, Stopped, on_stop, stopped, stopping_with


def test_a_stop_ends_the_work_registered_under_it_and_only_while_registered() -> None:
    stop = Stop()
    ended: list[str] = []
    with stopping_with(stop):
        with on_stop(lambda: ended.append("first")):
            pass
        with on_stop(lambda: ended.append("second")):
            stopped()  # not set yet: nothing raised
            stop.set()
            assert ended == ["second"]  # the hook that left its block is not called
            with pytest.raises(Stopped):
                stopped()
        with on_stop(lambda: ended.append("late")):  # registered after the stop: ended at once
            assert ended == ["second", "late"]
    stop.set()
    assert ended == ["second", "late"]  # each hook runs once


def test_the_stop_belongs_to_the_thread_that_runs_under_it() -> None:
    stop = Stop()
    stop.set()
    seen: list[bool] = []

    def elsewhere() -> None:
        try:
            stopped()
            seen.append(False)
        except Stopped:
            seen.append(True)
    with stopping_with(stop):
        thread = threading.Thread(target=elsewhere)  # a thread of its own: no stop of its own
        thread.start()
        thread.join()
        with pytest.raises(Stopped):
            stopped()
    stopped()  # outside the block there is no stop
    assert seen == [False]
    with on_stop(lambda: seen.append(True)):  # without a stop, a hook is never called
        pass
    assert seen == [False]
