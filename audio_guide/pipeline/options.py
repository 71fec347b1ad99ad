"""Settings from the command line that override the scripts', checked like the scripts' own."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from .. import engines
from ..errors import UsageError
from ..script import Guide


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
    """The guide with command-line voice settings applied (validated like the script's)."""
    voice = guide.voice
    if options.engine is not None:
        if options.engine not in engines.names():
            raise UsageError(f"unknown engine '{options.engine}'; expected one of: {', '.join(engines.names())}.")
        voice = dataclasses.replace(voice, engine=options.engine, name=None)
    if options.voice is not None:
        known = engines.voice_names(voice.engine)
        if known is not None and options.voice not in known:
            raise UsageError(f"engine '{voice.engine}' has no voice '{options.voice}'; expected {engines.listing(known)}.")
        voice = dataclasses.replace(voice, name=options.voice)
    if options.rate is not None:
        if not 0.5 <= options.rate <= 2.0:
            raise UsageError(f"--rate must be between 0.5 and 2.0, got {options.rate:g}.")
        voice = dataclasses.replace(voice, rate=options.rate)
    return dataclasses.replace(guide, voice=voice)
