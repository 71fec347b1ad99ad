"""Load -> plan -> speak -> mix -> export for each guide: the library's main entry point."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import math
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Final, Sequence

from . import __version__, engines
from .cache import SpeechCache
from .episode import Episode
from .errors import AudioGuideError, ExportError, UsageError
from .model import Guide, Sound
from .script import load_scripts

if TYPE_CHECKING:  # the audio stack is imported only when something must be rendered
    from .loudness import Loudness
    from .planner import Timeline
    from .synth import Clips


TRUE_PEAK_LIMIT: Final = -1.5
"""dBTP on the MP3 as written: Apple asks for -1, and some headroom survives decoders."""
PEAK_MARGIN: Final = 1.5
"""The limiter aims this far under the limit, since MP3 encoding adds a little peak."""
LOUDNESS_TOLERANCE: Final = 0.3
MP3_LOUDNESS_LOSS: Final = 0.4
"""LU that libmp3lame at 96 kb/s takes off (measured: 0.3-0.45), added back before encoding."""
LOUDNESS_TRIES: Final = 3
VOICE_HEADROOM: Final = 1.5
"""LU the voice may sit above the target so that pauses between lines do not pull the whole
guide under it; also the most the voice is ever lifted over the target."""


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
    podcast: Path | None = None
    """The podcast config (``scripts/podcast.yaml``); without one a local feed is written."""
    publish: bool = True
    """Write the feed and the listening page after the guides."""


@dataclass(frozen=True)
class Built:
    guide: Guide
    mp3: Path
    episode: Episode
    made: int = 0
    """Sentences spoken for this build (the rest came from the cache)."""
    skipped: bool = False
    """Nothing had changed since the last build: the outputs were left as they were."""
    timeline: "Timeline | None" = None
    loudness: "Loudness | None" = None
    """As measured on the MP3 written (``None`` when skipped)."""

    @property
    def seconds(self) -> float:
        return self.episode.duration

    @property
    def size(self) -> int:
        return self.mp3.stat().st_size


ProgressFactory = Callable[[Guide, int], Callable[[str], None]]
"""Called with a guide and how many sentences it must speak; returns a per-sentence tick."""
StageHook = Callable[[Guide, str], None]
"""Told when a guide enters a long stage (mixing and encoding), for a status line."""


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


def timeline_for(guide: Guide, clips: "Clips | None") -> "Timeline":
    """Plan with real speech lengths where known (cache), estimates elsewhere."""
    from . import sounds
    from .planner import plan

    return plan(guide, clips.length if clips is not None else None, sounds.cue_length)


def fingerprint(guide: Guide, options: Options) -> str:
    """Everything that decides a guide's outputs: the resolved script, the files it names,
    the voice's identity and the tool itself. Equal fingerprints mean equal outputs."""
    digest = hashlib.sha256()
    # positions (Where) and the path as typed do not change any output: leave them out, so a
    # comment line added at the top, or ./scripts/x.yaml for scripts/x.yaml, rebuilds nothing
    settled = dataclasses.replace(guide, path=guide.path.resolve())
    digest.update(re.sub(r"Where\([^()]*\)", "Where()", repr(settled)).encode("utf-8"))
    digest.update(engines.identity(guide.voice.engine, guide.voice.name).encode("utf-8"))
    digest.update(_tool_digest().encode("ascii"))
    for path in sorted(_referenced_files(guide, options)):  # contents only: moving the cache changes nothing
        digest.update(_file_digest(path).encode("ascii"))
    return digest.hexdigest()


def _referenced_files(guide: Guide, options: Options) -> set[Path]:
    from .model import Cue, Hold, Repeat

    found = {p for p in (guide.cover or options.cover,) if p is not None}
    for value in (guide.sound.ambience, guide.sound.cue):
        if Path(value).is_absolute():
            found.add(Path(value))

    def walk(steps: tuple[object, ...]) -> None:
        for step in steps:
            if isinstance(step, Repeat):
                walk(step.steps)
            elif isinstance(step, Cue) and Path(step.sound).is_absolute():
                found.add(Path(step.sound))
            elif isinstance(step, Hold) and step.cue and Path(step.cue).is_absolute():
                found.add(Path(step.cue))
    for section in guide.sections:
        walk(section.steps)
    return found


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


_TOOL_DIGEST: list[str] = []


def _tool_digest() -> str:
    """The version plus a digest of the package's own code, so a changed tool rebuilds."""
    if not _TOOL_DIGEST:
        digest = hashlib.sha256(__version__.encode("ascii"))
        for source in sorted(Path(__file__).parent.rglob("*.py")):
            digest.update(source.read_bytes())
        _TOOL_DIGEST.append(digest.hexdigest())
    return _TOOL_DIGEST[0]


def up_to_date(guide: Guide, options: Options, stamp: str) -> Episode | None:
    """The previous build's episode if its fingerprint matches and all its outputs are intact."""
    episode = _previous_episode(guide, options)
    if episode is None or episode.fingerprint != stamp:
        return None
    out = options.out_dir
    files = [episode.transcript_vtt, episode.transcript_srt, episode.transcript_txt, episode.chapters_json,
             *([episode.cover] if episode.cover else [])]
    if not all((out / name).is_file() for name in files):
        return None
    mp3 = out / episode.mp3
    if not mp3.is_file() or mp3.stat().st_size != episode.size:
        return None
    return episode


def build_guide(guide: Guide, options: Options, cache: SpeechCache,
                progress: ProgressFactory | None = None, force: bool = False,
                on_stage: StageHook | None = None) -> Built:
    """Build one guide, or leave it alone when nothing that decides its outputs has changed."""
    stamp = fingerprint(guide, options)
    if not force:
        previous = up_to_date(guide, options, stamp)
        if previous is not None:
            return Built(guide, options.out_dir / previous.mp3, previous, skipped=True)
    from . import transcript
    from .export import Tags, tag_mp3
    from .files import Staged
    from .planner import spoken_sentences
    from .synth import Clips

    clips = Clips(guide, cache)
    sentences = spoken_sentences(guide)
    todo = clips.missing(sentences)
    made = clips.make(todo, progress(guide, len(todo)) if progress else None, isolate=True, checked=True)
    if on_stage:
        on_stage(guide, "mixing and encoding")
    timeline = timeline_for(guide, clips)
    out = options.out_dir
    target = out / f"{guide.slug}.mp3"
    tags = Tags(title=guide.title, artist=guide.author, album=guide.album, description=guide.description,
                genre=guide.genre, date=guide.published, language=guide.language, references=guide.references)
    chapter_list = transcript.chapters(timeline)
    cue_list = transcript.cues(timeline)
    cover = guide.cover or options.cover
    names = {kind: f"{guide.slug}{suffix}" for kind, suffix in
             (("vtt", ".vtt"), ("srt", ".srt"), ("txt", ".txt"), ("chapters", ".chapters.json"))}
    with Staged() as staged:
        if guide.cover is not None:  # served beside the MP3, so the feed can offer it
            own_cover = out / f"{guide.slug}.cover.png"
            staged.path(own_cover).write_bytes(guide.cover.read_bytes())
            cover_name: str | None = own_cover.name
        else:
            cover_name = _cover_name(cover, out)
        mp3 = staged.path(target)
        measured, gain = encode_to_target(timeline, clips, guide.sound, mp3, _previous_gain(guide, options))
        tag_mp3(mp3, tags, chapter_list, cover)
        staged.text(out / names["vtt"], transcript.webvtt(cue_list))
        staged.text(out / names["srt"], transcript.srt(cue_list))
        staged.text(out / names["txt"], transcript.plain_text(guide, timeline))
        staged.text(out / names["chapters"], transcript.chapters_json(guide, chapter_list))
        episode = Episode(
            slug=guide.slug, title=guide.title, description=guide.description, author=guide.author,
            language=guide.language, mp3=target.name, size=mp3.stat().st_size,
            duration=timeline.total / timeline.rate, published=guide.published, chapters=chapter_list,
            cues=cue_list, transcript_vtt=names["vtt"], transcript_srt=names["srt"], transcript_txt=names["txt"],
            chapters_json=names["chapters"], cover=cover_name, references=guide.references,
            fingerprint=stamp, gain_db=round(gain, 3), loudness_target=guide.sound.loudness,
        )
        staged.text(out / f"{guide.slug}.episode.json", episode.to_json())
    return Built(guide, target, episode, made, False, timeline, measured)


def _previous_gain(guide: Guide, options: Options) -> float | None:
    """The gain the last build of this guide used, if it aimed at the same loudness."""
    previous = _previous_episode(guide, options)
    if previous is None or previous.loudness_target != guide.sound.loudness:
        return None
    return previous.gain_db


def _previous_episode(guide: Guide, options: Options) -> Episode | None:
    """The record the last build of this guide left, or ``None`` if there is none readable."""
    record = options.out_dir / f"{guide.slug}.episode.json"
    try:
        return Episode.from_json(record.read_text(encoding="utf-8"), str(record))
    except (OSError, AudioGuideError):
        return None


def _cover_name(cover: Path | None, out: Path) -> str | None:
    """The cover as the feed will link it: only an image inside the output folder can be served."""
    if cover is None:
        return None
    try:
        return str(cover.resolve().relative_to(out.resolve()))
    except ValueError:
        return None


def encode_to_target(timeline: "Timeline", clips: "Clips", sound: Sound, path: Path,
                     previous_gain: float | None = None) -> tuple["Loudness", float]:
    """Encode at the script's loudness target with true peak under the ceiling, measured on the MP3.

    The gain comes from the last build of this guide when there is one (a one-line edit hardly
    moves the loudness), else from measuring the mix at a first guess, limiter included. The
    MP3 is then measured as written; if the encoder pushed a peak over the ceiling or the
    level is off, it is made again with the correction (at most :data:`LOUDNESS_TRIES` times).

    The gain never lifts the voice more than :data:`VOICE_HEADROOM` over the target: a guide
    that is mostly ambience (a long sleep tail) measures quiet as a whole, and raising it to
    the target would make the voice shout and the bed roar. Such a guide ends up below the
    target, with its voice near the target. Returns the measurement and the gain used.
    """
    from .dsp import SPEECH_REF_LUFS
    from .export import encode_mp3
    from .loudness import measure_file, measure_stream
    from .mix import render

    target = sound.loudness
    ceiling = TRUE_PEAK_LIMIT - PEAK_MARGIN
    cap = target + VOICE_HEADROOM - SPEECH_REF_LUFS + MP3_LOUDNESS_LOSS
    if previous_gain is not None:
        gain = previous_gain
    else:
        guess = target - SPEECH_REF_LUFS
        before = measure_stream(render(timeline, clips, sound, guess, ceiling_db=ceiling), timeline.rate,
                                true_peak=False)
        gain = guess + (target - before.integrated) + MP3_LOUDNESS_LOSS if math.isfinite(before.integrated) else guess
    gain = min(gain, cap)
    for _attempt in range(LOUDNESS_TRIES):
        encode_mp3(render(timeline, clips, sound, gain, ceiling_db=ceiling), path, timeline.rate)
        measured = measure_file(path)
        level_ok = (not math.isfinite(measured.integrated) or abs(measured.integrated - target) <= LOUDNESS_TOLERANCE
                    or (gain >= cap - 1e-6 and measured.integrated < target))
        if level_ok and measured.true_peak <= TRUE_PEAK_LIMIT:
            return measured, gain
        if math.isfinite(measured.integrated):
            gain = min(cap, gain + target - measured.integrated)
        if measured.true_peak > TRUE_PEAK_LIMIT:
            ceiling -= measured.true_peak - TRUE_PEAK_LIMIT + 0.3
    raise ExportError(f"could not reach {target:g} LUFS with true peak under {TRUE_PEAK_LIMIT:g} dBTP "
                      f"(got {measured.integrated:.1f} LUFS, {measured.true_peak:.1f} dBTP); "
                      "try a lower sound.loudness.")


def build(paths: Sequence[Path], options: Options, progress: ProgressFactory | None = None,
          on_built: Callable[[Built], None] | None = None, *, force: bool = False, jobs: int = 1,
          on_stage: StageHook | None = None) -> list[Built]:
    """Build every script; all are validated first, so a bad script writes nothing at all.

    With ``jobs`` > 1 guides are built in that many processes (each loads its own voice);
    progress is then reported per finished guide only.
    """
    guides = [apply_options(g, options) for g in load_scripts(list(paths))]
    with _output_lock(options):
        from .files import remove_stale_parts

        remove_stale_parts(options.out_dir)  # left by a build that was killed outright
        return _build_all(guides, options, progress, on_built, force, jobs, on_stage)


def _output_lock(options: Options):  # type: ignore[no-untyped-def]
    """One build at a time per output folder: a second waits rather than interleaving files.

    The lock is keyed by the output folder's real path and kept in a per-user folder under the
    system's temporary directory: builds with different speech caches still exclude each
    other, and the output folder holds only what is published.
    """
    import os
    import tempfile

    from filelock import FileLock

    root = Path(tempfile.gettempdir()) / f"audio-guide-locks-{os.getuid() if hasattr(os, 'getuid') else 'user'}"
    root.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256(str(options.out_dir.resolve()).encode("utf-8")).hexdigest()[:16]
    return FileLock(str(root / f"output-{key}.lock"))


def _build_all(guides: list[Guide], options: Options, progress: ProgressFactory | None,
               on_built: Callable[[Built], None] | None, force: bool, jobs: int,
               on_stage: StageHook | None) -> list[Built]:
    podcast = None
    if options.publish:  # the podcast config is checked before any audio is made, too
        from .podcast import default_podcast, load_podcast, place_cover

        podcast = load_podcast(options.podcast) if options.podcast else default_podcast(options.out_dir)
    cache = SpeechCache(options.cache_dir)
    cache.sweep()
    if podcast is not None and options.cover is None:
        # drawn (or copied) into the cache for embedding; publish() puts it in the output
        # folder only once every guide has succeeded, so a failed build changes nothing there
        own = hashlib.sha256(str(options.out_dir.resolve()).encode("utf-8")).hexdigest()[:16]
        options = dataclasses.replace(options, cover=place_cover(podcast, cache.root / "covers" / own))
    results: list[Built] = []
    try:
        if jobs <= 1 or len(guides) <= 1:
            for guide in guides:
                built = build_guide(guide, options, cache, progress, force, on_stage)
                results.append(built)
                if on_built:
                    on_built(built)
        else:
            with ProcessPoolExecutor(max_workers=min(jobs, len(guides))) as pool:
                futures = [pool.submit(build_guide, guide, options, cache, None, force) for guide in guides]
                try:
                    for future in futures:
                        built = future.result()
                        results.append(built)
                        if on_built:
                            on_built(built)
                except BaseException:
                    pool.shutdown(wait=True, cancel_futures=True)  # guides already running finish whole
                    results.extend(f.result() for f in futures[len(results):]
                                   if f.done() and not f.cancelled() and f.exception() is None)
                    raise
    except BaseException:
        # guides finished before the failure are in place: keep the feed true to the files
        if podcast is not None and any(not b.skipped for b in results):
            from .podcast import publish

            with contextlib.suppress(AudioGuideError, OSError):
                publish(podcast, options.out_dir)
        raise
    if podcast is not None:
        from .podcast import publish

        publish(podcast, options.out_dir)
    return results
