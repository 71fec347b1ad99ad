"""Built guides -> a listening page (index.html): one static file, usable at night.

It has to work wherever the output folder ends up: on a static web host and straight from
disk (``file://``), where a browser refuses to fetch sidecar files. So everything the page
needs (chapters, transcript cues) is written into it, every link is relative, and there is
nothing external: no fonts, no framework, a few lines of plain script. Without the script
the players still play; with it, chapter and transcript buttons seek the player.

Calm and dark, since it is read in a dark bedroom: dim off-white text on night blue, a warm
accent instead of bright blue, nothing that moves by itself.
"""

from __future__ import annotations

import datetime as dt
import html
import string
import urllib.parse
from typing import Final, Sequence

from .channel import Podcast
from .episode import Episode


def render_page(podcast: Podcast, episodes: Sequence[Episode], cover: str,
                dates: dict[str, dt.datetime] | None = None, feed: str = "feed.xml") -> str:
    """The whole page as text, newest guide first (as in the feed); nothing is written."""
    dates = dates or {}
    ordered = sorted(episodes, key=lambda e: (dates.get(e.slug, _EPOCH), e.slug), reverse=True)
    e = _escape
    feed_url = podcast.base_url + urllib.parse.quote(feed)
    toc = "".join(
        f'<li><a href="#{e(ep.slug)}">{e(ep.title)}</a> <span class="muted">({_clock(ep.duration)})</span></li>'
        for ep in ordered
    )
    guides = "\n".join(_guide(ep, dates.get(ep.slug)) for ep in ordered) or \
        '<p class="muted">No guides have been built yet.</p>'
    nav = (f'<nav aria-labelledby="toc-title"><h2 id="toc-title">Guides</h2><ol class="toc">{toc}</ol></nav>'
           if len(ordered) > 1 else "")
    return _PAGE.substitute(
        lang=e(podcast.language),
        title=e(podcast.title),
        author=e(podcast.author),
        description=_paragraphs(podcast.description),
        cover=e(_href(cover)),
        feed=e(_href(feed)),
        feed_url=e(feed_url),
        nav=nav,
        guides=guides,
        style=_STYLE,
        script=_SCRIPT,
    )


_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def _guide(ep: Episode, date: dt.datetime | None) -> str:
    e = _escape
    slug = e(ep.slug)
    audio_id = f"audio-{slug}"
    meta = [_clock(ep.duration)]
    if date is not None:
        meta.append(f'published <time datetime="{date.date().isoformat()}">{date.day} {date:%B %Y}</time>')
    cover = (f'<img class="guide-cover" src="{e(_href(ep.cover))}" alt="" width="96" height="96">'
             if ep.cover else "")
    chapters = "".join(
        f'<li><button type="button" class="seek" data-audio="{audio_id}" data-start="{c.start:.3f}" '
        f'data-end="{c.end:.3f}"><span class="time"><span class="sr">Play from </span>{_clock(c.start)}</span> '
        f'<span class="label">{e(c.title)}</span></button></li>'
        for c in ep.chapters
    )
    chapters_html = (f'<section class="chapters" aria-labelledby="chapters-{slug}">'
                     f'<h3 id="chapters-{slug}">Chapters</h3><ol>{chapters}</ol></section>') if chapters else ""
    cues = "".join(
        f'<li><button type="button" class="seek cue" data-audio="{audio_id}" data-start="{c.start:.3f}" '
        f'data-end="{c.end:.3f}"><span class="time">{_clock(c.start)}</span> '
        f'<span class="label">{e(c.text)}</span></button></li>'
        for c in ep.cues
    )
    downloads = " · ".join(
        f'<a href="{e(_href(name))}" download>{label}</a>'
        for name, label in ((ep.transcript_vtt, "WebVTT"), (ep.transcript_srt, "SubRip"),
                            (ep.transcript_txt, "plain text"))
        if name
    )
    transcript = ""
    if cues or downloads:
        transcript = ('<details class="transcript"><summary><h3>Transcript</h3></summary>'
                      + (f'<p class="muted">Select a line to listen from there.</p><ol class="cues">{cues}</ol>'
                         if cues else "")
                      + (f'<p class="downloads">Download the transcript: {downloads}</p>' if downloads else "")
                      + "</details>")
    sources = ""
    if ep.references:
        items = "".join(f"<li>{e(r)}</li>" for r in ep.references)
        sources = f'<section class="sources" aria-labelledby="sources-{slug}"><h3 id="sources-{slug}">Sources</h3>' \
                  f"<ul>{items}</ul></section>"
    return f"""<article class="guide" id="{slug}" aria-labelledby="title-{slug}">
<header class="guide-head">{cover}<div><h2 id="title-{slug}">{e(ep.title)}</h2>
<p class="muted">{" · ".join(meta)}</p></div></header>
{_paragraphs(ep.description)}
<audio id="{audio_id}" controls preload="metadata" src="{e(_href(ep.mp3))}" aria-label="{e(ep.title)}">
<a href="{e(_href(ep.mp3))}">Download the MP3</a></audio>
{chapters_html}
{transcript}
{sources}
</article>"""


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def _href(name: str) -> str:
    """A relative link to a file in the output folder: works on a host and from disk alike."""
    return urllib.parse.quote(name)


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{_escape(p.strip())}</p>" for p in text.split("\n\n") if p.strip())


def _clock(seconds: float) -> str:
    """``m:ss`` (or ``h:mm:ss``), as players show time."""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


_STYLE: Final = """
:root { color-scheme: dark; --bg: #0b0f1a; --panel: #121829; --line: #26304a; --text: #d6dae3;
  --muted: #9ba5b8; --accent: #e3c88f; }
* { box-sizing: border-box; }
html { background: var(--bg); }
body { margin: 0 auto; max-width: 46rem; padding: 1.5rem 1.25rem 4rem; color: var(--text);
  background: var(--bg); font: 1.0625rem/1.6 system-ui, -apple-system, "Segoe UI", sans-serif; }
a { color: var(--accent); }
h1, h2, h3 { font-weight: 500; line-height: 1.25; color: #ece6d8; }
h1 { font-size: 1.75rem; margin: 0 0 .25rem; }
h2 { font-size: 1.35rem; margin: 0; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .5rem; display: inline; }
.muted { color: var(--muted); }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: var(--panel); padding: .5rem 1rem; }
.podcast { display: flex; gap: 1.25rem; align-items: flex-start; margin-bottom: 1.5rem; }
.podcast img { width: 8rem; height: 8rem; border-radius: .5rem; flex: none; }
nav h2 { font-size: 1.05rem; }
.toc { padding-left: 1.25rem; }
.guide { background: var(--panel); border: 1px solid var(--line); border-radius: .75rem; padding: 1.25rem;
  margin: 1.5rem 0; }
.guide-head { display: flex; gap: 1rem; align-items: center; }
.guide-cover { border-radius: .375rem; flex: none; }
audio { width: 100%; margin: .75rem 0; }
.chapters h3, .sources h3 { display: block; }
ol, ul { margin: .25rem 0; }
.chapters ol, .cues { list-style: none; padding: 0; }
button.seek { display: flex; gap: .75rem; width: 100%; text-align: left; font: inherit; color: var(--text);
  background: transparent; border: 1px solid transparent; border-radius: .375rem; padding: .35rem .5rem;
  cursor: pointer; }
button.seek:hover { background: #1a2236; border-color: var(--line); }
button.seek[aria-current="true"] { background: #1d2538; border-color: #4a5170; }
button.seek[aria-current="true"] .time { color: var(--accent); }
.time { color: var(--muted); font-variant-numeric: tabular-nums; min-width: 3.5rem; flex: none; }
.cue { font-size: .975rem; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
summary { cursor: pointer; margin-top: 1rem; }
.downloads { font-size: .95rem; }
footer { margin-top: 3rem; font-size: .9rem; }
@media (max-width: 32rem) { .podcast { flex-direction: column; } }
"""

_SCRIPT: Final = """
(function () {
  "use strict";
  // A chapter or transcript line seeks its player to its start and plays from there.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.seek");
    if (!button) { return; }
    var audio = document.getElementById(button.dataset.audio);
    if (!audio) { return; }
    audio.currentTime = parseFloat(button.dataset.start);
    var playing = audio.play();
    if (playing && playing.catch) { playing.catch(function () {}); }
  });
  var players = Array.prototype.slice.call(document.querySelectorAll("audio"));
  players.forEach(function (audio) {
    var buttons = Array.prototype.slice.call(document.querySelectorAll('button.seek[data-audio="' + audio.id + '"]'));
    // Mark the chapter and line being heard, for the eye and for screen readers.
    audio.addEventListener("timeupdate", function () {
      var now = audio.currentTime;
      buttons.forEach(function (button) {
        var on = now >= parseFloat(button.dataset.start) && now < parseFloat(button.dataset.end);
        if (on) { button.setAttribute("aria-current", "true"); } else { button.removeAttribute("aria-current"); }
      });
    });
    // One voice at a time: starting a guide pauses the others.
    audio.addEventListener("play", function () {
      players.forEach(function (other) { if (other !== audio) { other.pause(); } });
    });
  });
})();
"""

_PAGE: Final = string.Template("""<!doctype html>
<html lang="$lang">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="dark">
<meta name="theme-color" content="#0b0f1a">
<title>$title</title>
<link rel="alternate" type="application/rss+xml" title="$title" href="$feed">
<style>$style</style>
</head>
<body>
<a class="skip" href="#guides">Skip to the guides</a>
<header class="podcast">
<img src="$cover" alt="" width="128" height="128">
<div>
<h1>$title</h1>
<p class="muted">by $author</p>
$description
<p>Subscribe in a podcast app: <a href="$feed">$feed_url</a></p>
</div>
</header>
$nav
<main id="guides">
$guides
</main>
<footer class="muted"><p>Made with audio-guide.</p></footer>
<script>$script</script>
</body>
</html>
""")
