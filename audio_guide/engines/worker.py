"""The speech worker: a fresh process that holds only the voice.

It imports nothing but the engine (no scipy, no mixing code), speaks each sentence and sends
the raw samples back; the parent prepares and caches them. A neural voice needs a couple of
hundred MB while it runs, and all of it goes away with this process.
"""

from __future__ import annotations

import signal
import sys
from multiprocessing.connection import Connection
from typing import Generator

from ..errors import AudioGuideError
from . import Engine, EngineInfo, Item, Speech, get, names, register


def speak(info: EngineInfo, items: list[Item], conn: Connection) -> None:
    """Entry point of the worker process: ``("speech", index, bytes, rate)`` per item, then
    ``("ok",)``, or one ``("error", message)``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    try:
        if info.name not in names():
            register(info)  # an engine registered at run time (a plugin, a test) in the parent
        spoken = _spoken(get(info.name), items)
        try:
            for index in range(len(items)):
                try:
                    speech = next(spoken)
                except AudioGuideError:
                    raise
                except Exception as exc:  # noqa: BLE001 - an engine's own failure (network, model), in words
                    conn.send(("error", f"the {info.name} engine failed: {exc}"))
                    return
                samples = speech.samples.astype("<f4", copy=False)
                conn.send(("speech", index, samples.tobytes(), speech.rate))
        finally:
            spoken.close()
        conn.send(("ok",))
    except AudioGuideError as exc:
        conn.send(("error", str(exc)))
    except Exception as exc:  # noqa: BLE001
        conn.send(("error", f"the {info.name} engine failed: {exc}"))
    finally:
        conn.close()


def _spoken(engine: Engine, items: list[Item]) -> Generator[Speech, None, None]:
    """The items spoken in order: a line ahead where the engine can (piper's ``synthesize_many``)."""
    many = getattr(engine, "synthesize_many", None)
    if many is not None:
        yield from many(items)
        return
    for text, voice, speaker, rate, language in items:
        yield engine.synthesize(text, voice=voice, rate=rate, language=language, speaker=speaker)


def main() -> None:
    """``python -m audio_guide.engines.worker READ_FD WRITE_FD``: the job arrives as one
    message on READ_FD, replies go to WRITE_FD. Started as a plain subprocess, so it never
    imports the caller's ``__main__`` (as multiprocessing's spawn would)."""
    read_fd, write_fd = int(sys.argv[1]), int(sys.argv[2])
    inbox, outbox = Connection(read_fd, writable=False), Connection(write_fd, readable=False)
    info, items = inbox.recv()
    inbox.close()
    speak(info, items, outbox)


if __name__ == "__main__":
    main()
