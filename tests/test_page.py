"""The listening page: static, self-contained, escaped, and seeking the player in a real browser.

The browser test drives Debian's Chromium (``/usr/bin/chromium``) through Playwright, from
``file://``, as a listener who saved the output folder would open it. Chromium missing is a
failure with the command that installs it, never a skip: a skipped test would hide a page
that no longer seeks.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import lxml.html
import pytest
from test_podcast import a_podcast, clock, make_episode

from audio_guide.podcast import publish

DAY = dt.datetime(2026, 3, 1, 21, 0, tzinfo=dt.timezone.utc)
HOSTILE = 'Calm <script>alert("x")</script> & “quiet” — café'
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture
def site(project: Path) -> Path:
    """An output folder with two guides (one with a space in its MP3 name) and its page."""
    out = project / "output"
    make_episode(out, "evening", "Evening Stretch", 4, published=dt.date(2026, 2, 1),
                 references=("Lan & Shi <2020>",))
    make_episode(out, "night", HOSTILE, 3, mp3="night guide.mp3", published=dt.date(2026, 2, 2))
    _, page = publish(a_podcast(title="Night & <Guides>"), out, now=clock(DAY))
    return page


def test_page_is_self_contained_and_relative(site: Path) -> None:
    doc = lxml.html.parse(str(site)).getroot()
    assert doc.get("lang") == "en"
    assert doc.findtext(".//title") == "Night & <Guides>"
    for element in doc.iter():
        for attr in ("src", "href"):
            value = element.get(attr)
            if value is not None:
                assert not re.match(r"[a-z]+:", value), f"<{element.tag} {attr}={value!r}> is not relative"
    assert doc.xpath("//script[@src] | //link[@rel='stylesheet'] | //iframe | //object") == []
    assert "url(" not in (doc.findtext(".//style") or "")
    assert [a.get("src") for a in doc.iter("audio")] == ["night%20guide.mp3", "evening.mp3"]  # newest first
    assert all(a.get("controls") is not None for a in doc.iter("audio"))
    cover = doc.xpath("//header[@class='podcast']/img/@src")
    assert len(cover) == 1 and (site.parent / cover[0]).is_file()


def test_page_has_headings_chapters_and_transcript_as_buttons(site: Path) -> None:
    doc = lxml.html.parse(str(site)).getroot()
    assert [h.text_content() for h in doc.iter("h1")] == ["Night & <Guides>"]
    article = doc.get_element_by_id("evening")
    assert article.tag == "article"
    assert article.get("aria-labelledby") == "title-evening"
    assert doc.get_element_by_id("title-evening").text_content() == "Evening Stretch"
    chapters = article.xpath(".//section[@class='chapters']//button")
    assert [(b.get("type"), b.get("data-audio"), b.text_content()) for b in chapters] == [
        ("button", "audio-evening", "Play from 0:00 Settle"),
        ("button", "audio-evening", "Play from 0:02 Stretch & rest"),
    ]
    cues = article.xpath(".//details[@class='transcript']//button")
    assert [b.text_content() for b in cues] == ["0:00 Sit up slowly.", "0:02 Pull your toes <gently> toward you."]
    assert article.xpath(".//section[@class='sources']//li/text()") == ["Lan & Shi <2020>"]
    assert doc.get_element_by_id("audio-evening").get("aria-label") == "Evening Stretch"


def test_page_escapes_titles(site: Path) -> None:
    doc = lxml.html.parse(str(site)).getroot()
    assert len(doc.xpath("//script")) == 1  # only the page's own; the title's stayed text
    assert doc.get_element_by_id("title-night").text_content() == HOSTILE


def test_page_does_not_change_when_published_again(site: Path) -> None:
    before = site.read_bytes()
    publish(a_podcast(title="Night & <Guides>"), site.parent, now=clock(DAY + dt.timedelta(days=3)))
    assert site.read_bytes() == before


# -- in a real browser -------------------------------------------------------------------


def chromium() -> str:
    """Path of a Chromium to drive; fails (not skips) with the install command when there is none."""
    for candidate in (os.environ.get("AUDIO_GUIDE_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.fail("Chromium is not installed, and the listening page must be tested in a real browser. "
                "Install Debian's package: `apt-get update && apt-get install -y chromium` "
                "(or set AUDIO_GUIDE_CHROMIUM to a Chromium or Chrome binary). "
                "Do not run `playwright install`: it downloads its own browser.", pytrace=False)


def test_chapters_and_transcript_seek_the_player_in_chromium(site: Path) -> None:
    executable = chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is missing: install the test extra, `pip install -e '.[test]'`.", pytrace=False)

    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.on("request", lambda request: requests.append(request.url))
            page.goto(site.as_uri())
            # both MP3s load from disk through their relative src (one has a space in its name)
            page.wait_for_function("[...document.querySelectorAll('audio')].every(a => a.readyState >= 1)",
                                   timeout=10_000)

            evening = page.locator("#evening")
            position = "document.getElementById('audio-evening').currentTime"
            chapter = evening.get_by_role("button", name="Play from 0:02 Stretch & rest")
            start = float(chapter.get_attribute("data-start") or "nan")
            assert start > 1.5
            chapter.click()
            # read at once: a player merely playing from 0 must not pass by drifting through the start
            assert abs(page.evaluate(position) - start) < 0.5
            page.wait_for_function("!document.getElementById('audio-evening').paused", timeout=5_000)
            assert page.evaluate("document.getElementById('audio-night').currentTime") == 0  # only its own player

            # the transcript, by keyboard only: open it, then Enter on a line
            page.evaluate("document.getElementById('audio-evening').pause();"
                          "document.getElementById('audio-evening').currentTime = 0")
            page.wait_for_function(f"{position} === 0", timeout=5_000)
            evening.locator("summary").focus()
            page.keyboard.press("Enter")
            cue = evening.get_by_role("button", name="0:02 Pull your toes <gently> toward you.")
            cue.focus()
            page.keyboard.press("Enter")
            assert abs(page.evaluate(position) - start) < 0.5
        finally:
            browser.close()
    assert errors == []
    assert all(url.startswith("file://") for url in requests), requests
