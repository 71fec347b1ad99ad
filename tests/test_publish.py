"""A real build (fake voice) published as a podcast: the feed the build writes matches the files,
keeps GUIDs and dates across rebuilds, offers a guide's own cover, and `feed` remakes it alone."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Callable

import feedparser
import pytest
import podcastparser
from mutagen.mp3 import MP3
from support.audiocheck import decode_mp3
from support.cli import run
from test_cli import GOOD

from audio_guide.podcast import make_cover

CONFIG = """
title: Test Cast
description: Guides for tests.
author: Tester
owner: {name: Tester, email: owner@example.org}
category: Health & Fitness
subcategory: Medicine
explicit: false
base_url: https://example.org/cast/
"""




def items(feed: Path) -> list[dict]:  # type: ignore[type-arg]
    with feed.open("rb") as fh:
        return podcastparser.parse("https://example.org/cast/feed.xml", fh)["episodes"]  # type: ignore[no-any-return]


def test_build_publishes_a_feed_matching_the_files(project: Path, write_script: Callable[[str, str], Path]) -> None:
    write_script("calm.yaml", GOOD)
    write_script("own.yaml", GOOD.replace("author: Tester", "author: Tester\ncover: own.png"))
    make_cover("Own cover", None, project / "scripts" / "own.png")
    (project / "scripts" / "podcast.yaml").write_text(CONFIG)
    result = run("build")
    assert result.exit_code == 0, result.stderr
    out = project / "output"
    feed = out / "feed.xml"
    episodes = {e["guid"]: e for e in items(feed)}
    assert len(episodes) == 2
    for episode in episodes.values():
        [enclosure] = episode["enclosures"]
        name = enclosure["url"].rsplit("/", 1)[1]
        assert enclosure["file_size"] == (out / name).stat().st_size
        assert episode["total_time"] == round(len(decode_mp3(out / name)) / 44100)
    parsed = feedparser.parse(str(feed))
    own = next(e for e in parsed.entries if "own.mp3" in e.enclosures[0].href)
    picture = (project / "scripts" / "own.png").read_bytes()
    name = f"own.cover-{hashlib.sha256(picture).hexdigest()[:12]}.png"  # a new picture gets a new URL
    assert own.image.href == f"https://example.org/cast/{name}"
    assert (out / name).read_bytes() == picture
    assert parsed.feed.title == "Test Cast"

    before = {(e["guid"], e["published"]) for e in items(feed)}
    assert run("build", "--force").exit_code == 0
    assert {(e["guid"], e["published"]) for e in items(feed)} == before


def test_the_podcast_cover_is_drawn_while_the_voice_speaks(project: Path, write_script: Callable[[str, str], Path],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The drawing waits until the speaking has begun: drawn first, in turn, it would wait in vain."""
    import threading

    import audio_guide.pipeline.runner as runner

    write_script("calm.yaml", GOOD)
    write_script("other.yaml", GOOD.replace("title: ", "title: Other "))
    (project / "scripts" / "podcast.yaml").write_text(CONFIG)
    speaking, seen = threading.Event(), []
    real_speak, real_place = runner.speak_first, runner.place_cover

    def speak_first(*args: object, **kwargs: object) -> object:
        speaking.set()
        return real_speak(*args, **kwargs)  # type: ignore[arg-type]

    def place_cover(*args: object) -> Path:
        seen.append(speaking.wait(30))
        return real_place(*args)  # type: ignore[arg-type]
    monkeypatch.setattr(runner, "speak_first", speak_first)
    monkeypatch.setattr(runner, "place_cover", place_cover)
    result = run("build")
    assert result.exit_code == 0, result.stderr
    assert seen == [True]
    [cover] = (project / "output").glob("podcast-cover-*.png")
    for name in ("calm", "other"):
        [picture] = MP3(project / "output" / f"{name}.mp3").tags.getall("APIC")
        assert picture.data == cover.read_bytes()


def test_feed_command_remakes_feed_and_page_only(project: Path, write_script: Callable[[str, str], Path]) -> None:
    write_script("calm.yaml", GOOD)
    (project / "scripts" / "podcast.yaml").write_text(CONFIG)
    assert run("build").exit_code == 0
    out = project / "output"
    mp3 = (out / "calm.mp3").read_bytes()
    (out / "feed.xml").unlink()
    (out / "index.html").unlink()
    result = run("feed")
    assert (result.exit_code, result.stdout) == (0, "feed: output/feed.xml  page: output/index.html\n")
    assert (out / "calm.mp3").read_bytes() == mp3
    assert "calm.mp3" in (out / "index.html").read_text()
    assert len(items(out / "feed.xml")) == 1


def test_bad_podcast_config_stops_the_build_before_audio(project: Path, write_script: Callable[[str, str], Path]) -> None:
    write_script("calm.yaml", GOOD)
    (project / "scripts" / "podcast.yaml").write_text(CONFIG.replace("Health & Fitness", "Health and Fitness"))
    result = run("build")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: scripts/podcast.yaml:6:11: 'category': 'Health and Fitness' is not one of")
    assert list((project / "output").iterdir()) == []


def test_a_named_podcast_config_must_exist(project: Path, write_script: Callable[[str, str], Path]) -> None:
    write_script("calm.yaml", GOOD)
    result = run("build", "--podcast", "scripts/podcst.yaml")
    assert (result.exit_code, result.stderr) == (2, "error: --podcast scripts/podcst.yaml: no such file.\n")
    assert list((project / "output").iterdir()) == []
    assert run("feed", "--podcast", "nope.yaml").exit_code == 2


def test_podcast_config_in_a_glob_is_not_a_guide(project: Path, write_script: Callable[[str, str], Path]) -> None:
    write_script("calm.yaml", GOOD)
    (project / "scripts" / "podcast.yaml").write_text(CONFIG)
    result = run("build", "scripts/calm.yaml", "scripts/podcast.yaml")
    assert result.exit_code == 0, result.stderr
    assert "built 1 guide" in result.stdout


def test_a_deleted_guide_cover_is_made_again(project: Path, write_script: Callable[[str, str], Path]) -> None:
    write_script("own.yaml", GOOD.replace("author: Tester", "author: Tester\ncover: own.png"))
    make_cover("Own cover", None, project / "scripts" / "own.png")
    assert run("build").exit_code == 0
    [cover] = (project / "output").glob("own.cover-*.png")
    cover.unlink()
    result = run("build")
    assert result.exit_code == 0, result.stderr
    assert "(up to date)" not in result.stdout
    assert cover.is_file()


def test_a_changed_guide_cover_gets_a_new_name_and_the_old_one_goes(project: Path,
                                                                    write_script: Callable[[str, str], Path]) -> None:
    write_script("own.yaml", GOOD.replace("author: Tester", "author: Tester\ncover: own.png"))
    make_cover("Own cover", None, project / "scripts" / "own.png")
    assert run("build").exit_code == 0
    [first] = (project / "output").glob("own.cover-*.png")
    make_cover("A new picture", None, project / "scripts" / "own.png")
    assert run("build").exit_code == 0
    [second] = (project / "output").glob("own.cover-*.png")
    assert second.name != first.name
    record = json.loads((project / "output" / "own.episode.json").read_text(encoding="utf-8"))
    assert record["cover"] == second.name


def test_a_serial_podcast_numbers_its_episodes(project: Path, write_script: Callable[[str, str], Path]) -> None:
    write_script("one.yaml", GOOD.replace("author: Tester", "author: Tester\nseason: 2\nepisode: 1"))
    write_script("two.yaml", GOOD.replace("author: Tester", "author: Tester\nseason: 2\nepisode: 2")
                 .replace('title: Night & "Calm" <Stretch>', "title: Two"))
    (project / "scripts" / "podcast.yaml").write_text(CONFIG + "type: serial\n")
    result = run("build")
    assert result.exit_code == 0, result.stderr
    feed = project / "output" / "feed.xml"
    parsed = feedparser.parse(str(feed))
    assert parsed.feed.itunes_type == "serial"
    numbers = sorted((int(e.itunes_season), int(e.itunes_episode), e.title) for e in parsed.entries)
    assert numbers == [(2, 1, 'Night & "Calm" <Stretch>'), (2, 2, "Two")]
    assert sorted(e["number"] for e in items(feed)) == [1, 2]  # podcastparser reads itunes:episode too


def test_episodic_is_the_default_type_and_numbers_are_optional(project: Path,
                                                                 write_script: Callable[[str, str], Path]) -> None:
    write_script("calm.yaml", GOOD)
    (project / "scripts" / "podcast.yaml").write_text(CONFIG)
    assert run("build").exit_code == 0
    text = (project / "output" / "feed.xml").read_text(encoding="utf-8")
    assert "<itunes:type>episodic</itunes:type>" in text
    assert "itunes:season" not in text and "itunes:episode>" not in text


@pytest.mark.parametrize(("where", "line", "message"), [
    ("script", "season: 0", "scripts/calm.yaml:1:9: 'season' must be a whole number from 1 to 100,000, got '0'."),
    ("script", "episode: two", "scripts/calm.yaml:1:10: 'episode' must be a whole number from 1 to 100,000, "
                               "got 'two'."),
    ("config", "type: seriel", "scripts/podcast.yaml:10:7: 'type': 'seriel' is not a podcast type; expected one of: "
                               "episodic, serial. Did you mean 'serial'?"),
])
def test_bad_numbers_and_types_are_refused(project: Path, write_script: Callable[[str, str], Path], where: str,
                                           line: str, message: str) -> None:
    write_script("calm.yaml", GOOD.replace("\ntitle:", f"\n{line}\ntitle:", 1) if where == "script" else GOOD)
    (project / "scripts" / "podcast.yaml").write_text(CONFIG + (line + "\n" if where == "config" else ""))
    result = run("validate")
    assert result.exit_code == 2
    assert result.stderr == f"error: {message}\n"


def test_a_draft_is_built_but_not_published(project: Path, write_script: Callable[[str, str], Path]) -> None:
    write_script("calm.yaml", GOOD)
    write_script("wip.yaml", GOOD.replace("author: Tester", "author: Tester\ndraft: true"))
    (project / "scripts" / "podcast.yaml").write_text(CONFIG)
    assert run("build").exit_code == 0
    out = project / "output"
    assert (out / "wip.mp3").is_file()  # there to listen to
    feed = (out / "feed.xml").read_text(encoding="utf-8")
    assert "calm.mp3" in feed and "wip.mp3" not in feed
    assert "wip.mp3" not in (out / "index.html").read_text(encoding="utf-8")
    write_script("wip.yaml", GOOD.replace("author: Tester", "author: Tester\ndraft: false"))
    assert run("build").exit_code == 0
    assert "wip.mp3" in (out / "feed.xml").read_text(encoding="utf-8")


def test_an_episode_whose_script_is_gone_is_reported_then_removed(project: Path,
                                                                   write_script: Callable[[str, str], Path]) -> None:
    write_script("calm.yaml", GOOD)
    write_script("old.yaml", GOOD.replace("author: Tester", "author: Tester\ncover: own.png"))
    make_cover("Own cover", None, project / "scripts" / "own.png")
    (project / "scripts" / "podcast.yaml").write_text(CONFIG)
    assert run("build").exit_code == 0
    out = project / "output"
    refused = run("remove", "old")  # its script still makes it: the next build would bring it back
    assert refused.exit_code == 2 and "scripts/old.yaml still makes 'old'" in refused.stderr
    (project / "scripts" / "old.yaml").unlink()
    warning = ("warning: output/old.mp3 is still published, but no script in scripts/ makes 'old' any more; "
               "unpublish it with: audio-guide remove old")
    for command in ("build", "feed"):
        result = run(command)
        assert result.exit_code == 0, result.stderr
        assert warning in result.stderr.splitlines()
        assert "old.mp3" in (out / "feed.xml").read_text(encoding="utf-8")  # not dropped silently either
    result = run("remove", "old")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir() if p.name.startswith("old")) == []
    assert "old.mp3" not in (out / "feed.xml").read_text(encoding="utf-8")
    assert "old.mp3" not in (out / "index.html").read_text(encoding="utf-8")
    assert "calm.mp3" in (out / "feed.xml").read_text(encoding="utf-8")
    assert "warning" not in run("build").stderr
    again = run("remove", "old")
    assert again.exit_code == 2 and again.stderr == "error: no episode 'old' in output/; there are: calm.\n"
