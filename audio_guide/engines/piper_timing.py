"""What timing a piper voice taught us, kept on disk: its pace and comma pause, and the length
scale for each rate.

Finding them speaks the calibration text a few times (about 0.4 s for the profile and 0.6 s
for each rate), in every build and every preview that uses the voice. They depend only on the
model, the speaker, piper and the calibration itself, and are found without randomness, so
they are kept in the cache folder beside the voice's split, in a file whose name carries all
of that. A file that is missing, unreadable or odd is found again and written again; a cache
folder that cannot be written costs only the time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
from pathlib import Path
from typing import Final

from ..files import write_text

FORMAT: Final = 1
"""Bumped when what is kept, or how it is found, changes."""


class TimingFile:
    """The figures found for one voice model under one way of finding them (``recipe``)."""

    def __init__(self, folder: Path, digest: str, recipe: str) -> None:
        key = hashlib.sha256(f"{FORMAT}\n{recipe}".encode()).hexdigest()[:12]
        self.path = folder / f"{digest}-timing-{key}.json"
        self._kept: dict[str, list[float]] = self._read()

    def get(self, name: str, size: int) -> list[float] | None:
        """The ``size`` figures kept under ``name``, or ``None``."""
        figures = self._kept.get(name)
        return figures if figures is not None and len(figures) == size else None

    def put(self, name: str, figures: list[float]) -> None:
        """Keep ``figures`` under ``name``, with whatever another build kept meanwhile."""
        self._kept = {**self._read(), **self._kept, name: figures}
        with contextlib.suppress(OSError):  # a cache folder that cannot be written: found again next time
            write_text(self.path, json.dumps(self._kept, indent=1, sort_keys=True))

    def _read(self) -> dict[str, list[float]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {name: [float(x) for x in figures] for name, figures in data.items()
                if isinstance(figures, list) and figures
                and all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) and x >= 0
                        for x in figures)}
