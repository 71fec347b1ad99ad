"""The producer's loop: rebuild what changed when a file is saved, and serve the listening page
so it reloads itself after each rebuild.

In: a project (its scripts and the files they name) and build options. Out: an HTTP server on
the loopback address serving ``output/``; ``index.html`` gets a small script that polls
``/__status`` and reloads on a new build or shows the build's error. Rooms: :mod:`.server`
(serving), :mod:`.watcher` (watching and rebuilding).
"""

from __future__ import annotations

from .server import LiveState, serve
from .watcher import Studio

__all__ = ["LiveState", "Studio", "serve"]
