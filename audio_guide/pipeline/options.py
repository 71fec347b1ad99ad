"""Settings from the command line that override the scripts', checked like the scripts' own."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from .. import engines
from ..errors import UsageError
from ..script import Guide, VoiceChange, voice_problem


@dataclass(frozen=True)
class Options:
    """Settings from the command line that override the scripts'."""

    out_dir: Path = Path("output")
    engine: str | None = None
    voice: str | None = None
    rate: float | None = None
    cache_dir: Path | None = None
    cover: Path | None = None
    """Cover art for guides whose script names none (the podcast's)."""
    cover_digest: str | None = None
    """Stands for ``cover``'s content when its name already says it (the podcast's cover is named
    by a digest of its content), so deciding what is up to date needs no cover file yet."""
    podcast: Path | None = None
    """The podcast config (``scripts/podcast.yaml``); without one a local feed is written."""
    publish: bool = True
    """Write the feed and the listening page after the guides."""


def apply_options(guide: Guide, options: Options) -> Guide:
    """The guide with command-line voice settings applied to its own voice, and checked like the script's.

    Sections and lines with a ``voice:`` of their own keep what they set and take the rest from
    the new voice, so every voice the guide now speaks in is checked again (installed, speaks
    the guide's language) before any speech is made.
    """
    if options.engine is None and options.voice is None and options.rate is None:
        return guide
    if options.engine is not None and options.engine not in engines.names():
        raise UsageError(f"unknown engine '{options.engine}'; expected one of: {', '.join(engines.names())}.")
    if options.rate is not None and not 0.5 <= options.rate <= 2.0:
        raise UsageError(f"--rate must be between 0.5 and 2.0, got {options.rate:g}.")
    change = VoiceChange(engine=options.engine, name=options.voice, rate=options.rate)
    changed = dataclasses.replace(guide, voice=change.apply(guide.voice))
    for voice in changed.voices():
        problem = voice_problem(voice, changed.language)
        if problem is not None:
            raise UsageError(f"{guide.path}: with the voice from the command line, {problem}")
    return changed
