"""Load -> plan -> speak -> mix -> export for each guide: the library's main entry point."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from . import engines, sounds
from .cache import SpeechCache
from .dsp import SPEECH_REF_LUFS
from .errors import UsageError
from .export import Tags, encode_mp3, tag_mp3
from .files import atomic_path
from .mix import render
from .model import HOUSE_RATE, Guide
from .plan import Timeline, plan, spoken_sentences
from .script import load_scripts
from .synth import Clips


@dataclass(frozen=True)
class Options:
    """Settings from the command line that override the scripts'."""

    out_dir: Path = Path("output")
    engine: str | None = None
    voice: str | None = None
    rate: float | None = None
    cache_dir: Path | None = None


@dataclass(frozen=True)
class Built:
    guide: Guide
    mp3: Path
    timeline: Timeline
    made: int
    """Sentences spoken for this build (the rest came from the cache)."""

    @property
    def seconds(self) -> float:
        return self.timeline.total / self.timeline.rate

    @property
    def size(self) -> int:
        return self.mp3.stat().st_size


ProgressFactory = Callable[[Guide, int], Callable[[str], None]]


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
            raise UsageError(f"engine '{voice.engine}' has no voice '{options.voice}'; expected one of: {', '.join(known)}.")
        voice = dataclasses.replace(voice, name=options.voice)
    if options.rate is not None:
        if not 0.5 <= options.rate <= 2.0:
            raise UsageError(f"--rate must be between 0.5 and 2.0, got {options.rate:g}.")
        voice = dataclasses.replace(voice, rate=options.rate)
    return dataclasses.replace(guide, voice=voice)


def timeline_for(guide: Guide, clips: Clips | None) -> Timeline:
    """Plan with real speech lengths where known (cache), estimates elsewhere."""
    return plan(guide, clips.length if clips is not None else None, sounds.cue_length)


def build_guide(guide: Guide, options: Options, cache: SpeechCache,
                progress: ProgressFactory | None = None) -> Built:
    clips = Clips(guide, cache)
    sentences = spoken_sentences(guide)
    todo = clips.missing(sentences)
    made = clips.make(todo, progress(guide, len(todo)) if progress else None)
    timeline = timeline_for(guide, clips)
    target = options.out_dir / f"{guide.slug}.mp3"
    tags = Tags(title=guide.title, artist=guide.author, album=guide.album, description=guide.description,
                genre=guide.genre, date=guide.published, language=guide.language, references=guide.references)
    with atomic_path(target) as tmp:
        encode_mp3(render(timeline, clips, guide.sound, guide.sound.loudness - SPEECH_REF_LUFS), tmp, HOUSE_RATE)
        tag_mp3(tmp, tags)
    return Built(guide, target, timeline, made)


def build(paths: Sequence[Path], options: Options, progress: ProgressFactory | None = None,
          on_built: Callable[[Built], None] | None = None) -> list[Built]:
    """Build every script; all are validated first, so a bad script writes nothing at all."""
    guides = [apply_options(g, options) for g in load_scripts(list(paths))]
    cache = SpeechCache(options.cache_dir)
    results = []
    for guide in guides:
        built = build_guide(guide, options, cache, progress)
        results.append(built)
        if on_built:
            on_built(built)
    return results
