"""The ``audio-guide`` command: a thin click layer over the library.

Commands parse options, call the library as any Python caller would, and print. The group
and the error edge are in :mod:`.app`; each command module registers its commands on import.
A command that renders or reads speech (``plan``, ``cache``; ``build`` for a stale guide)
loads the audio stage when it runs, so ``--help`` and ``validate`` never pay for numpy.
"""

from __future__ import annotations

from . import build, check, inspect, listen, start, studio, tools, voices
from .app import cli, main

__all__ = ["build", "check", "cli", "inspect", "listen", "main", "start", "studio", "tools", "voices"]
