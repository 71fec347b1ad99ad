"""``output/`` over HTTP for ``watch``, with a live-reload script put into the listening page.

The page in ``output/`` stays exactly what is published: the reload script is added only to
the copy this server sends, and only the loopback address is used unless asked otherwise.
"""

from __future__ import annotations

import functools
import json
import threading
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Final

STATUS_PATH: Final = "/__status"
RELOAD_SCRIPT: Final = """<script>
(function () {
  var seen = null;
  function banner(text) {
    var box = document.getElementById("audio-guide-watch-error");
    if (!box) {
      box = document.createElement("pre");
      box.id = "audio-guide-watch-error";
      box.style.cssText = "position:fixed;left:0;right:0;bottom:0;margin:0;padding:1em;white-space:pre-wrap;"
        + "background:#5a1010;color:#fff;font:14px monospace;z-index:9999";
      document.body.appendChild(box);
    }
    box.textContent = text;
    box.hidden = !text;
  }
  function poll() {
    fetch("%s", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (s) {
      if (seen !== null && s.version !== seen && !s.error) { location.reload(); return; }
      seen = s.version;
      banner(s.error ? "audio-guide watch: " + s.error : "");
    }).catch(function () {}).then(function () { setTimeout(poll, 500); });
  }
  poll();
})();
</script>
""" % STATUS_PATH


@dataclass
class LiveState:
    """What the page asks for: a build counter, and the last build's error (``None`` when it built)."""

    version: int = 0
    error: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def update(self, error: str | None) -> None:
        with self.lock:
            self.version += 1
            self.error = error

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {"version": self.version, "error": self.error}


class _Handler(SimpleHTTPRequestHandler):
    state: LiveState

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == STATUS_PATH:
            self._send(json.dumps(self.state.snapshot()).encode("utf-8"), "application/json")
        elif path in ("/", "/index.html"):
            page = Path(self.directory) / "index.html"
            try:
                text = page.read_text(encoding="utf-8")
            except OSError:  # not built yet (or the first build failed): a page that waits
                text = "<!doctype html><html><body><p>Waiting for the first build...</p></body></html>"
            self._send(text.replace("</body>", RELOAD_SCRIPT + "</body>", 1).encode("utf-8"), "text/html")
        else:
            super().do_GET()

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass  # the terminal is for builds and errors, not for every request


def serve(out_dir: Path, state: LiveState, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """A running server (on its own thread) for ``out_dir``; port 0 picks a free one."""
    out_dir.mkdir(parents=True, exist_ok=True)
    handler = functools.partial(type("Handler", (_Handler,), {"state": state}), directory=str(out_dir))
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="audio-guide-watch-server", daemon=True).start()
    return server
