"""Where the tool keeps its own files (the user cache folder), apart from what it builds.

Light on purpose: an up-to-date build asks where things are without loading any audio code.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

import platformdirs

CACHE_ENV: Final = "AUDIO_GUIDE_CACHE_DIR"


def cache_dir(override: Path | None = None) -> Path:
    """``override`` (``--cache-dir``), else ``$AUDIO_GUIDE_CACHE_DIR``, else the platform's user cache folder."""
    if override is not None:
        return Path(override)
    from_env = os.environ.get(CACHE_ENV)
    if from_env:
        return Path(from_env)
    return Path(platformdirs.user_cache_dir("audio-guide", appauthor=False))
