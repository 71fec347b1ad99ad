"""One error root, so the CLI can turn every expected failure into a message, never a traceback.

Exit codes follow the classes: a :class:`ScriptError` (the user's input), a :class:`UsageError`
(the command line) and a :class:`MachineError` (a folder or cache the user must fix) exit 2;
every other :class:`AudioGuideError` is a build failure (exit 1).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def one_line(text: str) -> str:
    """``text`` with line breaks and other control characters written as escapes (``\\n``).

    A message is one line on a terminal and in a log, whatever a value quoted in it holds.
    """
    return "".join(_ESCAPES.get(ch) or (f"\\x{ord(ch):02x}" if unicodedata.category(ch) == "Cc" else ch)
                   for ch in text)


class AudioGuideError(Exception):
    """Root of every error the project raises on purpose."""

    exit_code: int = 1


class ScriptError(AudioGuideError):
    """A guide script (or podcast config) is not valid.

    Carries the position so the message reads like a compiler's: ``file:line:col: what``.
    Lines and columns are 1-based, as editors show them.
    """

    exit_code = 2

    def __init__(
        self,
        message: str,
        path: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = self.path or "<script>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.message}"
        if self.hint:
            text += f" {self.hint}"
        return text


class UsageError(AudioGuideError):
    """The command line asked for something that cannot be (an unknown engine, a bad option)."""

    exit_code = 2


class MachineError(AudioGuideError):
    """The machine around the build cannot be used as it is: a folder that cannot be written, no
    usable home folder. Like bad input, it is the user's to fix (a setting, a path), so exit 2."""

    exit_code = 2


class EngineError(AudioGuideError):
    """The speech engine could not make speech (no network, rate limited, voice missing)."""


class ExportError(AudioGuideError):
    """Encoding or writing the outputs failed; carries ffmpeg's own words when it was ffmpeg."""


class FeedError(AudioGuideError):
    """The podcast feed or its config could not be made."""
