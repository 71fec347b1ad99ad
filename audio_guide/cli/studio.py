"""``watch``: rebuild on save and serve the listening page, which reloads itself."""

from __future__ import annotations

import threading
from pathlib import Path

import click

from ..errors import UsageError, one_line
from ..pipeline import Options
from .app import cli, handle_errors
from .shared import CACHE_DIR_OPTION, OUT_OPTION, PODCAST_OPTION, settings


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default="a free port",
              help="Port to serve output/ on.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to serve on (the loopback address: only this machine can listen).")
@OUT_OPTION
@PODCAST_OPTION
@CACHE_DIR_OPTION
@handle_errors
def watch(port: int, host: str, out_dir: Path | None, podcast: Path | None, cache_dir: Path | None) -> None:
    """Rebuild what changed whenever a script or a file it names is saved, and serve output/.

    Open the printed address: the page reloads itself after each build and shows a build's
    error until the next save fixes it. Ctrl-C stops.
    """
    from ..studio import LiveState, Studio, serve  # watchfiles and the server: only for this command

    chosen = settings((), out_dir, podcast, need_scripts=False)
    if chosen.project is None:
        raise UsageError("no project here (no scripts/ in this folder or one above); start one with: audio-guide init")
    state = LiveState()
    try:
        server = serve(chosen.out_dir, state, host, port)
    except OSError as exc:
        raise UsageError(f"cannot serve on {host}:{port} ({exc.strerror}); choose another with --port.") from None
    address = f"http://{host}:{server.server_address[1]}/"
    click.echo(f"serving {chosen.out_dir}/ at {address}  (Ctrl-C to stop)")

    def report(text: str, is_error: bool) -> None:
        click.echo(f"error: {one_line(text)}" if is_error else text, err=is_error)

    studio = Studio(chosen.project, Options(out_dir=chosen.out_dir, cache_dir=cache_dir, podcast=chosen.config),
                    state, report)
    stop = threading.Event()
    try:
        studio.run(stop)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
    click.echo("stopped")
