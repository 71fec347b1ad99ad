"""Where the tool keeps its own files (the user cache folder), apart from what it builds.

Light on purpose: an up-to-date build asks where things are without loading any audio code,
and asking writes nothing. A service account whose home folder is missing or unwritable
still gets a working cache (a private folder under the system's temporary folder) instead
of a "Permission denied" from deep inside a build.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Final

import platformdirs

from .errors import MachineError

CACHE_ENV: Final = "AUDIO_GUIDE_CACHE_DIR"
MOVE_CACHE: Final = f"choose another folder with --cache-dir DIR or {CACHE_ENV}=DIR"


def cache_dir(override: Path | None = None) -> Path:
    """``override`` (``--cache-dir``), else ``$AUDIO_GUIDE_CACHE_DIR``, else the platform's user cache folder.

    When the platform's folder cannot be made (no usable home folder), a folder of this
    user's own under the temporary folder is used; :func:`cache_fallback` says why.
    """
    chosen = _chosen(override)
    if chosen is not None:
        return chosen
    default = _platform_cache()
    return default if _can_make(default) else _private_temp_folder()


def cache_fallback(override: Path | None = None) -> str | None:
    """Why the cache is not in the home folder, in a sentence; ``None`` when it is where expected."""
    default = _platform_cache()
    if _chosen(override) is not None or _can_make(default):
        return None
    return (f"the home folder's cache ({default}) cannot be made, so a temporary one is used, which the "
            f"system may empty; to keep it, {MOVE_CACHE}.")


def _chosen(override: Path | None) -> Path | None:
    """The folder the user chose (option, then environment), if any."""
    if override is not None:
        return Path(override)
    from_env = os.environ.get(CACHE_ENV)
    return Path(from_env) if from_env else None


def _platform_cache() -> Path:
    return Path(platformdirs.user_cache_dir("audio-guide", appauthor=False))


def cache_problem(root: Path, exc: OSError) -> MachineError:
    """The error for a speech cache that cannot be used: it names the cache and how to move it."""
    reason = exc.strerror or str(exc)
    return MachineError(f"the speech cache ({root}) cannot be written ({reason}); {MOVE_CACHE}.")


def _can_make(path: Path) -> bool:
    """Whether ``path`` exists as a writable folder or could be created, without creating anything."""
    for folder in (path, *path.parents):
        try:
            mode = folder.stat().st_mode
        except FileNotFoundError:
            continue
        except OSError:
            return False
        return stat.S_ISDIR(mode) and os.access(folder, os.W_OK | os.X_OK)
    return False


def _private_temp_folder() -> Path:
    """``<tmp>/audio-guide-<uid>``: made private (0700) on first use, and refused if another user owns it.

    A shared temporary folder is writable by everyone, so a folder planted there by someone
    else (or a link) must not be trusted with clips that end up in a published MP3.
    """
    uid = os.getuid() if hasattr(os, "getuid") else 0
    folder = Path(tempfile.gettempdir()) / f"audio-guide-{uid}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
    except OSError as exc:
        raise MachineError(f"no folder for the speech cache: the home folder cannot be used and {folder} "
                           f"cannot be made ({exc.strerror}); {MOVE_CACHE}.") from None
    if not stat.S_ISDIR(info.st_mode) or (hasattr(os, "getuid") and info.st_uid != uid):
        raise MachineError(f"no folder for the speech cache: the home folder cannot be used and {folder} "
                           f"is not this user's own folder; {MOVE_CACHE}.")
    return folder / "cache"
