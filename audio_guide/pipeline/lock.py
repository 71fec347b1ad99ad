"""One build at a time per output folder: a second waits rather than interleaving files."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from filelock import FileLock


def output_lock(out_dir: Path) -> FileLock:
    """The lock for ``out_dir``, keyed by its real path and kept in a per-user folder under the
    system's temporary directory: builds with different speech caches still exclude each
    other, and the output folder holds only what is published."""
    root = Path(tempfile.gettempdir()) / f"audio-guide-locks-{os.getuid() if hasattr(os, 'getuid') else 'user'}"
    root.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256(str(out_dir.resolve()).encode("utf-8")).hexdigest()[:16]
    return FileLock(str(root / f"output-{key}.lock"))
