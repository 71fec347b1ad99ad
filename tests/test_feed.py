"""The feed, read back by the parsers podcast apps use (gPodder's podcastparser, feedparser) and by XPath.

Every item must point at the real file with its exact length and duration, keep its GUID and
date across rebuilds and days, and carry text with ``&``, ``<``, quotes and non-ASCII intact.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
import re
import uuid
from pathlib import Path

import feedparser
import podcastparser
import pytest
from lxml import etree
from test_podcast import a_podcast, clock, make_episode

from audio_guide.errors import FeedError
from audio_guide.podcast import Chapter, episode_guid, podcast_guid, publish
from audio_guide.podcast.feed import item_description

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
}
DAY1 = dt.datetime(2026, 3, 1, 21, 30, 5, tzinfo=dt.timezone.utc)
DAY2 = DAY1 + dt.timedelta(days=1, hours=2)
TRICKY = "Tom & Jerry's <b>“Calm”</b> \"night\" — café 夜 < 3"


def parse_pp(feed: Path, url: str) -> dict:  # type: ignore[type-arg]
    with feed.open("rb") as fh:
        return podcastparser.parse(url, fh)  # type: ignore[no-any-return]


def xml(feed: Path) -> etree._Element:
    return etree.parse(str(feed)).getroot()


def text_of(description_html: str) -> str:
    """What a reader sees of our description HTML: tags off, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "\n", description_html)).strip()


@pytest.fixture
def out(project: Path) -> Path:
    return project / "output"


# -- what the apps read ----------------------------------------------------------------


def test_both_parsers_read_exact_lengths_and_durations(out: Path) -> None:
    episodes = [make_episode(out, "short", "Short", 2), make_episode(out, "longer", "Longer", 5.5,
                                                                       mp3="longer guide.mp3")]
    podcast = a_podcast()
    feed, _ = publish(podcast, out, now=clock(DAY1))

    by_title = {e["title"]: e for e in parse_pp(feed, podcast.feed_url)["episodes"]}
    fp = feedparser.parse(feed.read_bytes())
    assert not fp.bozo, fp.get("bozo_exception")
    fp_by_title = {e.title: e for e in fp.entries}
    assert set(by_title) == set(fp_by_title) == {"Short", "Longer"}
    for ep in episodes:
        size = (out / ep.mp3).stat().st_size
        url = "https://example.org/guides/" + ep.mp3.replace(" ", "%20")
        assert by_title[ep.title]["enclosures"] == [{"url": url, "file_size": size, "mime_type": "audio/mpeg"}]
        assert by_title[ep.title]["total_time"] == round(ep.duration)
        [enclosure] = fp_by_title[ep.title].enclosures
        assert (enclosure.href, int(enclosure.length), enclosure.type) == (url, size, "audio/mpeg")
        assert int(fp_by_title[ep.title].itunes_duration) == round(ep.duration)
    assert round(episodes[1].duration) == 6 and round(episodes[0].duration) == 2  # two different lengths


def test_escaping_round_trips_through_both_parsers(out: Path) -> None:
    make_episode(out, "tricky", TRICKY, description=f"About {TRICKY}.", author="Ann & <Bo>",
                 references=("Lan & Shi, “Leg cramps” <2020>", "O'Brien \"Sleep\""))
    podcast = a_podcast(title=f"Pod {TRICKY}", description=f"All {TRICKY}.", author="Zoë & Co")
    feed, _ = publish(podcast, out, now=clock(DAY1))

    pp = parse_pp(feed, podcast.feed_url)
    assert (pp["title"], pp["description"], pp["itunes_author"]) == (podcast.title, podcast.description,
                                                                     podcast.author)
    [item] = pp["episodes"]
    assert item["title"] == TRICKY
    assert item["itunes_author"] == "Ann & <Bo>"
    expected = (f"About {TRICKY}.\nChapters:\n00:00 Settle\n00:01 Stretch & rest\n"
                "Sources:\nLan & Shi, “Leg cramps” <2020>\nO'Brien \"Sleep\"")
    assert re.sub(r"\n+", "\n", text_of(item["description_html"])) == expected

    fp = feedparser.parse(feed.read_bytes())
    assert (fp.feed.title, fp.feed.subtitle) == (podcast.title, podcast.description)
    [entry] = fp.entries
    assert (entry.title, entry.author) == (TRICKY, "Ann & <Bo>")
    assert re.sub(r"\n+", "\n", text_of(entry.summary)) == expected


def test_podcast_guid_follows_the_spec() -> None:
    """The spec's own test vectors (podcast-namespace docs/tags/guid.md).

    Note: 9b024349-ccf0-5f69-a609-6b82873eab3c is the spec's value for ``podnews.net/rss``;
    ``podcastindex.org/namespace/1.0`` gives 0b20eef2-824a-5f6a-bc6b-68f611056e0c.
    """
    assert str(podcast_guid("https://podnews.net/rss")) == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    assert str(podcast_guid("podnews.net/rss////")) == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    assert str(podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml")) == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    assert str(podcast_guid("https://podcastindex.org/namespace/1.0/")) == "0b20eef2-824a-5f6a-bc6b-68f611056e0c"
    assert podcast_guid("https://example.org/a/feed.xml") == uuid.uuid5(
        uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"), "example.org/a/feed.xml")


def test_channel_and_items_carry_every_tag_apple_and_podcasting_2_need(out: Path) -> None:
    from PIL import Image

    Image.new("RGB", (1400, 1400), (5, 5, 5)).save(out / "evening-cover.png")
    make_episode(out, "evening", "Evening", cover="evening-cover.png", references=("A source",))
    make_episode(out, "plain", "Plain")
    podcast = a_podcast(explicit=True)
    feed, _ = publish(podcast, out, now=clock(DAY1))
    root = xml(feed)
    channel = root.find("channel")
    assert channel is not None

    def one(path: str, node: etree._Element = channel) -> str:
        found = node.xpath(path, namespaces=NS)
        assert len(found) == 1, path
        return str(found[0])

    assert one("title/text()") == "Night Guides"
    assert one("description/text()") == "Calm guides for the night."
    assert one("link/text()") == "https://example.org/guides/"
    assert one("atom:link[@rel='self']/@href") == "https://example.org/guides/feed.xml"
    assert one("language/text()") == "en"
    cover = one("itunes:image/@href")
    assert re.fullmatch(r"https://example\.org/guides/podcast-cover-[0-9a-f]{12}\.png", cover)
    assert (out / cover.rsplit("/", 1)[1]).is_file()
    assert one("image/url/text()") == cover
    assert one("itunes:category/@text") == "Health & Fitness"
    assert one("itunes:category/itunes:category/@text") == "Alternative Health"
    assert one("itunes:explicit/text()") == "true"
    assert one("itunes:author/text()") == "Tester"
    assert one("itunes:owner/itunes:name/text()") == "Owner"
    assert one("itunes:owner/itunes:email/text()") == "owner@example.org"
    assert one("podcast:guid/text()") == str(podcast_guid("https://example.org/guides/feed.xml"))
    assert one("podcast:locked/text()") == "no"
    assert one("podcast:locked/@owner") == "owner@example.org"

    items = {one("title/text()", item): item for item in channel.findall("item")}
    assert set(items) == {"Evening", "Plain"}
    for slug, item in (("evening", items["Evening"]), ("plain", items["Plain"])):
        base = "https://example.org/guides/"
        assert one("guid/text()", item) == episode_guid(podcast.feed_url, slug)
        assert one("guid/@isPermaLink", item) == "false"
        assert one("enclosure/@type", item) == "audio/mpeg"
        assert one("itunes:episodeType/text()", item) == "full"
        assert one("itunes:explicit/text()", item) == "true"
        assert re.fullmatch(r"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d \+0000", one("pubDate/text()", item))
        transcripts = [(t.get("url"), t.get("type"), t.get("rel")) for t in item.findall("podcast:transcript", NS)]
        assert transcripts == [(f"{base}{slug}.vtt", "text/vtt", "captions"),
                               (f"{base}{slug}.srt", "application/x-subrip", "captions"),
                               (f"{base}{slug}.txt", "text/plain", None)]
        assert one("podcast:chapters/@url", item) == f"{base}{slug}.chapters.json"
        assert one("podcast:chapters/@type", item) == "application/json+chapters"
    assert one("itunes:image/@href", items["Evening"]) == "https://example.org/guides/evening-cover.png"
    assert items["Plain"].find("itunes:image", NS) is None
    assert "<li>A source</li>" in one("description/text()", items["Evening"])


# -- nothing moves on rebuild -----------------------------------------------------------


def items_of(feed: Path) -> dict[str, tuple[str, str]]:
    """title -> (guid, pubDate)"""
    root = xml(feed)
    return {i.findtext("title"): (i.findtext("guid"), i.findtext("pubDate")) for i in root.iter("item")}


def test_guids_and_dates_do_not_move_on_rebuild_or_later(out: Path) -> None:
    make_episode(out, "first", "First")
    make_episode(out, "dated", "Dated", published=dt.date(2026, 2, 14))
    podcast = a_podcast()
    feed, _ = publish(podcast, out, now=clock(DAY1))
    before = items_of(feed)
    assert before["First"][1] == "Sun, 01 Mar 2026 21:30:05 +0000"  # when it first appeared
    assert before["Dated"][1] == "Sat, 14 Feb 2026 12:00:00 +0000"  # its published date, at noon UTC
    first_bytes = feed.read_bytes()

    publish(podcast, out, now=clock(DAY1))
    assert feed.read_bytes() == first_bytes  # publishing again changes nothing at all

    make_episode(out, "first", "First", seconds=2)  # the guide is rebuilt (new audio) a day later
    make_episode(out, "second", "Second")  # and a new one appears
    publish(podcast, out, now=clock(DAY2))
    after = items_of(feed)
    assert after["First"] == before["First"] and after["Dated"] == before["Dated"]
    assert after["Second"][1] == "Mon, 02 Mar 2026 23:30:05 +0000"
    assert after["Second"][0] == episode_guid(podcast.feed_url, "second")
    assert list(after) == ["Second", "First", "Dated"]  # newest first

    publish(podcast, out, now=clock(DAY2 + dt.timedelta(days=30)))
    assert items_of(feed) == after
    state = json.loads((out / "feed-state.json").read_text(encoding="utf-8"))
    assert state == {"version": 1, "first_seen": {"dated": "2026-03-01T21:30:05+00:00",
                                                  "first": "2026-03-01T21:30:05+00:00",
                                                  "second": "2026-03-02T23:30:05+00:00"}}


def test_guid_depends_only_on_feed_url_and_slug() -> None:
    assert episode_guid("https://example.org/guides/feed.xml", "a") == \
        episode_guid("https://example.org/guides/feed.xml", "a")
    assert episode_guid("https://example.org/guides/feed.xml", "a") != \
        episode_guid("https://example.org/guides/feed.xml", "b")
    assert episode_guid("https://example.org/guides/feed.xml", "a") == \
        str(uuid.uuid5(podcast_guid("https://example.org/guides/feed.xml"), "a"))


def test_a_broken_state_file_is_reported_not_overwritten(out: Path) -> None:
    make_episode(out, "first", "First")
    (out / "feed-state.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(FeedError) as info:
        publish(a_podcast(), out, now=clock(DAY1))
    assert str(info.value).startswith(f"{out / 'feed-state.json'}: cannot be read (")
    assert str(info.value).endswith("(deleting it re-dates every guide without a 'published' date to today).")
    assert (out / "feed-state.json").read_text(encoding="utf-8") == "{not json"
    assert not (out / "feed.xml").exists()


def test_a_missing_sidecar_is_an_error(out: Path) -> None:
    make_episode(out, "first", "First")
    (out / "first.vtt").unlink()
    with pytest.raises(FeedError) as info:
        publish(a_podcast(), out, now=clock(DAY1))
    assert str(info.value) == (f"{out / 'first.vtt'}: named in {out / 'first.episode.json'} but missing; "
                               "rebuild the guide 'first'.")


def test_a_guide_cover_must_be_a_valid_png(out: Path) -> None:
    from PIL import Image

    from audio_guide.errors import ScriptError

    Image.new("RGB", (800, 800)).save(out / "small.png")
    make_episode(out, "first", "First", cover="small.png")
    with pytest.raises(ScriptError) as info:
        publish(a_podcast(), out, now=clock(DAY1))
    assert str(info.value) == (f"{out / 'small.png'}: the cover is 800x800 px; expected between 1400x1400 and "
                               "3000x3000 px. Resize it (e.g. to 1400 px).")


def test_the_podcast_cover_embedded_in_a_guide_is_not_an_item_image(out: Path) -> None:
    from audio_guide.podcast import place_cover

    podcast = a_podcast()
    cover = place_cover(podcast, out)
    make_episode(out, "first", "First", cover=cover.name)
    feed, _ = publish(podcast, out, now=clock(DAY1))
    [item] = xml(feed).iter("item")
    assert item.find("itunes:image", NS) is None
    publish(a_podcast(title="Renamed"), out, now=clock(DAY1))  # the old cover goes; the record still names it


def test_an_empty_output_folder_gives_an_empty_valid_feed(out: Path) -> None:
    feed, page = publish(a_podcast(), out, now=clock(DAY1))
    assert parse_pp(feed, "https://example.org/guides/feed.xml")["episodes"] == []
    assert page.is_file()


def test_chapters_are_timestamped_lines_in_the_notes(out: Path) -> None:
    """Apple Podcasts reads 'MM:SS Title' lines in an episode's notes as chapters (first at 00:00)."""
    episode = make_episode(out, "long", "Long")
    episode = dataclasses.replace(episode, chapters=(
        Chapter("Settle", 0.0, 83.4), Chapter("Stretch & <rest>", 83.4, 3725.9), Chapter("Sleep", 3725.9, 3800.0)))
    text = item_description(episode)
    assert "<p>Chapters:<br>00:00 Settle<br>01:23 Stretch &amp; &lt;rest&gt;<br>1:02:05 Sleep</p>" in text
    assert text.index("Chapters:") > text.index("A short guide.")
