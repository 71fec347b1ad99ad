"""What two guides rendered at once share is made once (audio_guide.audio.shared)."""

from __future__ import annotations

import threading
import time

from audio_guide.audio.shared import made_once


def test_two_threads_asking_at_once_make_it_once() -> None:
    made: list[str] = []

    @made_once(2)
    def bed(name: str) -> str:
        made.append(name)
        time.sleep(0.2)  # long enough that the second thread asks while the first is making it
        return name.upper()

    got: list[str] = []
    threads = [threading.Thread(target=lambda: got.append(bed("brown"))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert got == ["BROWN", "BROWN"] and made == ["brown"]
    bed("pink"), bed("rain"), bed("brown")  # only two are kept: brown was the oldest
    assert made == ["brown", "pink", "rain", "brown"]


def test_two_threads_asking_for_different_results_make_them_at_once() -> None:
    """Two guides with different beds: neither waits for the other's to be made."""
    inside = threading.Barrier(2, timeout=5)  # passed only if both are being made at the same time

    @made_once(2)
    def bed(name: str) -> str:
        inside.wait()
        return name.upper()

    got: list[str] = []
    threads = [threading.Thread(target=lambda name=name: got.append(bed(name))) for name in ("brown", "rain")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(got) == ["BROWN", "RAIN"]
