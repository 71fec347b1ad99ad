"""The podcast config (scripts/podcast.yaml): every mistake gives one exact ``file:line:col`` message.

This file also holds the small kit the feed and page tests share: real short MP3s made with
imageio-ffmpeg's ffmpeg, and ``<slug>.episode.json`` records written with ``Episode.to_json``,
as the build writes them.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
import textwrap
from pathlib import Path

import pytest
from mutagen.mp3 import MP3

from audio_guide.errors import ScriptError, UsageError
from audio_guide.podcast import (
    APPLE_CATEGORIES,
    Chapter,
    Cue,
    Episode,
    Podcast,
    default_podcast,
    find_config,
    load_podcast,
    place_cover,
    podcast_for,
    publish,
)

ROOT = Path(__file__).resolve().parent.parent

# -- the kit ----------------------------------------------------------------------------

_MP3S: dict[float, bytes] = {}


def sine_mp3(seconds: float) -> bytes:
    """A real CBR MP3 of a quiet tone, made once per length per test run."""
    if seconds not in _MP3S:
        import imageio_ffmpeg

        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "tone.mp3"
            subprocess.run(
                [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
                 "-i", f"sine=f=440:d={seconds}", "-c:a", "libmp3lame", "-b:a", "96k", str(out)],
                check=True,
            )
            _MP3S[seconds] = out.read_bytes()
    return _MP3S[seconds]


def make_episode(out_dir: Path, slug: str, title: str = "A Guide", seconds: float = 3, *,
                 description: str = "A short guide.", published: dt.date | None = None,
                 references: tuple[str, ...] = (), cover: str | None = None, mp3: str | None = None,
                 author: str = "Tester") -> Episode:
    """Write an MP3, its sidecars and its ``<slug>.episode.json`` into ``out_dir``, as the build does."""
    out_dir.mkdir(parents=True, exist_ok=True)
    mp3 = mp3 or f"{slug}.mp3"
    (out_dir / mp3).write_bytes(sine_mp3(seconds))
    duration = MP3(out_dir / mp3).info.length
    half = round(duration / 2, 3)
    for ext in ("vtt", "srt", "txt"):
        (out_dir / f"{slug}.{ext}").write_text(f"transcript of {slug}\n", encoding="utf-8")
    (out_dir / f"{slug}.chapters.json").write_text('{"version": "1.2.0", "chapters": []}\n', encoding="utf-8")
    episode = Episode(
        slug=slug, title=title, description=description, author=author, language="en", mp3=mp3,
        size=(out_dir / mp3).stat().st_size, duration=duration, published=published,
        chapters=(Chapter("Settle", 0.0, half), Chapter("Stretch & rest", half, duration)),
        cues=(Cue(0.0, half, "Sit up slowly."), Cue(half, duration, "Pull your toes <gently> toward you.")),
        transcript_vtt=f"{slug}.vtt", transcript_srt=f"{slug}.srt", transcript_txt=f"{slug}.txt",
        chapters_json=f"{slug}.chapters.json", cover=cover, references=references,
    )
    (out_dir / f"{slug}.episode.json").write_text(episode.to_json(), encoding="utf-8")
    return episode


def a_podcast(**changes: object) -> Podcast:
    values: dict[str, object] = {
        "title": "Night Guides", "description": "Calm guides for the night.", "author": "Tester",
        "owner_name": "Owner", "owner_email": "owner@example.org", "language": "en",
        "category": "Health & Fitness", "subcategory": "Alternative Health", "explicit": False,
        "base_url": "https://example.org/guides/",
    }
    values.update(changes)
    return Podcast(**values)  # type: ignore[arg-type]


def clock(when: dt.datetime):  # type: ignore[no-untyped-def]
    """A fake clock for publish(now=...)."""
    return lambda: when


VALID = """\
title: Night Guides
description: Calm guides for the night.
author: Tester
owner:
  name: Owner
  email: owner@example.org
language: en-GB
category: Health & Fitness
subcategory: Alternative Health
explicit: false
base_url: https://example.org/guides/
"""


def write_config(project: Path, text: str, name: str = "podcast.yaml") -> Path:
    path = project / "scripts" / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def config_error(project: Path, text: str) -> str:
    """Load ``text`` as the config, expecting a ScriptError (exit 2); its message, with the path as ``{P}``."""
    path = write_config(project, text)
    with pytest.raises(ScriptError) as info:
        load_podcast(path)
    assert info.value.exit_code == 2
    return str(info.value).replace(str(path), "{P}")


def replace_line(key: str, line: str) -> str:
    """VALID with the line that starts with ``key`` replaced by ``line``."""
    return "".join(line + "\n" if ln.startswith(key) else ln + "\n" for ln in VALID.splitlines())


# -- the project's own config -----------------------------------------------------------


def test_the_projects_config_is_valid() -> None:
    podcast = load_podcast(ROOT / "scripts" / "podcast.yaml")
    assert podcast.title == "Night Cramp Guides"
    assert podcast.base_url == "https://example.org/night-cramp-guides/"
    assert podcast.feed_url == "https://example.org/night-cramp-guides/feed.xml"
    assert (podcast.category, podcast.subcategory) == ("Health & Fitness", "Medicine")
    assert podcast.explicit is False and podcast.language == "en"
    assert podcast.owner_email == "podcast@example.org"


# -- a valid config ---------------------------------------------------------------------


def test_valid_config_is_read_exactly(project: Path) -> None:
    podcast = load_podcast(write_config(project, VALID))
    assert podcast == Podcast(
        title="Night Guides", description="Calm guides for the night.", author="Tester", owner_name="Owner",
        owner_email="owner@example.org", language="en-GB", category="Health & Fitness",
        subcategory="Alternative Health", explicit=False, base_url="https://example.org/guides/",
        image=None, path=project / "scripts" / "podcast.yaml",
    )


def test_optional_keys_have_defaults(project: Path) -> None:
    podcast = load_podcast(write_config(project, """\
        title: T
        description: D
        author: Tester
        owner: {email: me@example.org}
        category: Technology
        base_url: http://localhost:8000/
        """))
    assert (podcast.language, podcast.explicit, podcast.subcategory, podcast.image) == ("en", False, None, None)
    assert podcast.owner_name == "Tester"  # the author, when no owner name is given


def test_explicit_true(project: Path) -> None:
    assert load_podcast(write_config(project, replace_line("explicit", "explicit: true"))).explicit is True


def test_image_is_resolved_and_checked(project: Path) -> None:
    from PIL import Image

    Image.new("RGB", (1400, 1400), (10, 20, 30)).save(project / "art.png")
    podcast = load_podcast(write_config(project, VALID + "image: ../art.png\n"))
    assert podcast.image == (project / "art.png").resolve()


def test_every_apple_category_has_unique_subcategories() -> None:
    subs = [s for subs in APPLE_CATEGORIES.values() for s in subs]
    assert len(subs) == len(set(subs))  # so a subcategory written as a category has one parent to suggest
    assert len(APPLE_CATEGORIES) == 19


# -- mistakes, with their exact messages ------------------------------------------------


def test_unknown_key_suggests_the_nearest(project: Path) -> None:
    text = VALID.replace("author: Tester", "autor: Tester")
    assert config_error(project, text) == (
        "{P}:3:1: unknown key 'autor' in the podcast config; expected one of: title, description, author, owner, "
        "language, category, subcategory, explicit, base_url, image, type. Did you mean 'author'?"
    )


def test_unknown_owner_key(project: Path) -> None:
    text = VALID.replace("  email: owner@", "  emial: owner@")
    assert config_error(project, text) == (
        "{P}:6:3: unknown key 'emial' in 'owner'; expected one of: name, email. Did you mean 'email'?"
    )


def test_missing_required_key(project: Path) -> None:
    text = VALID.replace("base_url: https://example.org/guides/\n", "")
    assert config_error(project, text) == "{P}:1:1: the podcast config is missing the required key 'base_url'."


def test_empty_config(project: Path) -> None:
    assert config_error(project, "# nothing yet\n") == (
        "{P}:1:1: the podcast config is empty; expected a mapping with title, description, author, owner, "
        "category, base_url."
    )


def test_yaml_syntax_error_has_a_position(project: Path) -> None:
    message = config_error(project, VALID.replace("title: Night Guides", "title: 'Night Guides"))
    assert message.startswith("{P}:")
    assert "YAML syntax error" in message


@pytest.mark.parametrize(("value", "hint"), [
    ("Health and Fitness", "Did you mean 'Health & Fitness'?"),
    ("health & fitness", "Did you mean 'Health & Fitness'?"),
    ("Medicine", "'Medicine' is a subcategory: write category: Health & Fitness and subcategory: Medicine."),
])
def test_bad_category_suggests_one(project: Path, value: str, hint: str) -> None:
    text = replace_line("category", f"category: {value}")
    assert config_error(project, text) == (
        f"{{P}}:8:11: 'category': '{value}' is not one of Apple's podcast categories; expected one of: "
        + ", ".join(APPLE_CATEGORIES) + ". " + hint
    )


def test_bad_subcategory_suggests_one(project: Path) -> None:
    text = replace_line("subcategory", "subcategory: Alternative Helth")
    assert config_error(project, text) == (
        "{P}:9:14: 'subcategory': 'Alternative Helth' is not a subcategory of 'Health & Fitness'; expected one of: "
        "Alternative Health, Fitness, Medicine, Mental Health, Nutrition, Sexuality. Did you mean 'Alternative Health'?"
    )


def test_subcategory_of_another_category(project: Path) -> None:
    text = replace_line("subcategory", "subcategory: Parenting")
    assert config_error(project, text).endswith("Did you mean category 'Kids & Family'?")


def test_subcategory_where_there_are_none(project: Path) -> None:
    text = replace_line("category", "category: History").replace("subcategory: Alternative Health",
                                                                 "subcategory: Wars")
    assert config_error(project, text) == (
        "{P}:9:14: 'subcategory': the category 'History' has no subcategories; remove the 'subcategory' line."
    )


@pytest.mark.parametrize("email", [
    "owner.example.org", "owner@", "@example.org", "owner@example", "owner@@example.org", "own er@example.org",
    "owner@example..org", ".owner@example.org", "owner@-example.org",
])
def test_bad_email(project: Path, email: str) -> None:
    text = VALID.replace("email: owner@example.org", f"email: '{email}'")
    assert config_error(project, text) == (
        f"{{P}}:6:10: 'owner.email': '{email}' is not an email address; write it like name@example.org."
    )


START = ("must start with https:// or http://; write the full address the output folder is served from, "
         "e.g. https://example.org/podcast/.")


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://example.org/guides/", START),
    ("example.org/guides/", START),
    ("https://example.org/guides", ("must end with '/' (it is the folder the files are served from); "
                                    "write 'https://example.org/guides/'.")),
    ("https:///guides/", "has no host name; write it like https://example.org/podcast/."),
    ("https://example.org/guides/?a=1", ("has a '?' or '#' part; the file names are appended to it. "
                                         "Remove everything from the '?' or '#' on.")),
    ("https://me:secret@example.org/guides/", ("holds a user name or password, which would be published in the "
                                               "feed; remove the 'user:password@' part.")),
])
def test_bad_base_url(project: Path, url: str, message: str) -> None:
    text = replace_line("base_url", f"base_url: {url}")
    assert config_error(project, text) == f"{{P}}:11:11: 'base_url': '{url}' {message}"


def test_bad_language(project: Path) -> None:
    text = replace_line("language", "language: English")
    assert config_error(project, text) == (
        "{P}:7:11: 'language': 'English' is not a language tag; write e.g. en, en-GB or de."
    )


def test_explicit_must_be_a_boolean(project: Path) -> None:
    text = replace_line("explicit", "explicit: clean")
    assert config_error(project, text) == "{P}:10:11: 'explicit' must be true or false, got 'clean'."


def test_image_must_exist(project: Path) -> None:
    message = config_error(project, VALID + "image: ../art.png\n")
    assert message.startswith("{P}:12:8: 'image': file '../art.png' does not exist (looked for ")


def test_image_must_stay_in_the_project(project: Path) -> None:
    message = config_error(project, VALID + "image: ../../elsewhere.png\n")
    assert message.startswith("{P}:12:8: 'image': '../../elsewhere.png' points outside the project")


def test_image_must_be_a_valid_cover(project: Path) -> None:
    from PIL import Image

    Image.new("RGB", (1400, 1000), (10, 20, 30)).save(project / "art.png")
    assert config_error(project, VALID + "image: ../art.png\n") == (
        "{P}:12:8: 'image': the cover is 1400x1000 px; it must be square. Crop it to a square."
    )


def test_image_must_be_png(project: Path) -> None:
    (project / "art.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(20))
    assert config_error(project, VALID + "image: ../art.jpg\n") == (
        "{P}:12:8: 'image': '../art.jpg' is not a file of a supported kind; expected one of: png."
    )


# -- without a config -------------------------------------------------------------------


def test_podcast_for_uses_the_config_when_there_is_one(project: Path) -> None:
    config = write_config(project, VALID)
    assert podcast_for(config, project / "output").title == "Night Guides"


def test_a_named_config_must_exist(project: Path) -> None:
    with pytest.raises(UsageError, match=r"^--podcast scripts/other\.yaml: no such file\.$"):
        find_config(Path("scripts/other.yaml"), required=True)
    assert find_config(Path("scripts/other.yaml"), required=False) is None


def test_without_a_config_publishing_still_works(project: Path) -> None:
    import podcastparser

    out = project / "output"
    make_episode(out, "evening", "Evening", author="Ann")
    config = find_config(project / "scripts" / "podcast.yaml", required=False)
    assert config is None
    podcast = podcast_for(config, out)
    assert podcast == default_podcast(out)
    assert podcast.base_url == out.resolve().as_uri() + "/"
    assert (podcast.title, podcast.author, podcast.owner_email) == ("Audio guides", "audio-guide", None)
    feed, page = publish(podcast, out, now=clock(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)))
    with feed.open("rb") as fh:
        parsed = podcastparser.parse(podcast.feed_url, fh)
    assert [e["enclosures"][0]["url"] for e in parsed["episodes"]] == [(out / "evening.mp3").resolve().as_uri()]
    assert page.is_file()


def test_the_drawn_cover_is_placed_once_and_replaced_when_the_title_changes(project: Path) -> None:
    out = project / "output"
    first = place_cover(a_podcast(), out)
    assert first.parent == out and first.name.startswith("podcast-cover-") and first.suffix == ".png"
    stamp = first.stat().st_mtime_ns
    assert place_cover(a_podcast(), out) == first and first.stat().st_mtime_ns == stamp  # not drawn again
    second = place_cover(a_podcast(title="Renamed"), out)
    assert second != first  # a new picture gets a new URL: Apple re-fetches art only then
    assert sorted(p.name for p in out.iterdir()) == [second.name]


def test_a_cover_the_build_drew_already_is_copied_not_drawn_again(project: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    drawn = place_cover(a_podcast(), project / "cache-covers")
    renamed = place_cover(a_podcast(title="Renamed"), project / "cache-renamed")
    monkeypatch.setattr("audio_guide.podcast.publisher.make_cover", lambda *args: pytest.fail("drawn again"))
    placed = place_cover(a_podcast(), project / "output", drawn)
    assert placed.name == drawn.name and placed.read_bytes() == drawn.read_bytes()
    # a copy of another name is another picture: never taken for this one
    with pytest.raises(pytest.fail.Exception, match="drawn again"):
        place_cover(a_podcast(), project / "elsewhere", renamed)


def test_the_configs_image_is_copied_under_its_content_digest(project: Path) -> None:
    import hashlib

    from PIL import Image

    Image.new("RGB", (1400, 1400), (10, 20, 30)).save(project / "art.png")
    podcast = load_podcast(write_config(project, VALID + "image: ../art.png\n"))
    placed = place_cover(podcast, project / "output")
    data = (project / "art.png").read_bytes()
    assert placed.name == f"podcast-cover-{hashlib.sha256(data).hexdigest()[:12]}.png"
    assert placed.read_bytes() == data


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("base_url: https://example.org/guides/", 'base_url: "https://example.org/\\nguides/"',
     r"scripts/podcast.yaml:11:11: 'base_url' holds a line break; write the whole address on one line."),
    ("  email: owner@example.org", '  email: "owner@example.org\\nX-Evil: 1"',
     r"scripts/podcast.yaml:6:10: 'owner.email': 'owner@example.org\nX-Evil: 1' is not an email address; "
     r"write it like name@example.org."),
])
def test_a_line_break_in_a_value_gives_one_line_and_the_true_reason(project: Path, old: str, new: str,
                                                                      expected: str) -> None:
    from support.cli import run

    write_config(project, VALID.replace(old, new))
    (project / "scripts" / "g.yaml").write_text(
        "title: G\ndescription: D\nsections:\n  - title: S\n    steps:\n      - say: Hi.\n", encoding="utf-8")
    result = run("validate")
    assert result.exit_code == 2
    assert result.stderr == f"error: {expected}\n"


def test_one_line_escapes_every_control_character() -> None:
    from audio_guide.errors import one_line

    assert one_line("a\nb\rc\td\x1be\x7ff é") == "a\\nb\\rc\\td\\x1be\\x7ff é"
