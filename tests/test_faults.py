"""Failures in the middle of a build, and two builds at once.

Each test starts from a project whose guides were built once (output/ and the speech cache
copied from one build made for the module), edits a script so the next build must do real
work, and breaks that build on purpose: the speech engine fails half way (its own error, a
network error, a bug, a crash; gTTS with connection errors and HTTP 429), ffmpeg fails, the
disk fills up, a rename fails, the user presses Ctrl-C or the process is sent SIGTERM or
SIGKILL. Then it checks, byte for byte, that

- the exit status is the documented one (1 build failure, 130 interrupted) and stderr ends with
  one ``error: ...`` (or ``interrupted: ...``) line and holds no traceback;
- output/ is exactly as the earlier build left it, with no temporary ``.NAME.xxxx.part`` file;
- the speech cache holds no temporary file and every entry passes its checksum;
- a second run completes the work, speaking only what the failed run had not cached, and
  leaves every guide complete: MP3 size and length, transcripts and feed all agree.

Faults are injected with a test engine (``flaky``, below) steered by environment variables, so
it behaves the same in the forked speech process and in a separate ``audio-guide`` process;
with ``AUDIO_GUIDE_FFMPEG`` pointing at a small shell script; and by monkeypatching one write.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest
from support import fakeengine
from support.cli import run
from support.folders import snapshot

from audio_guide import engines
from audio_guide.audio.cache import SpeechCache
from audio_guide.engines import EngineInfo, Speech
from audio_guide.errors import EngineError
from audio_guide.media import ffmpeg_exe
from audio_guide.timeline import HOUSE_RATE

TESTS = Path(__file__).resolve().parent
GOOD = """\
title: {title}
description: A short guide.
voice: {{engine: fake}}
sound: {{ambience: none, fade_out: 1s}}
sections:
  - title: First
    steps:
      - say: Breathe in slowly.
      - hold: 1s
      - say: {last}
"""
SENTENCES = ["Breathe in slowly.", "Hold it gently.", "And rest now."]
"""What the edited ``calm`` guide says: its first line was cached by the earlier build, under the fake voice."""
INTERRUPTED = ("interrupted: guides finished before the interrupt are complete; "
               "no partial file was left in the output folder.")
OFFLINE_HINT = "use the offline voice instead: --engine piper (or voice: {engine: piper} in the script)."


# -- the fault-injecting engine ---------------------------------------------------------


class FlakyEngine:
    """The fake tone voice, which fails on the sentence numbered ``$FAULTS_FAIL_AT`` (0-based,
    counted over the sentences it has spoken so far, listed in ``$FAULTS_LOG``) as
    ``$FAULTS_MODE`` says: ``engine`` (EngineError), ``network`` (a reset connection),
    ``bug`` (RuntimeError), ``crash`` (the process dies), ``slow`` (touches ``$FAULTS_MARKER``
    and sleeps: the moment to interrupt). ``$FAULTS_DELAY`` (``text|seconds``) only slows one
    sentence down."""

    name = "flaky"

    @classmethod
    def identity(cls, voice: str | None) -> str:
        return "flaky-1"

    def synthesize(self, text: str, *, voice: str | None, rate: float, language: str,
                   speaker: str | None = None) -> Speech:
        delay_text, _, delay = os.environ.get("FAULTS_DELAY", "").partition("|")
        if text == delay_text:
            time.sleep(float(delay))
        log = Path(os.environ["FAULTS_LOG"])
        spoken = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
        if len(spoken) == int(os.environ.get("FAULTS_FAIL_AT", "-1")):
            mode = os.environ["FAULTS_MODE"]
            if mode == "engine":
                raise EngineError("the flaky speech service stopped answering; try again later.")
            if mode == "network":
                raise ConnectionResetError(errno.ECONNRESET, "Connection reset by peer")
            if mode == "bug":
                raise RuntimeError("index out of range in the voice model")
            if mode == "crash":
                if os.getpid() == int(os.environ["FAULTS_TEST_PID"]):
                    raise RuntimeError("speech runs in the test process: a crash would end the test run")
                os._exit(3)
            if mode == "slow":
                Path(os.environ["FAULTS_MARKER"]).touch()
                time.sleep(60)
        with log.open("a", encoding="utf-8") as fh:
            fh.write(text + "\n")
        return fakeengine.FakeEngine().synthesize(text, voice=voice, rate=rate, language=language)


FLAKY = EngineInfo(name="flaky", factory="test_faults:FlakyEngine", voices=("tone",), default_voice="tone",
                   offline=True, summary="test tone engine that fails on demand")

RUNNER = f"""
import sys
sys.path.insert(0, {str(TESTS)!r})
import test_faults
from support import fakeengine
from audio_guide import engines
engines.register(fakeengine.INFO)
engines.register(test_faults.FLAKY)
from audio_guide.cli import main
sys.argv[0] = "audio-guide"
main()
"""
"""``python -c RUNNER build ...`` is ``audio-guide build ...`` with the test engines registered."""


# -- helpers ----------------------------------------------------------------------------






def leftovers(folder: Path) -> list[str]:
    """Temporary files: the build writes ``.NAME.xxxx.part`` files, and nothing else hidden."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.name.startswith("."))


def cache_problems(root: Path) -> list[str]:
    """Temporary files in the speech cache, and entries that fail their checksum."""
    problems: list[str] = []
    cache = SpeechCache(root)
    for path in sorted(cache.speech.rglob("*")) if cache.speech.is_dir() else []:
        if path.is_dir():
            continue
        if path.suffix != ".clip":
            problems.append(f"stray file {path.relative_to(root)}")
        elif cache.get(path.stem, HOUSE_RATE) is None:
            problems.append(f"damaged entry {path.relative_to(root)}")
    return problems


def last_error(stderr: str) -> str:
    """The final line of stderr (the progress bar may come before it); no traceback anywhere."""
    assert "Traceback" not in stderr, stderr
    assert stderr.endswith("\n"), stderr
    return stderr.splitlines()[-1]


def spoken(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def feed_sizes(out: Path) -> dict[str, int]:
    """File name -> enclosure length, as a podcast app reads ``feed.xml``."""
    import podcastparser

    with (out / "feed.xml").open("rb") as fh:
        items = podcastparser.parse("file:///feed.xml", fh)["episodes"]
    return {e["enclosures"][0]["url"].rsplit("/", 1)[1]: e["enclosures"][0]["file_size"] for e in items}


def guide_sizes(out: Path) -> dict[str, int]:
    """Each guide's MP3 -> its size, after checking the guide is whole and agrees with itself:
    the MP3 has the size and length its record gives, and the transcripts hold its lines."""
    from support.audiocheck import MP3_END_SLACK_SAMPLES, decode_mp3

    sizes = {}
    records = sorted(out.glob("*.episode.json"))
    assert records
    for record in records:
        episode = json.loads(record.read_text(encoding="utf-8"))
        mp3 = out / episode["mp3"]
        assert mp3.stat().st_size == episode["size"], record.name
        decoded = len(decode_mp3(mp3))
        assert 0 <= decoded - round(episode["duration"] * HOUSE_RATE) <= MP3_END_SLACK_SAMPLES, record.name
        vtt = (out / episode["transcript_vtt"]).read_text(encoding="utf-8")
        assert vtt.count(" --> ") == len(episode["cues"]) and all(c["text"] in vtt for c in episode["cues"])
        txt = (out / episode["transcript_txt"]).read_text(encoding="utf-8")
        assert all(c["text"] in txt for c in episode["cues"])
        sizes[episode["mp3"]] = episode["size"]
    return sizes


def assert_complete(out: Path) -> None:
    """No temporary file; every guide whole; the feed lists exactly these files at these sizes."""
    assert leftovers(out) == []
    assert feed_sizes(out) == guide_sizes(out)


def wait_for(path: Path, proc: subprocess.Popen, seconds: float = 30) -> None:  # type: ignore[type-arg]
    deadline = time.monotonic() + seconds
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"the build ended ({proc.returncode}) before reaching the fault: "
                                 f"{proc.stderr.read() if proc.stderr else ''}")
        assert time.monotonic() < deadline, "the build never reached the fault"
        time.sleep(0.02)


# -- fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def earlier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One build of two guides (``calm`` and ``other``, fake voice), made once for the module."""
    root = tmp_path_factory.mktemp("faults")
    project = root / "project"
    (project / "scripts").mkdir(parents=True)
    for slug in ("calm", "other"):
        (project / "scripts" / f"{slug}.yaml").write_text(GOOD.format(title=slug.title(), last=f"{slug} rest."))
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(project)
        mp.setenv("AUDIO_GUIDE_CACHE_DIR", str(root / "cache"))
        engines.register(fakeengine.INFO)
        result = run("build")
    assert result.exit_code == 0, result.stderr
    return root


@pytest.fixture
def site(earlier: Path, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """This test's project: the earlier build's output and cache, and the flaky engine registered.

    Returns the project folder; the cache is ``tmp_path / "cache"`` (``$AUDIO_GUIDE_CACHE_DIR``).
    (The podcast cover embedded in the MP3s is kept in the cache, and its path is part of a
    guide's fingerprint: with the cache moved, the next build remakes every guide, from cached
    speech.)
    """
    shutil.rmtree(project / "output")
    shutil.copytree(earlier / "project" / "output", project / "output")
    shutil.copytree(earlier / "project" / "scripts", project / "scripts", dirs_exist_ok=True)
    shutil.copytree(earlier / "cache", tmp_path / "cache")
    monkeypatch.setenv("FAULTS_LOG", str(tmp_path / "spoken.log"))
    monkeypatch.setenv("FAULTS_MARKER", str(tmp_path / "reached"))
    monkeypatch.setenv("FAULTS_TEST_PID", str(os.getpid()))
    monkeypatch.delenv("AUDIO_GUIDE_FFMPEG", raising=False)
    engines.register(FLAKY)
    ffmpeg_exe.cache_clear()
    yield project
    engines.unregister("flaky")
    ffmpeg_exe.cache_clear()


def edit_calm(project: Path, engine: str = "flaky") -> None:
    """The calm guide, now in another voice and with a second line: three sentences to speak."""
    (project / "scripts" / "calm.yaml").write_text(
        GOOD.format(title="Calm", last="Hold it gently. And rest now.").replace("engine: fake", f"engine: {engine}"))


def fail(monkeypatch: pytest.MonkeyPatch, mode: str, at: int) -> None:
    monkeypatch.setenv("FAULTS_MODE", mode)
    monkeypatch.setenv("FAULTS_FAIL_AT", str(at))


def heal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FAULTS_MODE", raising=False)
    monkeypatch.delenv("FAULTS_FAIL_AT", raising=False)


def check_failed_run(result, site: Path, before: dict, cache: Path) -> str:  # type: ignore[no-untyped-def,type-arg]
    assert result.exit_code == 1, (result.exit_code, result.stderr)
    assert snapshot(site / "output") == before
    assert leftovers(site / "output") == []
    assert cache_problems(cache) == []
    line = last_error(result.stderr)
    assert line.startswith("error: "), line
    return line


def check_second_run(site: Path, log: Path, expected_spoken: list[str]) -> None:
    result = run("build")
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert spoken(log) == expected_spoken
    assert_complete(site / "output")
    assert "Hold it gently. And rest now." in (site / "output" / "calm.txt").read_text(encoding="utf-8")


# -- the speech engine fails half way ---------------------------------------------------


@pytest.mark.parametrize(("mode", "message"), [
    ("engine", "error: the flaky speech service stopped answering; try again later."),
    ("network", "error: the flaky engine failed: [Errno 104] Connection reset by peer"),
    ("bug", "error: the flaky engine failed: index out of range in the voice model"),
    ("crash", "error: the flaky engine stopped unexpectedly (exit code 3); run the build again."),
])
def test_engine_failing_half_way(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str,
                                 message: str) -> None:
    edit_calm(site)
    before = snapshot(site / "output")
    fail(monkeypatch, mode, at=1)
    result = run("build")
    line = check_failed_run(result, site, before, tmp_path / "cache")
    assert line == message
    log = tmp_path / "spoken.log"
    assert spoken(log) == SENTENCES[:1]  # the first sentence was spoken, and kept in the cache
    heal(monkeypatch)
    check_second_run(site, log, SENTENCES)  # ... so the second run speaks only the other two


def test_a_later_guide_failing_leaves_the_finished_ones_complete_and_the_feed_true(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``calm`` is rebuilt, then ``other`` fails: calm's new files are whole, other's old ones
    untouched, and the feed still describes the files that are there."""
    edit_calm(site, engine="fake")
    (site / "scripts" / "other.yaml").write_text(
        GOOD.format(title="Other", last="Now other rest.").replace("engine: fake", "engine: flaky"))
    old_other = {k: v for k, v in snapshot(site / "output").items() if k.startswith("other.")}
    fail(monkeypatch, "engine", at=0)
    result = run("build")
    assert result.exit_code == 1
    assert last_error(result.stderr) == "error: the flaky speech service stopped answering; try again later."
    now = snapshot(site / "output")
    assert {k: v for k, v in now.items() if k.startswith("other.")} == old_other
    assert "Hold it gently. And rest now." in (site / "output" / "calm.txt").read_text(encoding="utf-8")
    assert cache_problems(tmp_path / "cache") == []
    assert leftovers(site / "output") == []
    assert feed_sizes(site / "output") == guide_sizes(site / "output")  # the feed describes the files there


# -- gTTS: connection lost, rate limited ------------------------------------------------


@pytest.fixture
def gtts_server(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Google's side of gTTS, scripted: append 200, 429 (or another status) or an exception to
    the returned list; each request takes the next answer. gTTS's own request code runs.
    Backoff sleeps are recorded in ``$FAULTS_SLEEPS`` instead of slept."""
    import base64

    import requests
    from support.audiocheck import ffmpeg_exe as real_ffmpeg

    mp3 = subprocess.run([real_ffmpeg(), "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
                          "sine=f=300:d=0.4", "-ar", "24000", "-ac", "1", "-f", "mp3", "pipe:1"],
                         capture_output=True, check=True).stdout
    body = (")]}'\n\n[[\"wrb.fr\",\"jQ1olc\",\"[\\\"" + base64.b64encode(mp3).decode() + "\\\"]\",null]]\n").encode()
    answers: list[object] = []
    count = tmp_path / "requests"
    monkeypatch.setenv("FAULTS_SLEEPS", str(tmp_path / "sleeps"))

    def send(self: requests.Session, request: requests.PreparedRequest, **_kwargs: object) -> requests.Response:
        index = len(count.read_text()) if count.exists() else 0
        with count.open("a") as fh:  # the requests are made in the forked speech process: count in a file
            fh.write(".")
        answer = answers[index]
        if isinstance(answer, BaseException):
            raise answer
        response = requests.Response()
        response.status_code = int(answer)  # type: ignore[call-overload]
        response.reason = {200: "OK", 429: "Too Many Requests"}.get(response.status_code, "Error")
        response._content = body if response.status_code == 200 else b"{}"
        response._content_consumed = True  # type: ignore[attr-defined]
        response.request = request
        response.url = request.url or ""
        return response

    monkeypatch.setattr(requests.Session, "send", send)
    original = engines.info("gtts")
    engines.register(EngineInfo(name="gtts", factory="test_faults:QuickGtts", voices=None, default_voice="com",
                                offline=False, summary=original.summary))
    yield answers
    engines.register(original)


class QuickGtts:
    """The real gTTS engine, with its backoff sleeps written down rather than slept."""

    name = "gtts"

    @classmethod
    def identity(cls, voice: str | None) -> str:
        from audio_guide.engines.gtts_engine import GttsEngine

        return GttsEngine.identity(voice)

    def __new__(cls):  # type: ignore[no-untyped-def]
        from audio_guide.engines.gtts_engine import GttsEngine

        def sleep(seconds: float) -> None:
            with open(os.environ["FAULTS_SLEEPS"], "a") as fh:
                fh.write(f"{seconds:g}\n")
        return GttsEngine(sleep=sleep)


def sleeps(tmp_path: Path) -> list[str]:
    path = tmp_path / "sleeps"
    return path.read_text().split() if path.exists() else []


def test_gtts_connection_lost_half_way(site: Path, tmp_path: Path, gtts_server: list[object]) -> None:
    import requests

    edit_calm(site, engine="gtts")
    before = snapshot(site / "output")
    gtts_server += [200, requests.ConnectionError("Connection reset by peer")]
    result = run("build")
    assert check_failed_run(result, site, before, tmp_path / "cache") == (
        "error: gTTS could not connect to Google's text-to-speech service (no internet connection?); " + OFFLINE_HINT)
    assert sleeps(tmp_path) == []  # a lost connection is not retried: the usual cause is no network at all
    gtts_server += [200, 200]
    result = run("build")
    assert result.exit_code == 0, result.stderr
    assert len(gtts_server) == 4 and len((tmp_path / "requests").read_text()) == 4  # one request per new sentence
    assert_complete(site / "output")


def test_gtts_rate_limited_backs_off_then_gives_a_clear_error(site: Path, tmp_path: Path,
                                                               gtts_server: list[object]) -> None:
    edit_calm(site, engine="gtts")
    before = snapshot(site / "output")
    gtts_server += [200] + [429] * 5
    result = run("build")
    assert check_failed_run(result, site, before, tmp_path / "cache") == (
        "error: gTTS: Google kept refusing with 'too many requests' (HTTP 429) after 5 tries; wait a while, or "
        + OFFLINE_HINT)
    assert sleeps(tmp_path) == ["1", "2", "4", "8"]  # exponential backoff between the five tries
    (tmp_path / "sleeps").unlink()
    gtts_server += [429, 200, 200]  # later: one refusal, then the service answers again
    result = run("build")
    assert result.exit_code == 0, result.stderr
    assert sleeps(tmp_path) == ["1"]
    assert len((tmp_path / "requests").read_text()) == len(gtts_server)
    assert_complete(site / "output")


# -- ffmpeg fails -----------------------------------------------------------------------


def fake_ffmpeg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, on_encode: str, otherwise: str = "") -> None:
    """``AUDIO_GUIDE_FFMPEG`` -> a script running ``on_encode`` for the MP3 encode (``$out`` is the
    file ffmpeg would write: the last argument, or the file in the tee muxer's list that also feeds
    the meter), ``otherwise`` for every other call, then the real ffmpeg."""
    from support.audiocheck import ffmpeg_exe as real_ffmpeg

    script = tmp_path / "ffmpeg"
    script.write_text(f"""#!/bin/sh
for out; do :; done
case "$out" in *"|"*) out=${{out%%|*}}; out=${{out#*]}} ;; esac
case " $* " in
  *" libmp3lame "*) {on_encode} ;;
  *) {otherwise} ;;
esac
exec "{real_ffmpeg()}" "$@"
""")
    script.chmod(0o755)
    monkeypatch.setenv("AUDIO_GUIDE_FFMPEG", str(script))
    ffmpeg_exe.cache_clear()


def test_ffmpeg_encoder_failing_on_a_full_disk(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The encoder writes part of the MP3, then stops: the disk is full."""
    edit_calm(site, engine="fake")
    before = snapshot(site / "output")
    fake_ffmpeg(tmp_path, monkeypatch, on_encode='head -c 100000 >/dev/null; head -c 5000 /dev/urandom > "$out"; '
                "echo \"Error writing trailer of $out: No space left on device\" >&2; exit 1")
    result = run("build")
    assert check_failed_run(result, site, before, tmp_path / "cache") == (
        "error: ffmpeg could not encode calm.mp3: Error writing trailer of "
        + re.search(r"trailer of (\S+):", result.stderr)[1]  # type: ignore[index]
        + ": No space left on device")
    monkeypatch.delenv("AUDIO_GUIDE_FFMPEG")
    ffmpeg_exe.cache_clear()
    check_second_run(site, tmp_path / "spoken.log", [])


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="guides are encoded side by side only with two cores")
def test_guides_are_encoded_side_by_side_once_their_speech_is_made(site: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Two guides to make: once their speech is made, both encoders run at once. Each encoder
    waits (up to 30 s) to see the other start; one that had to wait it out leaves a mark."""
    edit_calm(site, engine="fake")
    started = tmp_path / "started"
    started.mkdir()
    fake_ffmpeg(tmp_path, monkeypatch, on_encode=(
        f'touch "{started}/$$"; i=0; while [ "$(ls "{started}" | wc -l)" -lt 2 ] && [ $i -lt 300 ]; '
        f'do sleep 0.1; i=$((i + 1)); done; [ $i -lt 300 ] || touch "{tmp_path / "alone"}"'))
    result = run("build")
    assert result.exit_code == 0, result.stderr
    assert len(list(started.iterdir())) >= 2 and not (tmp_path / "alone").exists()
    assert "Hold it gently. And rest now." in (site / "output" / "calm.txt").read_text(encoding="utf-8")
    assert_complete(site / "output")


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="guides are encoded side by side only with two cores")
def test_a_guide_failing_stops_the_guide_encoding_beside_it(site: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """``calm`` (first) fails to encode while ``other`` encodes beside it, slowly (60 s): ``other``'s
    encoder is stopped at once, and nothing of either is put in place, as if built one by one."""
    edit_calm(site, engine="fake")
    before = snapshot(site / "output")
    fake_ffmpeg(tmp_path, monkeypatch, on_encode=(
        f'case "$out" in *calm.mp3*) i=0; while [ ! -e "{tmp_path}/other.pid" ] && [ $i -lt 200 ]; '
        'do sleep 0.05; i=$((i + 1)); done; '
        'echo "Error writing trailer of $out: No space left on device" >&2; exit 1 ;; '
        f'*) echo $$ > "{tmp_path}/other.pid"; exec sleep 60 ;; esac'))
    began = time.monotonic()
    result = run("build")
    assert time.monotonic() - began < 30, "the other guide's encoder was waited for"
    assert re.fullmatch(r"error: ffmpeg could not encode calm\.mp3: Error writing trailer of \S+: No space left on device",
                        check_failed_run(result, site, before, tmp_path / "cache"))
    assert (tmp_path / "other.pid").exists(), "other was not encoding beside calm"
    assert not Path(f"/proc/{(tmp_path / 'other.pid').read_text().strip()}").exists()  # killed, and reaped
    monkeypatch.delenv("AUDIO_GUIDE_FFMPEG")
    ffmpeg_exe.cache_clear()
    check_second_run(site, tmp_path / "spoken.log", [])


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="guides are encoded side by side only with two cores")
def test_a_guide_failing_beside_an_earlier_one_lets_it_finish(site: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """``other`` (second) fails while ``calm`` (first) is still encoding: as built one by one,
    ``calm`` is finished and put in place, ``other`` is left as it was, and the feed lists both."""
    edit_calm(site, engine="fake")
    before = snapshot(site / "output")
    fake_ffmpeg(tmp_path, monkeypatch, on_encode=(
        f'case "$out" in *other.mp3*) echo "other failed" >&2; touch "{tmp_path}/other-failed"; exit 1 ;; '
        f'*) i=0; while [ ! -e "{tmp_path}/other-failed" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done ;; '
        'esac'))
    result = run("build")
    assert result.exit_code == 1
    assert last_error(result.stderr) == "error: ffmpeg could not encode other.mp3: other failed"
    after = snapshot(site / "output")
    assert {k: v for k, v in after.items() if k.startswith("other.")} == \
        {k: v for k, v in before.items() if k.startswith("other.")}
    assert after["calm.mp3"] != before["calm.mp3"]
    assert "Hold it gently. And rest now." in (site / "output" / "calm.txt").read_text(encoding="utf-8")
    assert_complete(site / "output")


def test_ffmpeg_failing_for_everything(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A broken ffmpeg: the first call (measuring the new guide's mix) already fails."""
    edit_calm(site, engine="fake")
    (site / "output" / "calm.episode.json").unlink()  # no earlier gain to start from: the mix is measured first
    before = snapshot(site / "output")
    fake_ffmpeg(tmp_path, monkeypatch, on_encode="echo 'ffmpeg: broken' >&2; exit 1",
                otherwise="echo 'ffmpeg: broken' >&2; exit 1")
    result = run("build")
    line = check_failed_run(result, site, before, tmp_path / "cache")
    monkeypatch.delenv("AUDIO_GUIDE_FFMPEG")
    ffmpeg_exe.cache_clear()
    check_second_run(site, tmp_path / "spoken.log", [])
    assert "ffmpeg" in line, line


def test_ffmpeg_missing(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edit_calm(site, engine="fake")
    before = snapshot(site / "output")
    monkeypatch.setenv("AUDIO_GUIDE_FFMPEG", str(tmp_path / "no-such-ffmpeg"))
    ffmpeg_exe.cache_clear()
    result = run("build")
    assert check_failed_run(result, site, before, tmp_path / "cache") == (
        f"error: AUDIO_GUIDE_FFMPEG is set to '{tmp_path / 'no-such-ffmpeg'}', which is not a program that can be "
        "run; correct it, or unset it to use the ffmpeg that imageio-ffmpeg ships.")


# -- the disk fills up ------------------------------------------------------------------


@pytest.mark.parametrize("named", [False, True], ids=["write-fails", "create-fails"])
def test_disk_full_while_writing_a_transcript(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              named: bool) -> None:
    """The MP3 is written; then the disk is full half way through ``calm.srt``."""
    from audio_guide.files import Staged

    edit_calm(site, engine="fake")
    before = snapshot(site / "output")
    real = Staged.text

    def text(self: Staged, target: Path, content: str) -> None:
        if target.name != "calm.srt":
            return real(self, target, content)
        tmp = self.path(target)
        tmp.write_text(content[:7])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), *([str(tmp)] if named else []))

    monkeypatch.setattr(Staged, "text", text)
    result = run("build")
    line = check_failed_run(result, site, before, tmp_path / "cache")
    where = r" \((\S*/)?output/calm\.srt\)" if named else ""  # the file being made, not its temporary name
    assert re.fullmatch(rf"error: the disk is full{where}; no temporary file was left in the output folder\.", line)
    monkeypatch.setattr(Staged, "text", real)
    check_second_run(site, tmp_path / "spoken.log", [])


def test_disk_full_in_the_speech_cache(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second new clip cannot be written: no half entry stays, the first one is kept."""
    import audio_guide.audio.cache

    class FullDisk:
        """``os`` for cache.py, whose files take the header, then fail: the disk is full."""

        puts = 0

        def __getattr__(self, name: str) -> object:
            return getattr(os, name)

        def fdopen(self, fd: int, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
            handle = os.fdopen(fd, *args, **kwargs)  # type: ignore[call-overload]
            FullDisk.puts += 1
            if FullDisk.puts < 2:
                return handle
            real_write = handle.write

            def write(data: bytes) -> int:
                if len(data) > 100:
                    real_write(data[:100])
                    handle.flush()
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                return real_write(data)
            handle.write = write
            return handle

    edit_calm(site)
    before = snapshot(site / "output")
    monkeypatch.setattr(audio_guide.audio.cache, "os", FullDisk())
    result = run("build")
    line = check_failed_run(result, site, before, tmp_path / "cache")
    assert "No space left on device" in line or "the disk is full" in line, line
    first = spoken(tmp_path / "spoken.log")
    # the worker may have spoken ahead while the second clip failed to store; never fewer than two
    assert first[:2] == SENTENCES[:2] and first == SENTENCES[:len(first)]
    monkeypatch.setattr(audio_guide.audio.cache, "os", os)
    check_second_run(site, tmp_path / "spoken.log", first + SENTENCES[1:])  # only the unstored ones again


def test_a_rename_failing_half_way_leaves_no_temporary_file(site: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Renames put a guide's files in place one after the other; if one fails, the files not yet
    renamed are removed, and since the episode record goes last, the next build sees the guide
    as out of date and makes it again."""
    import audio_guide.files

    edit_calm(site, engine="fake")
    real = os.replace

    def replace(src: str, dst: str) -> None:
        if Path(dst).name == "calm.srt":
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(dst))
        real(src, dst)

    monkeypatch.setattr(audio_guide.files.os, "replace", replace)
    result = run("build")
    monkeypatch.setattr(audio_guide.files.os, "replace", real)
    assert result.exit_code == 1
    assert re.fullmatch(r"error: Input/output error \((\S*/)?output/calm\.srt\); .*", last_error(result.stderr))
    assert leftovers(site / "output") == []
    result = run("build")
    assert result.exit_code == 0, result.stderr
    assert "calm.mp3" in result.stdout and "(up to date)" not in result.stdout.splitlines()[0]
    assert_complete(site / "output")


# -- interrupted: Ctrl-C, SIGTERM, SIGKILL ----------------------------------------------


def start_build(site: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:  # type: ignore[type-arg]
    return subprocess.Popen([sys.executable, "-c", RUNNER, "build", *args], cwd=site, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                            env={**os.environ, **(env or {})})


@pytest.mark.parametrize(("sig", "group", "phase"), [
    pytest.param(signal.SIGINT, True, "speech", id="ctrl-c-while-speaking"),
    pytest.param(signal.SIGTERM, False, "speech", id="sigterm-while-speaking"),
    pytest.param(signal.SIGTERM, False, "encode", id="sigterm-while-encoding"),
])
def test_interrupted(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sig: signal.Signals,
                     group: bool, phase: str) -> None:
    """Ctrl-C reaches the whole process group (the speech process and ffmpeg too); ``kill``
    sends SIGTERM to the build alone. Either way: exit 130, nothing partial, cache sound."""
    edit_calm(site)
    before = snapshot(site / "output")
    if phase == "speech":
        fail(monkeypatch, "slow", at=1)
    else:
        fake_ffmpeg(tmp_path, monkeypatch, on_encode=f'touch "{tmp_path / "reached"}"; exec sleep 60')
    clips_before = _clips(tmp_path / "cache")
    proc = start_build(site)
    wait_for(tmp_path / "reached", proc)
    sent = time.monotonic()
    if group:
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)
    _out, err = proc.communicate(timeout=90)  # generous: a loaded CI machine is slow
    assert time.monotonic() - sent < 30, "the build waited for its encoders (60 s each) to finish"
    assert proc.returncode == 130, err
    assert last_error(err) == INTERRUPTED
    assert snapshot(site / "output") == before
    assert leftovers(site / "output") == []
    assert cache_problems(tmp_path / "cache") == []
    heal(monkeypatch)
    monkeypatch.delenv("AUDIO_GUIDE_FFMPEG", raising=False)
    ffmpeg_exe.cache_clear()
    first = spoken(tmp_path / "spoken.log")
    if phase == "speech":
        # the interrupt came while speaking the second sentence; the first was kept unless the
        # interrupt landed while it was being stored, in which case it is spoken again
        assert first[:1] == SENTENCES[:1]
        kept = first[:1] if _clips(tmp_path / "cache") > clips_before else []
        check_second_run(site, tmp_path / "spoken.log", first + [s for s in SENTENCES if s not in kept])
    else:
        check_second_run(site, tmp_path / "spoken.log", first)  # all speech was made before encoding


def _clips(cache: Path) -> int:
    return len(list((cache / "speech").rglob("*.clip")))


def test_killed_outright(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGKILL (or a power cut) cannot be cleaned up after: earlier outputs are still intact and
    the next build completes. Whether it also clears the temporary file left behind is checked last."""
    edit_calm(site)
    before = snapshot(site / "output")
    fake_ffmpeg(tmp_path, monkeypatch, on_encode=f'touch "{tmp_path / "reached"}"; exec sleep 60')
    proc = start_build(site)
    wait_for(tmp_path / "reached", proc)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert {k: v for k, v in snapshot(site / "output").items() if not Path(k).name.startswith(".")} == before
    assert cache_problems(tmp_path / "cache") == []
    monkeypatch.delenv("AUDIO_GUIDE_FFMPEG")
    ffmpeg_exe.cache_clear()
    result = run("build")
    assert result.exit_code == 0, result.stderr
    assert feed_sizes(site / "output") == guide_sizes(site / "output")  # a stale temporary file is never offered
    assert leftovers(site / "output") == []  # the next build clears what the killed one left


# -- two builds at once -----------------------------------------------------------------



@pytest.mark.parametrize("cache", [
    pytest.param(None, id="same-cache"),
    # not strict: the mix-up needs the second build to overtake the first, which a loaded machine may not see
    pytest.param("other-cache", id="another-cache"),
])
def test_two_builds_at_once_both_succeed_and_leave_whole_files(site: Path, tmp_path: Path, cache: str | None) -> None:
    """Same project and output folder; different speaking rates, so their files differ.

    The first build is slowed down on the second guide, so that without the output lock the
    second build would overtake it: ``calm`` from the second and ``other`` from the first. With
    the lock the second waits; at the end both builds succeeded, every guide is whole, both
    guides come from one build, and the feed matches the files.
    """
    for slug, words in (("calm", "Calm rest."), ("other", "Also rest.")):  # as long: as long a guide
        (site / "scripts" / f"{slug}.yaml").write_text(
            GOOD.format(title=slug.title(), last=words).replace("engine: fake", "engine: flaky"))
    first = start_build(site, "--rate", "0.9", env={"FAULTS_DELAY": "Also rest.|1.5"})
    time.sleep(0.3)
    second = start_build(site, "--rate", "1.1", *(["--cache-dir", str(tmp_path / cache)] if cache else []))
    for proc in (first, second):
        _out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert "Traceback" not in err, err
    assert_complete(site / "output")
    assert cache_problems(tmp_path / "cache") == []
    durations = {json.loads(p.read_text())["duration"] for p in (site / "output").glob("*.episode.json")}
    assert len(durations) == 1, durations


# -- exit codes -------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "code"), [
    pytest.param(["build"], 0, id="success"),
    pytest.param(["build", "--engine", "flaky"], 1, id="build-failure"),
    pytest.param(["build", "--rate", "9"], 2, id="bad-option-value"),
    pytest.param(["build", "--jobs", "0"], 2, id="option-out-of-range"),
    pytest.param(["build", "--no-such-option"], 2, id="unknown-option"),
    pytest.param(["frobnicate"], 2, id="unknown-command"),
    pytest.param(["validate", "scripts/missing.yaml"], 2, id="missing-script"),
])
def test_exit_codes(site: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], code: int) -> None:
    fail(monkeypatch, "engine", at=0)
    result = run(*args)
    assert result.exit_code == code, result.stderr
    assert "Traceback" not in result.stderr
    if code:
        assert result.stderr.splitlines()[-1].startswith(("error: ", "Error: ")), result.stderr


def test_exit_codes_are_documented() -> None:
    readme = (TESTS.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("### Exit codes", 1)[1].split("\n## ", 1)[0]
    codes = {int(m[1]) for m in re.finditer(r"^\| (\d+) \|", table, re.M)}
    assert codes == {0, 1, 2, 130}
