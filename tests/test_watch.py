"""``watch``: save a changed line, and the page in a real browser shows the new build; a broken
save shows its error on the page and in the terminal, and the watcher keeps going."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Callable, Iterator

import pytest
from test_page import CHROMIUM_ARGS, chromium

from audio_guide.pipeline import Options
from audio_guide.project import Project
from audio_guide.studio import LiveState, Studio, serve

SCRIPT = """\
title: Watched
description: D
voice: {engine: fake}
sound: {ambience: none, fade_out: 1s}
sections:
  - title: S
    steps:
      - say: Rest.
"""


@pytest.fixture
def studio(project: Path) -> Iterator[tuple[str, list[tuple[str, bool]]]]:
    """A watcher on its own thread and its server; yields the page's address and the terminal lines."""
    (project / "scripts" / "w.yaml").write_text(SCRIPT, encoding="utf-8")
    state = LiveState()
    server = serve(project / "output", state)
    lines: list[tuple[str, bool]] = []
    watcher = Studio(Project(Path("scripts")), Options(out_dir=Path("output")), state,
                     lambda text, error: lines.append((text, error)))
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
    thread.start()
    until(lambda: state.version >= 1, "the first build")
    yield f"http://127.0.0.1:{server.server_address[1]}/", lines
    stop.set()
    thread.join(timeout=10)
    server.shutdown()
    server.server_close()
    assert not thread.is_alive()


def until(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_the_server_adds_live_reload_only_to_what_it_sends(project: Path,
                                                            studio: tuple[str, list[tuple[str, bool]]]) -> None:
    address, _lines = studio
    sent = urllib.request.urlopen(address).read().decode("utf-8")
    assert "/__status" in sent
    assert "/__status" not in (project / "output" / "index.html").read_text(encoding="utf-8")  # published as is
    assert urllib.request.urlopen(address + "w.mp3").read(3) in (b"ID3",)
    assert server_refuses_outside(address)


def server_refuses_outside(address: str) -> bool:
    try:
        urllib.request.urlopen(address + "../scripts/w.yaml")
    except urllib.error.HTTPError as exc:
        return exc.code == 404
    return False


def test_saving_a_line_reloads_the_page_with_the_new_duration_in_chromium(
        project: Path, studio: tuple[str, list[tuple[str, bool]]]) -> None:
    address, lines = studio
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(address)
            duration = page.locator("#w .muted").first
            before = duration.inner_text()
            script = project / "scripts" / "w.yaml"
            script.write_text(SCRIPT.replace("Rest.", "Rest now, and let the leg grow heavy and warm and still."),
                              encoding="utf-8")
            page.wait_for_function(f"document.querySelector('#w .muted').innerText !== {before!r}", timeout=20_000)
            after = duration.inner_text()
            assert after != before
            # a broken save: the error shows on the page, the watcher keeps running
            script.write_text(SCRIPT + "  - title: [\n", encoding="utf-8")
            banner = page.locator("#audio-guide-watch-error")
            banner.wait_for(state="visible", timeout=20_000)
            assert re.search(r"scripts/w\.yaml:\d+:\d+: YAML syntax error", banner.inner_text())
            assert any(error and "YAML syntax error" in text for text, error in lines)
            # fixed again: the banner goes and the page shows the build
            script.write_text(SCRIPT, encoding="utf-8")
            page.wait_for_function(f"document.querySelector('#w .muted') && "
                                   f"document.querySelector('#w .muted').innerText === {before!r}", timeout=20_000)
            assert not page.locator("#audio-guide-watch-error").is_visible()
        finally:
            browser.close()


def test_the_command_reports_errors_keeps_serving_and_stops_cleanly_on_ctrl_c(project: Path) -> None:
    (project / "scripts" / "w.yaml").write_text("title: [\n", encoding="utf-8")  # broken from the start
    process = subprocess.Popen([sys.executable, "-m", "audio_guide", "watch"], cwd=project, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        match = re.fullmatch(r"serving output/ at (http://127\.0\.0\.1:\d+/)  \(Ctrl-C to stop\)\n", first)
        assert match, first
        until(lambda: b"YAML syntax error" in urllib.request.urlopen(match[1] + "__status").read(), "the error")
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert out == "stopped\n"
    assert re.fullmatch(r"error: scripts/w\.yaml:\d+:\d+: YAML syntax error: .*\n", err), err
