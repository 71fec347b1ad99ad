"""A guide's fingerprint: every word that is said counts, where it sits in the file does not."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from audio_guide.pipeline import Options, fingerprint
from audio_guide.script import load_script

SCRIPT = """
title: Fingerprints
description: A test.
voice: {engine: fake}
sections:
  - title: One
    steps:
      - say: LINE
      - hold: 2s
"""


def stamp(write_script: Callable[[str, str], Path], line: str, head: str = "") -> str:
    path = write_script("f.yaml", head + SCRIPT.replace("LINE", line))
    return fingerprint(load_script(path), Options())


def test_text_that_looks_like_a_position_still_counts(write_script: Callable[[str, str], Path]) -> None:
    # an edit of repr() that dropped "Where(...)" would also have dropped it from a say line
    assert stamp(write_script, "Read Where(a, 1, 2) aloud.") != stamp(write_script, "Read Where() aloud.")


def test_positions_do_not_count(write_script: Callable[[str, str], Path]) -> None:
    assert stamp(write_script, "Rest now.") == stamp(write_script, "Rest now.", head="# a comment\n\n")


def test_what_is_said_counts(write_script: Callable[[str, str], Path]) -> None:
    assert stamp(write_script, "Rest now.") != stamp(write_script, "Rest now!")


def test_the_path_as_typed_does_not_count(write_script: Callable[[str, str], Path], project: Path) -> None:
    path = write_script("f.yaml", SCRIPT.replace("LINE", "Rest."))
    assert fingerprint(load_script(Path("scripts/f.yaml")), Options()) == \
        fingerprint(load_script(Path("./scripts/../scripts/f.yaml")), Options()) == \
        fingerprint(load_script(path), Options())
