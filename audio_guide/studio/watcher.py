"""Watch a project and rebuild when a script, podcast.yaml or a file they name is saved.

Builds are the normal build (only what changed is made again). A failed build keeps the
watcher running: its error goes to the terminal and to the page, and the next save tries again.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import watchfiles

from ..errors import AudioGuideError
from ..pipeline import Options, Progress, build
from ..project import Project
from .server import LiveState


@dataclass
class Studio:
    """One project's watch loop. ``report`` hears a line for the terminal after each build."""

    project: Project
    options: Options
    state: LiveState
    report: Callable[[str, bool], None]
    """``report(text, is_error)``."""
    progress: Progress | None = None

    def rebuild(self) -> None:
        try:
            built = build(self.project.guides(), self.options, self.progress)
        except (AudioGuideError, OSError) as exc:  # shown, and the next save tries again
            self.state.update(str(exc))
            self.report(str(exc), True)
            return
        self.state.update(None)
        made = sum(1 for b in built if not b.skipped)
        self.report(f"{made} of {len(built)} {'guide' if len(built) == 1 else 'guides'} rebuilt; the page reloads",
                    False)

    def run(self, stop: threading.Event) -> None:
        """Build once, then after every batch of saves until ``stop`` is set."""
        self.rebuild()
        output = self.options.out_dir.resolve()

        def relevant(_change: watchfiles.Change, path: str) -> bool:
            where = Path(path)
            return not where.is_relative_to(output) and not where.name.startswith(".")
        for _changes in watchfiles.watch(self.project.root, watch_filter=relevant, stop_event=stop,
                                         debounce=300, step=100, yield_on_timeout=False):
            self.rebuild()
