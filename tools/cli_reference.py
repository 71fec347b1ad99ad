"""Regenerate the CLI reference in README.md from the commands' own --help.

Run ``python tools/cli_reference.py`` after changing a command; ``tests/test_docs.py`` fails
when the README and ``--help`` disagree, so the reference never drifts.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from click.testing import CliRunner

from audio_guide.cli import cli

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- cli-reference:start -->", "<!-- cli-reference:end -->"


def commands() -> list[list[str]]:
    found: list[list[str]] = [[]]

    def walk(group, prefix: list[str]) -> None:  # type: ignore[no-untyped-def]
        for name in sorted(group.commands):
            command = group.commands[name]
            found.append(prefix + [name])
            if hasattr(command, "commands"):
                walk(command, prefix + [name])
    walk(cli, [])
    return found


def reference() -> str:
    parts = []
    for words in commands():
        text = CliRunner().invoke(cli, [*words, "--help"], prog_name="audio-guide", terminal_width=100).output
        title = " ".join(["audio-guide", *words])
        parts.append(f"### `{title}`\n\n```\n{text.rstrip()}\n```\n")
    return "\n".join(parts)


def updated(readme: str) -> str:
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    return pattern.sub(lambda _m: f"{START}\n{reference()}{END}", readme)


if __name__ == "__main__":
    text = README.read_text(encoding="utf-8")
    new = updated(text)
    if new != text:
        README.write_text(new, encoding="utf-8")
        print("README.md: CLI reference updated")
    else:
        print("README.md: CLI reference already current")
    sys.exit(0)
