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
