"""Run the command line in-process, with stdout and stderr apart, on every click release.

click 8.1 mixes stderr into stdout unless told ``mix_stderr=False``; click 8.2 removed that
argument and always keeps them apart. Tests ask for both streams the same way on either.
"""

from __future__ import annotations

import inspect

from click.testing import CliRunner, Result

from audio_guide.cli import cli


def runner() -> CliRunner:
    if "mix_stderr" in inspect.signature(CliRunner.__init__).parameters:
        return CliRunner(mix_stderr=False)  # click < 8.2
    return CliRunner()


def run(*args: str) -> Result:
    """``audio-guide ARGS...`` in this process; exceptions propagate (a traceback fails the test)."""
    return runner().invoke(cli, list(args), catch_exceptions=False)
