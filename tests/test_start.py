"""``init`` starts a project that builds and publishes with no other step; ``schema`` gives
editors both formats; neither ever overwrites a file it did not make."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator
from support.cli import run
from support.folders import snapshot

from audio_guide.podcast import APPLE_CATEGORIES, load_podcast, podcast_schema
from audio_guide.podcast.config import CONFIG_KEYS, PODCAST_TYPES
from audio_guide.script import load_script


def test_init_then_build_publishes_with_no_other_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("init", "night-guides", "--title", "Night Guides")
    assert result.exit_code == 0, result.stderr
    root = tmp_path / "night-guides"
    assert (root / ".gitignore").read_text().splitlines()[-1] == "output/"
    assert (root / "sounds").is_dir() and (root / "art").is_dir()
    podcast = load_podcast(root / "scripts" / "podcast.yaml")
    assert podcast.title == "Night Guides" and podcast.kind == "episodic"
    monkeypatch.chdir(root)
    built = run("build")  # the real offline voice
    assert built.exit_code == 0, built.stderr
    [mp3] = (root / "output").glob("*.mp3")
    feed = (root / "output" / "feed.xml").read_text(encoding="utf-8")
    assert f"https://example.org/night-guides/{mp3.name}" in feed and "<itunes:episode>1</itunes:episode>" in feed
    assert (root / "output" / "index.html").is_file()


def test_the_scripts_init_writes_are_valid_for_their_schemas(tmp_path: Path) -> None:
    assert run("init", str(tmp_path / "p")).exit_code == 0
    scripts = tmp_path / "p" / "scripts"
    schemas = tmp_path / "p" / "schemas"
    for script, schema in (("night-cramp-stretch.yaml", "guide.schema.json"), ("podcast.yaml", "podcast.schema.json")):
        text = (scripts / script).read_text(encoding="utf-8")
        assert text.startswith(f"# yaml-language-server: $schema=../schemas/{schema}\n")  # works outside this repo
        validator = Draft202012Validator(json.loads((schemas / schema).read_text(encoding="utf-8")))
        assert list(validator.iter_errors(yaml.safe_load(text))) == []
    guide = load_script(scripts / "night-cramp-stretch.yaml")
    assert guide.episode == 1 and len(guide.sections) == 2


@pytest.mark.parametrize("existing", [".gitignore", "scripts/podcast.yaml", "schemas/guide.schema.json"])
def test_init_never_overwrites(tmp_path: Path, existing: str) -> None:
    target = tmp_path / "p" / existing
    target.parent.mkdir(parents=True)
    target.write_text("mine\n")
    before = snapshot(tmp_path / "p")
    result = run("init", str(tmp_path / "p"))
    assert result.exit_code == 2
    assert result.stderr == (f"error: {target} already exists; audio-guide init never overwrites a file. "
                             "Choose an empty folder, or remove it.\n")
    assert snapshot(tmp_path / "p") == before  # nothing else was written either


def test_schema_writes_both_into_the_project(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "art").mkdir()
    monkeypatch.chdir(project / "art")  # anywhere inside the project
    result = run("schema")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (project / "schemas").iterdir()) == ["guide.schema.json", "podcast.schema.json"]


def test_the_podcast_schema_follows_the_reader() -> None:
    schema = podcast_schema()
    Draft202012Validator.check_schema(schema)
    assert list(schema["properties"]) == list(CONFIG_KEYS)
    assert schema["properties"]["category"]["enum"] == list(APPLE_CATEGORIES)
    assert schema["properties"]["type"]["enum"] == list(PODCAST_TYPES)
    validator = Draft202012Validator(schema)
    good = {"title": "T", "description": "D", "author": "A", "owner": {"email": "a@example.org"},
            "category": "Health & Fitness", "base_url": "https://example.org/x/"}
    assert list(validator.iter_errors(good)) == []
    assert list(validator.iter_errors({**good, "category": "Health and Fitness"}))
    assert list(validator.iter_errors({**good, "colour": "blue"}))
