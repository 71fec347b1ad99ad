"""Chapters in the MP3 (ID3 CHAP/CTOC, read by mutagen and by ffmpeg), chapter JSON, transcripts."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Callable

import pytest
from mutagen.id3 import ID3

from audio_guide.media import ffmpeg_exe
from audio_guide.pipeline import Options, build
from audio_guide.podcast import Episode

FRAME_MS = 1152 / 44100 * 1000

SCRIPT = """
title: Chapters & "Captions"
description: D
references:
  - "Lan & Shi, Leg cramps at night, 2020"
  - "A second source, 2021"
  - "A third source, 2022"
voice: {engine: fake, sentence_pause: 300ms}
sound: {ambience: brown-noise, fade_out: 1s, cue: chime}
sections:
  - title: Sitting up
    steps:
      - say: Sit up slowly. Straighten the leg.
      - hold: 3s
  - title: The toe pull & stretch
    steps:
      - say: Take hold of your toes and gently pull them back toward your knee, keeping the leg straight and the breath slow.
      - pause: 2s
  - title: Warmth
    steps:
      - say: Lay a warm towel <break time="1s"/> over the calf.
"""


@pytest.fixture
def built(project: Path, write_script: Callable[[str, str], Path]):
    script = write_script("caps.yaml", SCRIPT)
    [result] = build([script], Options(out_dir=project / "output"))
    return result


def test_id3_chapters_match_the_sections(built) -> None:
    tags = ID3(built.mp3)
    [toc] = tags.getall("CTOC")
    assert toc.flags & 0x01 and toc.flags & 0x02  # ordered, top level
    chaps = {c.element_id: c for c in tags.getall("CHAP")}
    ordered = [chaps[i] for i in toc.child_element_ids]
    assert [str(c.sub_frames["TIT2"]) for c in ordered] == ["Sitting up", "The toe pull & stretch", "Warmth"]
    rate = built.timeline.rate
    for chap, planned in zip(ordered, built.timeline.chapters):
        assert abs(chap.start_time - planned.start / rate * 1000) <= FRAME_MS
        assert abs(chap.end_time - planned.end / rate * 1000) <= FRAME_MS
    assert ordered[0].start_time == 0
    assert ordered[-1].end_time == round(built.timeline.total / rate * 1000)
    # the second chapter starts where its first words start
    first_words = next(e for e in built.timeline.speech() if e.section == 1)
    assert abs(ordered[1].start_time - first_words.start / rate * 1000) <= FRAME_MS


def test_ffmpeg_lists_the_chapters(built) -> None:
    probe = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(built.mp3)], capture_output=True, text=True)
    found = re.findall(r"Chapter #0:\d+: start (\d+\.\d+), end (\d+\.\d+)\s+Metadata:\s+title\s*: (.+)", probe.stderr)
    # in the order ffmpeg reads them, which is the frames' order in the file (mutagen alone would
    # write them by size: "Warmth", "Sitting up", then the long title)
    rate = built.timeline.rate
    assert [t for _s, _e, t in found] == ["Sitting up", "The toe pull & stretch", "Warmth"]
    for (start, end, _t), planned in zip(found, built.timeline.chapters):
        assert abs(float(start) - planned.start / rate) <= FRAME_MS / 1000
        assert abs(float(end) - planned.end / rate) <= FRAME_MS / 1000


def test_every_reference_is_one_whole_tag_value(built) -> None:
    """Several values in one TXXX frame are shown as the first alone by ffmpeg and most players."""
    tags = ID3(built.mp3)
    assert tags.getall("TXXX:References")[0].text == [
        "Lan & Shi, Leg cramps at night, 2020\nA second source, 2021\nA third source, 2022"]
    probe = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(built.mp3)], capture_output=True, text=True)
    shown = probe.stderr.split("Chapters:")[0]
    for reference in ("Lan & Shi, Leg cramps at night, 2020", "A second source, 2021", "A third source, 2022"):
        assert reference in shown, shown


def test_chapters_json(built) -> None:
    data = json.loads((built.mp3.parent / "caps.chapters.json").read_text())
    assert data["version"] == "1.2.0"
    assert [c["title"] for c in data["chapters"]] == ["Sitting up", "The toe pull & stretch", "Warmth"]
    rate = built.timeline.rate
    assert [c["startTime"] for c in data["chapters"]] == [round(c.start / rate, 3) for c in built.timeline.chapters]


def _vtt_cues(text: str) -> list[tuple[float, float, str]]:
    def secs(stamp: str) -> float:
        h, m, s = stamp.replace(",", ".").split(":")
        return int(h) * 3600 + int(m) * 60 + float(s)
    blocks = text.strip().split("\n\n")
    out = []
    for block in blocks[1:]:
        lines = block.splitlines()
        start, end = lines[1].split(" --> ")
        out.append((secs(start), secs(end), " ".join(lines[2:])))
    return out


def test_webvtt_and_srt_times_match_the_plan(built) -> None:
    out = built.mp3.parent
    vtt = (out / "caps.vtt").read_text()
    assert vtt.startswith("WEBVTT\n\n1\n")
    cues = _vtt_cues(vtt)
    rate = built.timeline.rate
    speech = built.timeline.speech()
    # one cue per sentence, except the long one, split into readable parts
    texts = [c[2] for c in cues]
    assert texts[:2] == ["Sit up slowly.", "Straighten the leg."]
    assert texts[-2:] == ["Lay a warm towel", "over the calf."]
    long_parts = [c for c in cues if c[2] not in [e.text for e in speech]]
    assert len(long_parts) >= 2 and all(len(t) <= 84 for _a, _b, t in long_parts)
    whole = {e.text: e for e in speech}
    for start, end, text in cues:
        if text in whole:
            assert abs(start - whole[text].start / rate) < 0.0005 and abs(end - whole[text].end / rate) < 0.0005
    long_event = next(e for e in speech if e.text.startswith("Take hold"))
    assert abs(long_parts[0][0] - long_event.start / rate) < 0.0005
    assert abs(long_parts[-1][1] - long_event.end / rate) < 0.0005
    srt = (out / "caps.srt").read_text()
    assert srt.startswith("1\n00:00:01,000 --> ")
    assert _vtt_cues("WEBVTT\n\n" + srt) == cues


def test_plain_text_transcript(built) -> None:
    text = (built.mp3.parent / "caps.txt").read_text()
    assert text.startswith('Chapters & "Captions"\n=====================\n\nSitting up\n----------\n\n'
                           "Sit up slowly. Straighten the leg.\n")
    assert "Lay a warm towel over the calf.\n" in text


def test_episode_record(built) -> None:
    episode = Episode.from_json((built.mp3.parent / "caps.episode.json").read_text())
    assert episode == built.episode
    assert episode.size == built.mp3.stat().st_size
    assert episode.duration == built.timeline.total / built.timeline.rate
    assert [c.title for c in episode.chapters] == ["Sitting up", "The toe pull & stretch", "Warmth"]
