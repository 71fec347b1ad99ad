"""Render one guide whose outputs are out of date: speak, mix, encode, and write every file together.

The MP3, transcripts, chapters, the guide's own cover and the episode record are written
to temporary files and renamed into place back to back, the record last, only when all of
them are ready: a failure leaves the previous build's files exactly as they were.
This is the pipeline's one room that loads the audio stage.
"""

from __future__ import annotations

import glob
import hashlib
from dataclasses import dataclass
from pathlib import Path

from .. import podcast
from ..audio import Clips, SpeechCache, Spoken, Tags, encode_to_target, speak_ahead, tag_mp3, timeline_for
from ..files import Staged
from ..podcast import Episode
from ..script import Guide
from ..timeline import spoken_lines
from .fingerprint import previous_gain
from .options import Options
from .progress import BuildEvent, Built, Progress


def speak_first(guides: list[Guide], options: Options, progress: Progress | None = None) -> Spoken:
    """Speak what every guide to be rendered misses, in one worker, before any is mixed (see
    :func:`~audio_guide.audio.speak_ahead`)."""
    cache = SpeechCache(options.cache_dir)

    def told(guide: Guide, done: int, total: int) -> None:
        if progress is not None:
            progress(BuildEvent("speaking", guide, done, total))
    return speak_ahead([(guide, Clips(guide, cache)) for guide in guides], told)


@dataclass
class Rendered:
    """A guide's new outputs, written beside their targets under temporary names, not yet in place.

    Guides rendered side by side are put in place in the build's order, so that a failure
    leaves exactly what a build one guide at a time would have left: those before it done,
    none after it touched.
    """

    built: Built
    staged: Staged
    cover_name: str | None

    def commit(self) -> Built:
        self.staged.commit()
        out, slug = self.built.mp3.parent, self.built.guide.slug
        for old in out.glob(f"{glob.escape(slug)}.cover*.png"):  # earlier pictures of this guide
            if old.name != self.cover_name:
                old.unlink(missing_ok=True)
        return self.built

    def discard(self) -> None:
        self.staged.discard()


def stage_guide(guide: Guide, options: Options, stamp: str, cache: SpeechCache | None = None,
                progress: Progress | None = None, spoken: int | None = None) -> Rendered:
    """Make ``guide``'s outputs for ``options.out_dir``, ready to put in place with :meth:`Rendered.commit`.

    ``stamp`` is its fingerprint, kept in the record; ``spoken``: its lines were spoken already
    by :func:`speak_first`, this many of them for it.
    """
    cache = cache if cache is not None else SpeechCache(options.cache_dir)
    clips = Clips(guide, cache)
    sentences = spoken_lines(guide)
    todo = clips.missing(sentences)
    done = 0

    def tick(_sentence: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(BuildEvent("speaking", guide, done, len(todo)))
    if progress is not None and todo:
        progress(BuildEvent("speaking", guide, 0, len(todo)))
    made = clips.make(todo, tick, isolate=True, checked=True) + (spoken or 0)
    if progress is not None:
        progress(BuildEvent("mixing", guide))
    timeline = timeline_for(guide, clips)
    out = options.out_dir
    target = out / f"{guide.slug}.mp3"
    tags = Tags(title=guide.title, artist=guide.author, album=guide.album, description=guide.description,
                genre=guide.genre, date=guide.published, language=guide.language, references=guide.references)
    chapter_list = podcast.chapters(timeline)
    cue_list = podcast.cues(timeline)
    cover = guide.cover or options.cover
    names = {kind: f"{guide.slug}{suffix}" for kind, suffix in
             (("vtt", ".vtt"), ("srt", ".srt"), ("txt", ".txt"), ("chapters", ".chapters.json"))}
    staged = Staged()
    try:
        if guide.cover is not None:  # served beside the MP3, so the feed can offer it
            picture = guide.cover.read_bytes()
            # named by its content, as the podcast's cover is: apps cache artwork by URL
            own_cover = out / f"{guide.slug}.cover-{hashlib.sha256(picture).hexdigest()[:12]}.png"
            staged.path(own_cover).write_bytes(picture)
            cover_name: str | None = own_cover.name
        else:
            cover_name = _served_name(cover, out)
        mp3 = staged.path(target)
        measured, gain = encode_to_target(timeline, clips, guide.sound, mp3, previous_gain(guide, options),
                                          cache.beds)
        tag_mp3(mp3, tags, chapter_list, cover)
        staged.text(out / names["vtt"], podcast.webvtt(cue_list))
        staged.text(out / names["srt"], podcast.srt(cue_list))
        staged.text(out / names["txt"], podcast.plain_text(guide, timeline))
        staged.text(out / names["chapters"], podcast.chapters_json(guide, chapter_list))
        episode = Episode(
            slug=guide.slug, title=guide.title, description=guide.description, author=guide.author,
            language=guide.language, mp3=target.name, size=mp3.stat().st_size,
            duration=timeline.total / timeline.rate, published=guide.published, chapters=chapter_list,
            cues=cue_list, transcript_vtt=names["vtt"], transcript_srt=names["srt"], transcript_txt=names["txt"],
            chapters_json=names["chapters"], cover=cover_name, references=guide.references,
            fingerprint=stamp, gain_db=round(gain, 3), loudness_target=guide.sound.loudness,
            season=guide.season, number=guide.episode, draft=guide.draft,
        )
        staged.text(out / f"{guide.slug}.episode.json", episode.to_json())
    except BaseException:
        staged.discard()
        raise
    return Rendered(Built(guide, target, episode, made, len(sentences) - made, False, timeline, measured),
                    staged, cover_name)


def _served_name(cover: Path | None, out: Path) -> str | None:
    """The cover as the feed will link it: only an image inside the output folder can be served."""
    if cover is None:
        return None
    try:
        return str(cover.resolve().relative_to(out.resolve()))
    except ValueError:
        return None
