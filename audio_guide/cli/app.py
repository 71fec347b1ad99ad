"""The ``audio-guide`` group, and the edge where the library's errors become messages and exit codes.

Every expected failure ends as one line on stderr with the documented exit status: 0
success, 1 a build failure, 2 a usage or script error, 130 interrupted. A user never sees a
traceback for a mistake of theirs or for a full disk.
"""

from __future__ import annotations

import errno
import functools
import os
import signal
import sys
from typing import Any, Callable, TypeVar

import click

from ..errors import AudioGuideError, one_line
from ..files import shown
from ..version import VERSION

F = TypeVar("F", bound=Callable[..., Any])
_NOT_ALLOWED = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})
"""Errors that say a folder may not be written: exit 2, as for bad input (a failure of the disk is 1)."""


def handle_errors(func: F) -> F:
    """Every expected failure becomes ``error: ...`` and its exit code, never a traceback."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except AudioGuideError as exc:
            click.echo(f"error: {one_line(str(exc))}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted: guides finished before the interrupt are complete; "
                       "no partial file was left in the output folder.", err=True)
            sys.exit(130)
        except OSError as exc:  # the disk, not the user's script
            where = f" ({shown(exc.filename)})" if isinstance(exc.filename, str) and exc.filename else ""
            reason = "the disk is full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
            if exc.errno in _NOT_ALLOWED:  # the machine around the build: the user's to fix, like bad input
                click.echo(one_line(f"error: {reason}{where}; no temporary file was left in the output folder. "
                                    "Check the folder's permissions, or choose another (--out, --cache-dir)."),
                           err=True)
                sys.exit(2)
            click.echo(one_line(f"error: {reason}{where}; no temporary file was left in the output folder."), err=True)
            sys.exit(1)
    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(VERSION, prog_name="audio-guide")
def cli() -> None:
    """Turn YAML scripts into narrated bedtime audio guides (MP3)."""


_MAIN_PID: int | None = None
"""The process ``main()`` ran in; the speech process and ``--jobs`` workers are forked from it."""


def _terminate(signum: int, _frame: object) -> None:
    """SIGTERM unwinds like Ctrl-C, so temporary files are removed on the way out.

    A forked helper inherits this handler. It unwinds too (its ``finally`` blocks and cleanups
    run) but with SystemExit, which multiprocessing ends quietly: a KeyboardInterrupt there,
    e.g. when the build stops the speech process as it exits, printed a traceback.
    """
    if _MAIN_PID is not None and os.getpid() != _MAIN_PID:
        raise SystemExit(128 + signum)
    raise KeyboardInterrupt


def main() -> None:
    global _MAIN_PID
    _MAIN_PID = os.getpid()
    signal.signal(signal.SIGTERM, _terminate)
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:  # e.g. started with '&' by a script: keep ignoring
        signal.signal(signal.SIGINT, _terminate)  # as Python's own in this process; quiet in forked helpers
    cli(prog_name="audio-guide")
