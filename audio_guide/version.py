"""The tool's version, in a module of its own so that any stage can read it without a cycle."""

from __future__ import annotations

from typing import Final

VERSION: Final = "0.1.0"
