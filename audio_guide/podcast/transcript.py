"""Transcripts and chapter files from the rendered positions (the timeline the mix used).

Cue times are the real sample positions of each spoken sentence, so captions and chapters
line up with the audio to the millisecond.
"""

from __future__ import annotations

import json
import textwrap
from typing import Final

from ..script import Guide
from ..timeline import Timeline
from .episode import Chapter, Cue

MAX_LINE: Final = 42
"""Characters per caption line (the common subtitle guideline)."""
MAX_LINES: Final = 2


def chapters(timeline: Timeline) -> tuple[Chapter, ...]:
    rate = timeline.rate
    return tuple(Chapter(c.title, c.start / rate, c.end / rate) for c in timeline.chapters)


def cues(timeline: Timeline) -> tuple[Cue, ...]:
    """One cue per spoken sentence; a long one is split into readable parts, its time shared
    out by length, since a caption should fit in two short lines."""
    out: list[Cue] = []
    rate = timeline.rate
    for event in timeline.speech():
        parts = _split(event.text)
        total = sum(len(p) for p in parts)
        start = event.start
        for index, part in enumerate(parts):
            end = event.end if index == len(parts) - 1 else start + round(event.length * len(part) / total)
            out.append(Cue(start / rate, end / rate, part))
            start = end
    return tuple(out)


def _split(text: str) -> list[str]:
    lines = textwrap.wrap(text, MAX_LINE)
    return [" ".join(lines[i:i + MAX_LINES]) for i in range(0, len(lines), MAX_LINES)] or [text]


def _stamp(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, ms = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{ms:03d}"


def _wrapped(text: str) -> str:
    return "\n".join(textwrap.wrap(text, MAX_LINE))


def webvtt(items: tuple[Cue, ...]) -> str:
    blocks = ["WEBVTT\n"]
    for index, cue in enumerate(items, 1):
        text = _wrapped(cue.text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        blocks.append(f"{index}\n{_stamp(cue.start, '.')} --> {_stamp(cue.end, '.')}\n{text}\n")
    return "\n".join(blocks)


def srt(items: tuple[Cue, ...]) -> str:
    return "\n".join(
        f"{index}\n{_stamp(cue.start, ',')} --> {_stamp(cue.end, ',')}\n{_wrapped(cue.text)}\n"
        for index, cue in enumerate(items, 1)
    )


def plain_text(guide: Guide, timeline: Timeline) -> str:
    """Readable text: the title, then each section's words as paragraphs (one per ``say``)."""
    lines = [guide.title, "=" * len(guide.title), ""]
    by_section: dict[int, list[tuple[int | None, bool, str]]] = {}
    for event in timeline.speech():
        by_section.setdefault(event.section, []).append((event.line, event.reminder, event.text))
    for index, section in enumerate(guide.sections):
        lines += [section.title, "-" * len(section.title), ""]
        paragraph: list[str] = []
        last: tuple[int | None, bool] | None = None
        for line, reminder, text in by_section.get(index, []):
            if last is not None and (line, reminder) != last and paragraph:
                lines += [" ".join(paragraph), ""]
                paragraph = []
            paragraph.append(text)
            last = (line, reminder)
        if paragraph:
            lines += [" ".join(paragraph), ""]
    return "\n".join(lines).rstrip() + "\n"


def chapters_json(guide: Guide, items: tuple[Chapter, ...]) -> str:
    """Podcasting 2.0 JSON chapters (``application/json+chapters``), version 1.2.0."""
    return json.dumps({
        "version": "1.2.0",
        "title": guide.title,
        "author": guide.author,
        "chapters": [{"startTime": round(c.start, 3), "endTime": round(c.end, 3), "title": c.title} for c in items],
    }, indent=2, ensure_ascii=False) + "\n"
