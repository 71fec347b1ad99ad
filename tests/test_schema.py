"""The JSON Schema editors use (audio_guide/script/guide.schema.json) says what the loader accepts.

The schema sees what ``yaml.safe_load`` makes of a script; the loader reads the YAML nodes and also
checks what a schema cannot (files exist, a reminder is shorter than its hold, totals). These tests
keep the two from drifting apart: same keys, same built-ins and defaults, same verdict on the
documents below, and the same reading of durations and levels.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from support.media import tone_wav

from audio_guide import engines, voices
from audio_guide.errors import ScriptError
from audio_guide.podcast import make_cover
from audio_guide.script import (
    AUDIO_EXTENSIONS,
    load_script,
    model,
    parse_duration,
    parse_level,
)
from audio_guide.script.loader import (
    SECTION_KEYS,
    SOUND_KEYS,
    STEP_KINDS,
    STEP_OPTIONS,
    TOP_KEYS,
)
from audio_guide.script.voices import VOICE_KEYS

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "audio_guide" / "script" / "guide.schema.json"
SCHEMA: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
DEFS: dict[str, Any] = SCHEMA["$defs"]
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
SCRIPTS = sorted(p for p in (ROOT / "scripts").glob("*.yaml") if p.name != "podcast.yaml")
MODELINE = "# yaml-language-server: $schema=../audio_guide/script/guide.schema.json"
WAV = tone_wav(2.0)


def plain(value: Any) -> Any:
    """What an editor's YAML parser hands the schema: dates as the ISO text they were written as."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {plain(k) if isinstance(k, (dt.date, dt.datetime)) else k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


class _EditorLoader(yaml.SafeLoader):
    """PyYAML, but with dates left as written, as editors' YAML 1.2 parsers leave them (even 2026-02-30)."""


_EditorLoader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def schema_accepts(text: str) -> bool:
    return VALIDATOR.is_valid(yaml.load(text, Loader=_EditorLoader))  # noqa: S506 - a SafeLoader subclass


def loader_accepts(path: Path, text: str) -> bool:
    path.write_text(text, encoding="utf-8")
    try:
        load_script(path)
    except ScriptError:
        return False
    return True


def guide(steps: str = "      - say: Hello.\n", top: str = "") -> str:
    return f"title: T\ndescription: D\n{top}sections:\n  - title: S\n    steps:\n{steps}"


@pytest.fixture
def scripts(tmp_path: Path) -> Path:
    folder = tmp_path / "project" / "scripts"
    folder.mkdir(parents=True)
    (folder / "bed.wav").write_bytes(WAV)
    (folder / "LOUD.WAV").write_bytes(WAV)
    (folder / "notes.txt").write_text("notes")
    return folder


# -- the schema itself ------------------------------------------------------------------


def test_schema_is_valid_draft_2020_12() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["$id"] and SCHEMA["title"] and SCHEMA["description"]


def _walk(node: Any, where: str = "#") -> Any:
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from _walk(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{where}/{i}")


def test_every_property_has_a_description() -> None:
    """Editors show these as help on hover: none may be missing."""
    missing = []
    for where, node in _walk(SCHEMA):
        if where.endswith("/properties") or {"if", "else"} & set(where.split("/")):
            continue  # a property named "properties", or a condition's extra constraint on a described one
        for key, prop in node.get("properties", {}).items():
            if "description" not in prop:
                missing.append(f"{where}/properties/{key}")
    for name, definition in DEFS.items():
        if "description" not in definition:
            missing.append(f"#/$defs/{name}")
    assert missing == []


def test_every_object_is_closed() -> None:
    objects = [(where, node) for where, node in _walk(SCHEMA) if node.get("type") == "object"]
    assert len(objects) == 5 + 5  # the script, voice, sound, lexicon, section; the five steps
    for where, node in objects:
        if where.endswith("/lexicon"):
            continue
        assert node.get("additionalProperties") is False, where


# -- no drift from the loader -----------------------------------------------------------


def test_keys_match_the_loader() -> None:
    assert list(SCHEMA["properties"]) == list(TOP_KEYS)
    assert list(DEFS["voice"]["properties"]) == list(VOICE_KEYS)
    assert list(DEFS["sound"]["properties"]) == list(SOUND_KEYS)
    assert list(DEFS["section"]["properties"]) == list(SECTION_KEYS)
    assert SCHEMA["required"] == ["title", "description", "sections"]
    assert DEFS["section"]["required"] == ["title", "steps"]


def test_step_kinds_and_options_match_the_loader() -> None:
    assert [ref["$ref"] for ref in DEFS["step"]["anyOf"]] == [f"#/$defs/{kind}Step" for kind in STEP_KINDS]
    for kind in STEP_KINDS:
        step = DEFS[f"{kind}Step"]
        assert list(step["properties"]) == [kind, *STEP_OPTIONS[kind]], kind
        assert kind in step["required"]
        assert step["additionalProperties"] is False


def test_builtin_sounds_match_the_model() -> None:
    sound = DEFS["sound"]["properties"]
    assert sound["ambience"]["anyOf"][0]["enum"] == ["none", *model.BUILTIN_BEDS]
    assert sound["cue"]["anyOf"][0]["enum"] == ["none", *model.BUILTIN_CUES]
    assert DEFS["cueStep"]["properties"]["cue"]["anyOf"][0]["enum"] == ["none", *model.BUILTIN_CUES]
    assert DEFS["holdStep"]["properties"]["cue"]["anyOf"][0]["enum"] == ["none", *model.BUILTIN_CUES]


def test_engines_and_voices_match_the_registry() -> None:
    built_in = [name for name in engines.names() if engines.info(name).factory.startswith("audio_guide.")]
    assert DEFS["voice"]["properties"]["engine"]["enum"] == built_in
    assert DEFS["voice"]["else"]["properties"]["name"]["pattern"] == voices.store.NAME.pattern  # any piper voice
    assert DEFS["voice"]["if"]["properties"]["engine"]["const"] == "gtts"
    assert DEFS["voice"]["then"]["properties"]["name"]["enum"] == list(engines.voice_names("gtts") or ())


def test_defaults_match_the_model() -> None:
    top, voice, sound = SCHEMA["properties"], DEFS["voice"]["properties"], DEFS["sound"]["properties"]
    assert top["language"]["default"] == model.Guide.language
    assert (top["author"]["default"], top["album"]["default"], top["genre"]["default"]) == (
        model.Guide.author, model.Guide.album, model.Guide.genre)
    assert voice["engine"]["default"] == model.DEFAULT_ENGINE
    assert voice["rate"]["default"] == model.DEFAULT_RATE
    assert parse_duration(voice["sentence_pause"]["default"]) == model.DEFAULT_SENTENCE_PAUSE
    assert parse_duration(voice["paragraph_pause"]["default"]) == model.DEFAULT_PARAGRAPH_PAUSE
    assert sound["ambience"]["default"] == model.Sound.ambience
    assert sound["cue"]["default"] == model.Sound.cue
    assert parse_level(sound["loudness"]["default"], "LUFS") == model.DEFAULT_LOUDNESS
    assert parse_level(sound["ambience_level"]["default"], "dB") == model.DEFAULT_AMBIENCE_LEVEL
    assert parse_level(sound["duck"]["default"], "dB") == model.DEFAULT_DUCK
    assert parse_duration(sound["fade_out"]["default"]) == model.DEFAULT_FADE_OUT
    assert parse_duration(sound["fade_in"]["default"]) == model.DEFAULT_FADE_IN
    assert parse_duration(sound["tail"]["default"]) == model.Sound.tail


def test_audio_path_pattern_knows_every_extension() -> None:
    pattern = re.compile(DEFS["audioPath"]["pattern"])
    for ext in AUDIO_EXTENSIONS:
        assert pattern.search(f"../sounds/bed{ext}") and pattern.search(f"bed{ext.upper()}"), ext
    for name in ("bed.txt", "bed", ".wav", "sounds/.wav", "/abs/bed.wav", "bed.wav.txt"):
        assert not pattern.search(name), name


# -- the project's scripts --------------------------------------------------------------


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_scripts_validate(path: Path) -> None:
    document = plain(yaml.safe_load(path.read_text(encoding="utf-8")))
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(document)]
    assert errors == []


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_scripts_name_the_schema_on_their_first_line(path: Path) -> None:
    assert path.read_text(encoding="utf-8").splitlines()[0] == MODELINE
    assert (path.parent / "../audio_guide/script/guide.schema.json").resolve() == SCHEMA_PATH


def test_there_are_scripts() -> None:
    assert len(SCRIPTS) >= 3


# -- schema and loader agree on whole documents ------------------------------------------

VALID = {
    "minimal": guide(),
    "full": (ROOT / "tests" / "test_script.py").read_text(encoding="utf-8").split('FULL = """\\\n')[1].split('"""')[0]
    .replace("../art/cover.png", "cover.png").replace("../sounds/bed.wav", "bed.wav"),
    "say-words-yaml-reads-as-other-types": guide("      - say: Yes\n      - say: 10\n"),
    "date-unquoted": guide(top="published: 2026-11-26\n"),
    "numbers": guide("      - pause: 2.5\n      - hold: 90\n        remind_every: 30\n        remind: Breathe.\n",
                     top="voice:\n  sentence_pause: 0\n  rate: 2\nsound:\n  loudness: -40\n  duck: 0\n"),
    "levels-as-text": guide(top="sound:\n  loudness: -16 lufs\n  ambience_level: -60dB\n  duck: '+40 dB'\n"),
    "zero-durations": guide(top="voice:\n  paragraph_pause: 0s\nsound:\n  tail: '0'\n  fade_in: -0\n"),
    "gtts-any-voice": guide(top="voice:\n  engine: gtts\n  name: com.au\n"),
    "piper-voice": guide(top="voice:\n  name: en_US-joe-medium\n"),
    "paths": guide("      - cue: LOUD.WAV\n", top="sound:\n  ambience: ./bed.wav\n  cue: none\n"),
    "nested-repeat": guide("      - repeat: 100\n        steps:\n          - repeat: 1\n            steps:\n"
                           "              - pause: 1s\n"),
    "hold-with-cue": guide("      - hold: 30s\n        cue: bowl\n"),
    "lexicon-empty": guide(top="lexicon: {}\n"),
}


@pytest.mark.parametrize("text", VALID.values(), ids=VALID.keys())
def test_valid_documents(scripts: Path, text: str) -> None:
    make_cover("Cover", None, scripts / "cover.png")
    assert schema_accepts(text)
    assert loader_accepts(scripts / "guide.yaml", text)


INVALID = {
    "unknown-step-kind": guide("      - hodl: 30s\n"),
    "unknown-top-key": guide(top="titel: T\n"),
    "bad-duration": guide("      - pause: 3x\n"),
    "duration-1m30": guide("      - pause: 1m30\n"),
    "duration-zero": guide("      - pause: 0s\n"),
    "duration-negative": guide("      - pause: -2\n"),
    "duration-bool": guide("      - pause: true\n"),
    "duration-over-2h": guide("      - hold: 7201\n"),
    "missing-sections": "title: T\ndescription: D\n",
    "missing-title": "description: D\nsections:\n  - title: S\n    steps:\n      - say: Hi.\n",
    "sections-empty": "title: T\ndescription: D\nsections: []\n",
    "sections-mapping": "title: T\ndescription: D\nsections:\n  title: S\n",
    "section-without-steps": "title: T\ndescription: D\nsections:\n  - title: S\n",
    "steps-empty": "title: T\ndescription: D\nsections:\n  - title: S\n    steps: []\n",
    "top-level-list": "- title: T\n",
    "empty-say": guide("      - say: ''\n"),
    "say-without-value": guide("      - say\n"),
    "two-kinds": guide("      - say: Hi.\n        pause: 2s\n"),
    "remind-every-alone": guide("      - hold: 1m\n        remind_every: 20s\n"),
    "remind-alone": guide("      - hold: 1m\n        remind: Breathe.\n"),
    "remind-every-5": guide("      - hold: 1m\n        remind_every: 5\n        remind: Breathe.\n"),
    "repeat-0": guide("      - repeat: 0\n        steps: [{say: Hi.}]\n"),
    "repeat-101": guide("      - repeat: 101\n        steps: [{say: Hi.}]\n"),
    "repeat-1.5": guide("      - repeat: 1.5\n        steps: [{say: Hi.}]\n"),
    "repeat-two": guide("      - repeat: two\n        steps: [{say: Hi.}]\n"),
    "repeat-without-steps": guide("      - repeat: 2\n"),
    "unknown-engine": guide(top="voice:\n  engine: pipr\n"),
    "unknown-piper-voice": guide(top="voice:\n  name: amy\n"),
    "rate-3": guide(top="voice:\n  rate: 3\n"),
    "rate-text": guide(top="voice:\n  rate: '0.8'\n"),
    "sentence-pause-120": guide(top="voice:\n  sentence_pause: 120\n"),
    "loudness-high": guide(top="sound:\n  loudness: -5 LUFS\n"),
    "loudness-number-high": guide(top="sound:\n  loudness: -5\n"),
    "loudness-unit": guide(top="sound:\n  loudness: -20 dB\n"),
    "duck-negative": guide(top="sound:\n  duck: -3 dB\n"),
    "ambience-level-positive": guide(top="sound:\n  ambience_level: 3 dB\n"),
    "ambience-typo": guide(top="sound:\n  ambience: brown-nosie\n"),
    "ambience-not-audio": guide(top="sound:\n  ambience: notes.txt\n"),
    "ambience-absolute": guide(top="sound:\n  ambience: /tmp/bed.wav\n"),
    "cue-typo": guide("      - cue: bel\n"),
    "sound-unknown-key": guide(top="sound:\n  volume: 3\n"),
    "voice-unknown-key": guide(top="voice:\n  speed: 1\n"),
    "bad-slug": guide(top="slug: My Guide\n"),
    "bad-language": guide(top="language: en_GB\n"),
    "bad-published-day": guide(top="published: 2026-02-30\n"),
    "bad-published-form": guide(top="published: 26/11/2026\n"),
    "published-datetime": guide(top="published: 2026-11-26 10:00:00\n"),
    "references-empty": guide(top="references: []\n"),
    "lexicon-list": guide(top="lexicon: [tofu]\n"),
    "title-too-long": guide().replace("title: T", "title: " + "x" * 201),
    "cover-gif": guide(top="cover: cover.gif\n"),
}


@pytest.mark.parametrize("text", INVALID.values(), ids=INVALID.keys())
def test_invalid_documents(scripts: Path, text: str) -> None:
    assert not schema_accepts(text)
    assert not loader_accepts(scripts / "guide.yaml", text)


# -- schema and loader read durations and levels alike -----------------------------------

DURATION_TEXT = st.lists(st.sampled_from(["0", "1", "5", "9", "00", "30", ".", "h", "m", "s", "ms", " ", "+", "-",
                                          "x", "1.5"]), min_size=1, max_size=7).map("".join)


def _reads_as(text: str, ok: Any) -> bool:
    try:
        return bool(ok(parse_duration(text)))
    except ValueError:
        return False


@settings(max_examples=300, deadline=None)
@given(text=DURATION_TEXT)
def test_duration_patterns_agree_with_parse_duration(text: str) -> None:
    assert bool(re.search(DEFS["duration"]["pattern"], text)) == _reads_as(text, lambda s: s > 0)
    assert bool(re.search(DEFS["durationOrZero"]["pattern"], text)) == _reads_as(text, lambda s: s >= 0)


@pytest.fixture(scope="module")
def level_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("levels") / "scripts"
    folder.mkdir()
    return folder / "levels.yaml"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(["loudness", "ambience_level", "duck"]),
       text=st.lists(st.sampled_from(["-", "+", "0", "1", "2", "4", "6", "9", "10", "40", "60", ".", "5", " ",
                                      "dB", "db", "LUFS", "lufs", "x"]), min_size=1, max_size=6).map("".join))
def test_level_patterns_agree_with_the_loader(level_file: Path, key: str, text: str) -> None:
    quoted = "'" + text + "'"
    document = guide(top=f"sound:\n  {key}: {quoted}\n")
    assert schema_accepts(document) == loader_accepts(level_file, document), (key, text)


@pytest.mark.parametrize("slug", ["a", "cramp-relief", "v1.2_final", "0day", "A", "-a", ".a", "a b", "ab/c",
                                  "é", "a" * 100, "a" * 101])
def test_slug_pattern_agrees_with_the_loader(scripts: Path, slug: str) -> None:
    document = guide(top=f"slug: '{slug}'\n")
    assert schema_accepts(document) == loader_accepts(scripts / "guide.yaml", document)


@pytest.mark.parametrize("language", ["en", "en-GB", "zh-Hant-TW", "fil", "e", "english", "en_GB", "en-", "en--GB",
                                      "en-abcdefghi"])
def test_language_pattern_agrees_with_the_loader(scripts: Path, language: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # the tag's form only: whether the voice speaks that language is the loader's own check (test_voices)
    monkeypatch.setattr("audio_guide.script.voices.voice_problem", lambda _voice, _language: None)
    document = guide(top=f"language: '{language}'\n")
    assert schema_accepts(document) == loader_accepts(scripts / "guide.yaml", document)


@pytest.mark.parametrize(("value", "accepted"), [
    ("2026-11-26", True), ("'2026-11-26'", True), ("2026-02-29", False), ("2028-02-29", True),
    ("'2026-11-26T00:00'", False), ("'2026-W48-4'", False), ("20261126", False), ("'26.11.2026'", False),
    ("2026-1-5", False),
])
def test_published_agrees_with_the_loader(scripts: Path, value: str, accepted: bool) -> None:
    document = guide(top=f"published: {value}\n")
    assert schema_accepts(document) is accepted
    assert loader_accepts(scripts / "guide.yaml", document) is accepted


def test_durations_over_the_limit_are_left_to_the_loader(scripts: Path) -> None:
    """A schema pattern cannot add up '1h61m'; `audio-guide validate` catches it, with the line."""
    document = guide("      - pause: 1h61m\n")
    assert schema_accepts(document)
    assert not loader_accepts(scripts / "guide.yaml", document)
    assert parse_duration("1h61m") == Fraction(7260)
