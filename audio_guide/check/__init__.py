"""After the build, the ear: ``check`` listens to a built guide and proves its words and timings.

A built MP3 is decoded as published and compared with its script: every sentence through a
speech recogniser (:mod:`.hear`, an optional extra), every hold, pause and break measured in
the samples (:mod:`.levels`), the pace of each section and the loudness (:mod:`.listen`);
:mod:`.report` holds the verdict and :mod:`.suggest` looks for respellings of words the voice
gets wrong. The report's vocabulary loads at once; what listens (numpy, the recogniser) loads
on first use, so ``--help`` never pays for it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .report import DEFAULT_PACE, GuideCheck, PaceCheck, SentenceCheck, TimingCheck, Tolerances, WordSlip, clock

if TYPE_CHECKING:
    from .hear import ready
    from .listen import check_guide
    from .suggest import find_respelling, suggest_respellings

__all__ = ["DEFAULT_PACE", "GuideCheck", "PaceCheck", "SentenceCheck", "TimingCheck", "Tolerances", "WordSlip",
           "check_guide", "clock", "find_respelling", "ready", "suggest_respellings"]

_WHERE = {"check_guide": "listen", "ready": "hear", "find_respelling": "suggest", "suggest_respellings": "suggest"}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
