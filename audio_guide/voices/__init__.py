"""piper voices beyond the bundled one: where they are, which exist, and fetching them whole.

Below the engines (the piper engine finds its model files here) and the script loader (which
checks that a named voice is installed and speaks the guide's language). Nothing here imports
numpy or onnxruntime; only :mod:`.catalogue` and :mod:`.download` reach the network (through
:mod:`.remote`, which loads ``requests`` on the first request), and only when asked to.

Rooms: :mod:`.store` (voices on this machine), :mod:`.catalogue` (piper's ``voices.json``,
kept in the user cache), :mod:`.download` (verified, all-or-nothing downloads) and
:mod:`.remote` (the repository's address, ``$AUDIO_GUIDE_VOICES_URL``, and its errors).
"""

from __future__ import annotations

from .catalogue import (LIST_ALL, Catalogue, CatalogueFile, CatalogueVoice, cached, fetch, for_language, kept_path,
                        language_key, load)
from .download import Progress, command_for, download, install, resolve
from .remote import REFRESH, URL_ENV, DownloadError, DownloadInterrupted, base_url
from .store import (
    BUNDLED,
    VOICES_ENV,
    VoiceFacts,
    VoiceFiles,
    bundled,
    downloaded,
    facts,
    find,
    folder_of,
    from_model,
    installed,
    language_tag,
    licence,
    remove,
    voices_dir,
)

__all__ = [
    "BUNDLED", "VOICES_ENV", "VoiceFacts", "VoiceFiles", "bundled", "downloaded", "facts", "find", "folder_of",
    "from_model", "installed", "language_tag", "licence", "remove", "voices_dir",
    "LIST_ALL", "REFRESH", "URL_ENV", "Catalogue", "CatalogueFile", "CatalogueVoice", "DownloadError",
    "DownloadInterrupted", "Progress",
    "base_url", "cached", "command_for", "download", "fetch", "for_language", "install", "kept_path",
    "language_key", "load", "resolve",
]
