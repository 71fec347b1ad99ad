"""The script loader: every way a script can be wrong gives one exact ``file:line:col: message``.

Each test writes a small YAML file into a throw-away project (``<tmp>/project/scripts/``) and
checks the whole message a user would read, so a vague or misplaced message fails a test.
"""

from __future__ import annotations

import datetime as dt
import textwrap
import time
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.media import tone_wav

from audio_guide import engines
from audio_guide.errors import ScriptError
from audio_guide.podcast import make_cover
from audio_guide.script import (
    MAX_FILE_BYTES,
    Cue,
    Guide,
    Hold,
    Pause,
    Repeat,
    Say,
    Section,
    Sound,
    Voice,
    Where,
    load_script,
    load_scripts,
    parse_duration,
)

WAV = tone_wav(2.0)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(24)


def script(steps: str = "- say: Hello.\n", top: str = "") -> str:
    """A valid guide with ``steps`` in its one section and ``top`` lines before ``sections``.

    Without ``top`` lines, the first step's ``-`` is at line 6, column 7, so its key is at
    column 9 and the value of ``- say:`` at column 14.
    """
    return ("title: T\ndescription: D\n" + textwrap.dedent(top)
            + "sections:\n  - title: S\n    steps:\n" + textwrap.indent(textwrap.dedent(steps), "      "))


@pytest.fixture
def scripts(tmp_path: Path) -> Path:
    """``<tmp>/project/scripts``: the project root is its parent, as in a real checkout."""
    folder = tmp_path / "project" / "scripts"
    folder.mkdir(parents=True)
    return folder


def write(folder: Path, text: str | bytes, name: str = "guide.yaml") -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def error(path: Path) -> str:
    """Load ``path``, expecting a ScriptError; return its message with the path as ``{P}``."""
    with pytest.raises(ScriptError) as info:
        load_script(path)
    assert info.value.exit_code == 2
    return str(info.value).replace(str(path), "{P}")


# -- reading the file -------------------------------------------------------------------


def test_missing_file(scripts: Path) -> None:
    path = scripts / "nope.yaml"
    assert error(path) == "{P}: no such file. Check the path."


def test_folder(scripts: Path) -> None:
    assert error(scripts) == "{P}: is a folder, not a script file."


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n"])
def test_empty_file(scripts: Path, text: str) -> None:
    path = write(scripts, text)
    assert error(path) == "{P}:1:1: the script is empty; expected a mapping with title, description and sections."


def test_file_over_the_size_limit(scripts: Path) -> None:
    path = write(scripts, script() + "#" * MAX_FILE_BYTES)
    size = path.stat().st_size
    assert error(path) == (f"{{P}}: is {size:,} bytes; a script may be at most 1,000,000 bytes. "
                           "Split it into several guides.")


def test_file_at_the_size_limit_is_read(scripts: Path) -> None:
    body = script().encode()
    path = write(scripts, body + b"#" * (MAX_FILE_BYTES - len(body)))
    assert load_script(path).title == "T"


def test_not_utf8_points_at_the_bad_byte(scripts: Path) -> None:
    # line 2, after "title: café " (é is two bytes, one column): the column counts characters
    path = write(scripts, b"description: D\ntitle: caf\xc3\xa9 \xff\n")
    assert error(path) == "{P}:2:13: is not UTF-8 text (byte 0xff). Save the file as UTF-8."


def test_latin1_file(scripts: Path) -> None:
    path = write(scripts, script(top="author: Jos\xe9\n").encode("latin-1"))
    assert error(path) == "{P}:3:12: is not UTF-8 text (byte 0xe9). Save the file as UTF-8."


def test_utf8_bom_is_accepted(scripts: Path) -> None:
    path = write(scripts, b"\xef\xbb\xbf" + script().encode())
    assert load_script(path).title == "T"


def test_utf8_bom_does_not_shift_columns(scripts: Path) -> None:
    path = write(scripts, b"\xef\xbb\xbftitel: T\n")
    assert error(path).startswith("{P}:1:1: unknown key 'titel' in the script;")


def test_nul_bytes(scripts: Path) -> None:
    path = write(scripts, b"title: T\x00\n")
    assert error(path) == "{P}: contains NUL characters; it is not a text file."


def test_control_character(scripts: Path) -> None:
    path = write(scripts, "title: T\ndescription: a\x07b\n")
    assert error(path) == "{P}:2:15: contains the control character U+0007, which YAML does not allow. Remove it."


# -- YAML -------------------------------------------------------------------------------

SYNTAX = "YAML syntax error: "
CHECK = " Check the indentation, colons and quotes there."


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("title: T\ndescription: D\nsections:\n\t- title: S\n",
                 "4:1: " + SYNTAX + "a tab character is used for indentation; indent with spaces.", id="tab"),
    pytest.param("title: T\nsections:\n  - title: S\n    steps:\n\t  - say: Hi.\n",
                 "5:1: " + SYNTAX + "a tab character is used for indentation; indent with spaces.", id="tab-deep"),
    pytest.param('title: "T\ndescription: D\n',
                 "3:1: " + SYNTAX + "the file ends too early, in the quoted text that starts at line 1, column 8."
                 + CHECK, id="unclosed-quote"),
    pytest.param("title: Step one: relax\n",
                 "1:16: " + SYNTAX + "a ': ' is not allowed here; put text that holds ': ' in quotes, and check "
                 "that this line is indented like the keys around it.", id="colon-in-text"),
    pytest.param("title: T\nsections:\n  - title: S\n     steps: []\n",
                 "4:11: " + SYNTAX + "a ': ' is not allowed here; put text that holds ': ' in quotes, and check "
                 "that this line is indented like the keys around it.", id="over-indented"),
    pytest.param("title: T\nsections:\n    - title: S\n  steps: []\n",
                 "4:3: " + SYNTAX + "this line is not indented like the lines above it, in the mapping that "
                 "starts at line 1, column 1." + CHECK, id="under-indented"),
    pytest.param("title: T\nsections: [\n",
                 "3:1: " + SYNTAX + "expected a value, but found the end of the file." + CHECK, id="open-list"),
    pytest.param("title: T\nsections: [a, b\n",
                 "3:1: " + SYNTAX + "expected ',' or ']', but got the end of the file, in the [ ] list that starts "
                 "at line 2, column 11." + CHECK, id="unclosed-list"),
    pytest.param("title: `T`\n",
                 "1:8: " + SYNTAX + "a value cannot start with '`'; put the whole text in quotes.", id="backtick"),
    pytest.param('title: "a \\q b"\n',
                 "1:12: " + SYNTAX + "found unknown escape character 'q', in the quoted text that starts at line 1, "
                 "column 8." + CHECK, id="bad-escape"),
    pytest.param("title: &a T\ndescription: &a D\n",
                 "2:14: " + SYNTAX + "the same anchor (&name) is defined twice. Remove the anchors: guides do not "
                 "use them.", id="duplicate-anchor"),
])
def test_yaml_syntax_errors(scripts: Path, text: str, expected: str) -> None:
    assert error(write(scripts, text)) == "{P}:" + expected


def test_multiple_documents(scripts: Path) -> None:
    path = write(scripts, script() + "---\n" + script())
    assert error(path) == ("{P}:7:1: YAML syntax error: holds more than one YAML document ('---'); "
                           "keep one guide per file.")


def test_alias_refused(scripts: Path) -> None:
    path = write(scripts, script("- say: &words Breathe in.\n- say: *words\n"))
    assert error(path) == ("{P}:7:14: YAML aliases (*name) are not supported; "
                           "write the steps out, or use a 'repeat' step.")


def test_billion_laughs_refused_fast(scripts: Path) -> None:
    lines = ['lol0: &lol0 "lol"']
    lines += [f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * 10) + "]" for i in range(1, 10)]
    path = write(scripts, "\n".join(lines) + "\n")
    start = time.perf_counter()
    assert error(path) == ("{P}:2:14: YAML aliases (*name) are not supported; "
                           "write the steps out, or use a 'repeat' step.")
    assert time.perf_counter() - start < 1


def test_deep_nesting_refused(scripts: Path) -> None:
    path = write(scripts, "title: " + "[" * 5000 + "]" * 5000 + "\n")
    assert error(path) == ("{P}:1:47: nested more than 40 levels deep; "
                           "a guide needs only a few levels (sections, steps, repeat).")


def test_custom_tag_refused(scripts: Path) -> None:
    path = write(scripts, script("- pause: !seconds 3\n"))
    assert error(path) == "{P}:6:16: 'pause': the YAML tag '!seconds' is not supported. Remove the tag."


@pytest.mark.parametrize(("steps", "expected"), [
    ("- repeat: 0b_\n  steps: [{say: Hi.}]\n", "6:17: 'repeat': cannot read '0b_' as a whole number."),
    ("- repeat: !!bool maybe\n  steps: [{say: Hi.}]\n", "6:17: 'repeat': cannot read 'maybe' as true or false."),
    ("- pause: !!float x\n", "6:16: 'pause': cannot read 'x' as a number."),
    ("- pause: !!timestamp x\n", "6:16: 'pause': cannot read 'x' as a date."),
    ("- pause: 2026-02-30\n", "6:16: 'pause': cannot read '2026-02-30' as a date."),
])
def test_values_yaml_cannot_build(scripts: Path, steps: str, expected: str) -> None:
    assert error(write(scripts, script(steps))) == "{P}:" + expected


# -- the top level ----------------------------------------------------------------------

TOP_KEYS_TEXT = ("title, description, slug, language, voice, sound, sections, author, album, genre, published, "
                 "references, lexicon, cover, season, episode, draft")


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("- title: T\n", "1:1: the script must be a mapping (key: value lines), got a list.", id="list"),
    pytest.param("just words\n", "1:1: the script must be a mapping (key: value lines), got 'just words'.",
                 id="scalar"),
    pytest.param(script(top="titel: x\n"),
                 f"3:1: unknown key 'titel' in the script; expected one of: {TOP_KEYS_TEXT}. Did you mean 'title'?",
                 id="titel"),
    pytest.param(script(top="colour: red\n"),
                 f"3:1: unknown key 'colour' in the script; expected one of: {TOP_KEYS_TEXT}.", id="no-suggestion"),
    pytest.param("description: D\nsections:\n  - title: S\n    steps:\n      - say: Hi.\n",
                 "1:1: the script is missing the required key 'title'.", id="no-title"),
    pytest.param("title: T\nsections:\n  - title: S\n    steps:\n      - say: Hi.\n",
                 "1:1: the script is missing the required key 'description'.", id="no-description"),
    pytest.param("title: T\ndescription: D\n", "1:1: the script is missing the required key 'sections'.",
                 id="no-sections"),
    pytest.param("title: T\ntitle: U\ndescription: D\nsections: []\n",
                 "2:1: duplicate key 'title' in the script. Keep only one of them.", id="duplicate"),
    pytest.param("? [a]\n: b\n", "1:3: keys in the script must be plain words, got a list.", id="list-key"),
    pytest.param(script().replace("title: T", "title: ''"), "1:8: 'title' must not be empty.", id="title-empty"),
    pytest.param(script().replace("title: T", "title:"), "1:7: 'title' must be text, got nothing.",
                 id="title-null"),
    pytest.param(script().replace("title: T", "title: [a]"), "1:8: 'title' must be text, got a list.",
                 id="title-list"),
    pytest.param(script().replace("title: T", "title: " + "x" * 201),
                 "1:8: 'title' is 201 characters long; the limit is 200. Split it into shorter pieces.",
                 id="title-long"),
    pytest.param(script().replace("description: D", "description: '  '"),
                 "2:14: 'description' must not be empty.", id="description-blank"),
    pytest.param(script(top="slug: My Guide\n"),
                 "3:7: slug 'My Guide' is not a safe file name; use lower-case letters, digits, '-', '_' or '.', "
                 "starting with a letter or digit.", id="slug"),
    pytest.param(script(top="slug: -guide\n"),
                 "3:7: slug '-guide' is not a safe file name; use lower-case letters, digits, '-', '_' or '.', "
                 "starting with a letter or digit.", id="slug-dash"),
    pytest.param(script(top="language: en_GB\n"),
                 "3:11: language 'en_GB' is not a BCP-47 tag; write e.g. en or en-GB.", id="language"),
    pytest.param(script(top="published: 2026-02-30\n"),
                 "3:12: 'published' must be a date written YYYY-MM-DD, got '2026-02-30'.", id="published-day"),
    pytest.param(script(top="published: 26/11/2026\n"),
                 "3:12: 'published' must be a date written YYYY-MM-DD, got '26/11/2026'.", id="published-slashes"),
    pytest.param(script(top="published: 20261126\n"),
                 "3:12: 'published' must be a date written YYYY-MM-DD, got '20261126'.", id="published-int"),
    pytest.param(script(top="published: 2026-1-5\n"),
                 "3:12: 'published' must be a date written YYYY-MM-DD, got '2026-1-5'.", id="published-short"),
    pytest.param(script(top="published: 2026-11-26 10:00:00\n"),
                 "3:12: 'published' must be a date written YYYY-MM-DD, got '2026-11-26 10:00:00'.",
                 id="published-datetime"),
    pytest.param(script(top="published: [2026-11-26]\n"),
                 "3:12: 'published' must be a date written YYYY-MM-DD, got a list.", id="published-list"),
    pytest.param(script(top="references: []\n"), "3:13: 'references' must not be empty.", id="references-empty"),
    pytest.param(script(top="references: A book.\n"),
                 "3:13: 'references' must be a list (lines starting with '- '), got 'A book.'.",
                 id="references-text"),
    pytest.param(script(top="lexicon:\n  - tofu\n"), "4:3: 'lexicon' must be a mapping of word: how to say it.",
                 id="lexicon-list"),
    pytest.param(script(top="lexicon:\n  tofu: ''\n"), "4:9: a lexicon pronunciation must not be empty.",
                 id="lexicon-empty"),
])
def test_top_level_errors(scripts: Path, text: str, expected: str) -> None:
    assert error(write(scripts, text)) == "{P}:" + expected


def test_slug_from_a_bad_file_name(scripts: Path) -> None:
    path = write(scripts, script(), name="My Guide.yaml")
    assert error(path) == (
        "{P}:1:1: the file name gives the slug 'My Guide', which is not a safe file name; add a 'slug:' line or "
        "rename the file (use lower-case letters, digits, '-', '_' or '.', starting with a letter or digit)."
    )


# -- sections and steps -----------------------------------------------------------------

KINDS = "say, pause, cue, hold, repeat"


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("title: T\ndescription: D\nsections: []\n", "3:11: 'sections' must not be empty.", id="empty"),
    pytest.param("title: T\ndescription: D\nsections:\n  title: S\n",
                 "4:3: 'sections' must be a list (lines starting with '- '), got a mapping.", id="mapping"),
    pytest.param("title: T\ndescription: D\nsections:\n",
                 "3:10: 'sections' must be a list (lines starting with '- '), got nothing.", id="null"),
    pytest.param("title: T\ndescription: D\nsections:\n  - Intro\n",
                 "4:5: a section must be a mapping (key: value lines), got 'Intro'.", id="section-text"),
    pytest.param("title: T\ndescription: D\nsections:\n  - title: S\n",
                 "4:5: a section is missing the required key 'steps'.", id="no-steps"),
    pytest.param("title: T\ndescription: D\nsections:\n  - steps:\n      - say: Hi.\n",
                 "4:5: a section is missing the required key 'title'.", id="no-section-title"),
    pytest.param("title: T\ndescription: D\nsections:\n  - title: S\n    steps: []\n",
                 "5:12: the steps of section 'S' must not be empty.", id="steps-empty"),
    pytest.param("title: T\ndescription: D\nsections:\n  - title: S\n    step:\n      - say: Hi.\n",
                 "5:5: unknown key 'step' in a section; expected one of: title, steps, voice. Did you mean 'steps'?",
                 id="step-typo"),
])
def test_section_errors(scripts: Path, text: str, expected: str) -> None:
    assert error(write(scripts, text)) == "{P}:" + expected


@pytest.mark.parametrize(("steps", "expected"), [
    pytest.param("- hodl: 30s\n", f"6:9: unknown step 'hodl'; expected one of: {KINDS}. Did you mean 'hold'?",
                 id="hodl"),
    pytest.param("- wait: 3s\n", f"6:9: unknown step 'wait'; expected one of: {KINDS}.", id="no-suggestion"),
    pytest.param("- say: Hi.\n  pause: 2s\n",
                 "6:9: a step has exactly one kind, but this one has 'say' and 'pause'. Put each on its own '- ' line.",
                 id="two-kinds"),
    pytest.param("- pause: 2s\n  cue: bell\n",
                 "6:9: a step has exactly one kind, but this one has 'pause' and 'cue'. Put each on its own '- ' line.",
                 id="pause-and-cue"),
    pytest.param("- say: Hi.\n  say: Ho.\n", "7:9: duplicate key 'say' in a 'say' step. Keep only one of them.",
                 id="kind-twice"),
    pytest.param("- say\n", "6:9: step 'say' has no value; write e.g. '- say: ...'.", id="say-bare"),
    pytest.param("- hold\n", "6:9: step 'hold' has no value; write e.g. '- hold: ...'.", id="hold-bare"),
    pytest.param("- {}\n", f"6:9: a step is empty; expected one of: {KINDS}.", id="empty"),
    pytest.param("- Breathe in.\n", "6:9: a step must be a mapping such as '- say: ...', got 'Breathe in.'.",
                 id="text"),
    pytest.param("- hold: 30s\n  remind_evry: 10s\n",
                 "7:9: unknown key 'remind_evry' in a 'hold' step; expected one of: hold, cue, remind_every, remind, voice. "
                 "Did you mean 'remind_every'?", id="option-typo"),
    pytest.param("- say: Hi.\n  steps: []\n", "7:9: unknown key 'steps' in a 'say' step; expected one of: say, voice.",
                 id="option-of-another-kind"),
])
def test_step_errors(scripts: Path, steps: str, expected: str) -> None:
    assert error(write(scripts, script(steps))) == "{P}:" + expected


@pytest.mark.parametrize(("say", "expected"), [
    pytest.param("''", "6:14: a 'say' line must not be empty.", id="empty"),
    pytest.param("", "6:13: a 'say' line must be text, got nothing.", id="null"),
    pytest.param('<break time="2s"/>',
                 "6:14: a 'say' line has no words to speak. Use a 'pause' step for silence.", id="only-break"),
    pytest.param("'... !'", "6:14: a 'say' line has no words to speak. Use a 'pause' step for silence.",
                 id="only-punctuation"),
    pytest.param('"Ring \\a now."',
                 "6:14: a 'say' line contains a character that cannot be used: U+0007 (a control character). "
                 "Remove it.", id="control"),
    pytest.param("Relax \U0001F600 now.",
                 "6:14: a 'say' line contains a character that cannot be used: U+1F600 'grinning face'. Remove it.",
                 id="emoji"),
    pytest.param("Relax\u200bnow.",
                 "6:14: a 'say' line contains a character that cannot be used: U+200B 'zero width space'. "
                 "Remove it.", id="zero-width"),
    pytest.param("a" * 5001,
                 "6:14: a 'say' line is 5001 characters long; the limit is 5000. Split it into shorter pieces.",
                 id="too-long"),
    pytest.param("Wait <break/> now.",
                 "6:14: a 'say' line: cannot read the tag '<break/>'; expected <break time=\"2s\"/>.",
                 id="break-no-time"),
    pytest.param("Wait <break duration='2s'/> now.",
                 "6:14: a 'say' line: cannot read the tag \"<break duration='2s'/>\"; expected <break time=\"2s\"/>.",
                 id="break-wrong-attribute"),
    pytest.param("Wait <em>now</em>.",
                 "6:14: a 'say' line: unexpected markup '<em>now</em>.'; only <break time=\"...\"/> is understood. "
                 "Write a pause as <break time=\"2s\"/>.", id="markup"),
    pytest.param("Wait <break time=\"3x\"/> now.",
                 "6:14: a 'say' line: in '<break time=\"3x\"/>': expected a duration such as 500ms, 2s, 1.5s, 3m, "
                 "1m30s, 1h or a number of seconds, got '3x'. Write a pause as <break time=\"2s\"/>.",
                 id="break-3x"),
    pytest.param("Wait <break time=\"0s\"/> now.",
                 "6:14: a 'say' line: a <break> must be longer than zero and at most 2h.", id="break-zero"),
    pytest.param("Wait <break time=\"-1\"/> now.",
                 "6:14: a 'say' line: a <break> must be longer than zero and at most 2h.", id="break-negative"),
    pytest.param("Wait <break time=\"3h\"/> now.",
                 "6:14: a 'say' line: a <break> must be longer than zero and at most 2h.", id="break-3h"),
])
def test_say_errors(scripts: Path, say: str, expected: str) -> None:
    assert error(write(scripts, script(f"- say: {say}\n"))) == "{P}:" + expected


DURATION_HELP = "expected a duration such as 500ms, 2s, 1.5s, 3m, 1m30s, 1h or a number of seconds"


@pytest.mark.parametrize(("value", "expected"), [
    ("0", "'pause' must be longer than zero, got 0."),
    ("0s", "'pause' must be longer than zero, got '0s'."),
    ("0.0", "'pause' must be longer than zero, got 0.0."),
    ("-2", "'pause' must be longer than zero, got -2."),
    ("-2s", f"'pause': {DURATION_HELP}, got '-2s'."),
    ("3x", f"'pause': {DURATION_HELP}, got '3x'."),
    ("1m30", f"'pause': {DURATION_HELP}, got '1m30'."),
    ("2 s", f"'pause': {DURATION_HELP}, got '2 s'."),
    ("yes", f"'pause': {DURATION_HELP}, got True."),
    ("true", f"'pause': {DURATION_HELP}, got True."),
    (".nan", f"'pause': {DURATION_HELP}, got nan."),
    ("[2s]", "'pause' must be a single value, got a list."),
    ("3h", "'pause' is longer than the limit of 2h."),
    ("7201", "'pause' is longer than the limit of 2h."),
    ("2h0m0.5s", "'pause' is longer than the limit of 2h."),
])
def test_pause_duration_errors(scripts: Path, value: str, expected: str) -> None:
    assert error(write(scripts, script(f"- pause: {value}\n"))) == "{P}:6:16: " + expected


def test_longest_pause_is_accepted(scripts: Path) -> None:
    guide = load_script(write(scripts, script("- pause: 2h\n- say: Hi.\n")))
    assert guide.sections[0].steps[0] == Pause(seconds=Fraction(7200), where=Where(str(scripts / "guide.yaml"), 6, 9))


@pytest.mark.parametrize(("steps", "expected"), [
    pytest.param("- hold: 0\n", "6:15: 'hold' must be longer than zero, got 0.", id="zero"),
    pytest.param("- hold: 2h1s\n", "6:15: 'hold' is longer than the limit of 2h.", id="too-long"),
    pytest.param("- hold: 1m\n  remind_every: 20s\n",
                 "6:9: a 'hold' with 'remind_every' also needs 'remind'. Give both, or neither.", id="no-remind"),
    pytest.param("- hold: 1m\n  remind: Breathe.\n",
                 "6:9: a 'hold' with 'remind' also needs 'remind_every'. Give both, or neither.", id="no-every"),
    pytest.param("- hold: 1m\n  remind_every: 1m\n  remind: Breathe.\n",
                 "7:23: 'remind_every' (1m) must be shorter than the hold (1m).", id="every-equal"),
    pytest.param("- hold: 1m30s\n  remind_every: 2m\n  remind: Breathe.\n",
                 "7:23: 'remind_every' (2m) must be shorter than the hold (1m30s).", id="every-longer"),
    pytest.param("- hold: 1m\n  remind_every: 5s\n  remind: Breathe.\n",
                 "7:23: 'remind_every' must be at least 10s.", id="every-short"),
    pytest.param("- hold: 1m\n  remind_every: 20s\n  remind: <break time='1s'/>\n",
                 "8:17: 'remind' has no words to speak.", id="remind-silent"),
    pytest.param("- hold: 1m\n  cue: gong\n",
                 "7:14: the hold's 'cue': unknown sound 'gong'; expected none, one of bell, chime, bowl, or a path to "
                 "an audio file.", id="hold-cue"),
    pytest.param("- cue: bel\n",
                 "6:14: 'cue': unknown sound 'bel'; expected none, one of bell, chime, bowl, or a path to an audio "
                 "file. Did you mean 'bell'?", id="cue"),
])
def test_hold_and_cue_errors(scripts: Path, steps: str, expected: str) -> None:
    assert error(write(scripts, script(steps))) == "{P}:" + expected


@pytest.mark.parametrize(("steps", "expected"), [
    pytest.param("- repeat: 0\n  steps: [{say: Hi.}]\n",
                 "6:17: 'repeat' must be a whole number from 1 to 100, got '0'.", id="0"),
    pytest.param("- repeat: 101\n  steps: [{say: Hi.}]\n",
                 "6:17: 'repeat' must be a whole number from 1 to 100, got '101'.", id="101"),
    pytest.param("- repeat: 1.5\n  steps: [{say: Hi.}]\n",
                 "6:17: 'repeat' must be a whole number from 1 to 100, got '1.5'.", id="1.5"),
    pytest.param("- repeat: two\n  steps: [{say: Hi.}]\n",
                 "6:17: 'repeat' must be a whole number from 1 to 100, got 'two'.", id="two"),
    pytest.param("- repeat: yes\n  steps: [{say: Hi.}]\n",
                 "6:17: 'repeat' must be a whole number from 1 to 100, got 'yes'.", id="bool"),
    pytest.param("- repeat: 2\n", "6:9: a 'repeat' step needs 'steps': the list of steps to repeat.",
                 id="no-steps"),
    pytest.param("- repeat: 2\n  steps: []\n", "7:16: the repeat's 'steps' must not be empty.", id="steps-empty"),
    pytest.param("- repeat: 2\n  steps:\n    - hodl: 3s\n",
                 f"8:13: unknown step 'hodl'; expected one of: {KINDS}. Did you mean 'hold'?", id="nested-step"),
])
def test_repeat_errors(scripts: Path, steps: str, expected: str) -> None:
    assert error(write(scripts, script(steps))) == "{P}:" + expected


# -- voice and sound --------------------------------------------------------------------


def test_unknown_engine(scripts: Path) -> None:
    engines.unregister("fake")  # the suite's fake engine; the message lists the registry
    path = write(scripts, script(top="voice:\n  engine: pipr\n"))
    assert error(path) == "{P}:4:11: unknown engine 'pipr'; expected one of: piper, gtts. Did you mean 'piper'?"


@pytest.mark.parametrize(("top", "expected"), [
    pytest.param("voice:\n  name: en_US-jo-medium\n",
                 "4:9: the piper voice 'en_US-jo-medium' is not installed; did you mean 'en_US-joe-medium'?",
                 id="piper-voice"),
    pytest.param("voice:\n  engine: piper\n  name: amy\n",
                 "5:9: 'amy' is not a piper voice name (they read like en_GB-alba-medium); see the voices you can "
                 "download with: audio-guide voices --all", id="piper-voice-far"),
    pytest.param("voice:\n  name: en_GB-alba-medium\n",
                 "4:9: the piper voice 'en_GB-alba-medium' is not installed; download it with: "
                 "audio-guide voices download en_GB-alba-medium", id="piper-voice-not-installed"),
    pytest.param("voice: piper\n", "3:8: 'voice' must be a mapping (key: value lines), got 'piper'.",
                 id="voice-text"),
    pytest.param("voice:\n  speed: 0.8\n",
                 "4:3: unknown key 'speed' in 'voice'; expected one of: engine, name, model, speaker, rate, "
                 "sentence_pause, paragraph_pause. Did you mean 'speaker'?", id="voice-key"),
    pytest.param("voice:\n  rate: 3\n", "4:9: 'voice.rate' must be between 0.5 and 2, got 3.", id="rate-high"),
    pytest.param("voice:\n  rate: 0.4\n", "4:9: 'voice.rate' must be between 0.5 and 2, got 0.4.", id="rate-low"),
    pytest.param("voice:\n  rate: fast\n", "4:9: 'voice.rate': expected a number, got 'fast'.", id="rate-text"),
    pytest.param("voice:\n  rate: .inf\n", "4:9: 'voice.rate': expected a finite number.", id="rate-inf"),
    pytest.param("voice:\n  rate: " + "9" * 400 + "\n", "4:9: 'voice.rate': expected a finite number.",
                 id="rate-huge"),
    pytest.param("voice:\n  sentence_pause: 2m\n", "4:19: 'voice.sentence_pause' is longer than the limit of 1m.",
                 id="sentence-pause"),
    pytest.param("voice:\n  paragraph_pause: -1\n", "4:20: 'voice.paragraph_pause' must be zero or more, got -1.",
                 id="paragraph-pause"),
    pytest.param("sound:\n  loudness: -5 LUFS\n", "4:13: 'sound.loudness' must be between -40 and -10 LUFS, got -5.",
                 id="loudness-high"),
    pytest.param("sound:\n  loudness: -50\n", "4:13: 'sound.loudness' must be between -40 and -10 LUFS, got -50.",
                 id="loudness-low"),
    pytest.param("sound:\n  loudness: -20 dB\n", "4:13: 'sound.loudness': expected a level in LUFS, got '-20 dB'.",
                 id="loudness-unit"),
    pytest.param("sound:\n  loudness: loud\n",
                 "4:13: 'sound.loudness': expected a number of LUFS, such as -20 LUFS, got 'loud'.",
                 id="loudness-text"),
    pytest.param("sound:\n  loudness: -" + "9" * 400 + "\n",
                 "4:13: 'sound.loudness': expected a finite number of LUFS.", id="loudness-huge"),
    pytest.param("sound:\n  duck: -3 dB\n", "4:9: 'sound.duck' must be between 0 and 40 dB, got -3.", id="duck"),
    pytest.param("sound:\n  ambience_level: 6 dB\n",
                 "4:19: 'sound.ambience_level' must be between -60 and 0 dB, got 6.", id="ambience-level"),
    pytest.param("sound:\n  tail: 3h\n", "4:9: 'sound.tail' is longer than the limit of 2h.", id="tail"),
    pytest.param("sound:\n  fade_out: 3m\n", "4:13: 'sound.fade_out' is longer than the limit of 2m.", id="fade"),
    pytest.param("sound:\n  ambience: brown-nosie\n",
                 "4:13: 'sound.ambience': unknown sound 'brown-nosie'; expected none, one of brown-noise, pink-noise, "
                 "rain, waves, or a path to an audio file. Did you mean 'brown-noise'?", id="ambience-typo"),
    pytest.param("sound:\n  cue: Bell\n",
                 "4:8: 'sound.cue': unknown sound 'Bell'; expected none, one of bell, chime, bowl, or a path to an "
                 "audio file. Did you mean 'bell'?", id="cue-case"),
    pytest.param("sound:\n  volume: 3\n",
                 "4:3: unknown key 'volume' in 'sound'; expected one of: ambience, cue, loudness, fade_out, fade_in, "
                 "ambience_level, duck, tail.", id="sound-key"),
])
def test_voice_and_sound_errors(scripts: Path, top: str, expected: str) -> None:
    assert error(write(scripts, script(top=top))) == "{P}:" + expected


# -- files named in a script ------------------------------------------------------------


def test_ambience_file_missing(scripts: Path) -> None:
    path = write(scripts, script(top="sound:\n  ambience: ../sounds/bed.wav\n"))
    looked = scripts.parent.resolve() / "sounds" / "bed.wav"
    assert error(path) == (f"{{P}}:4:13: 'sound.ambience': file '../sounds/bed.wav' does not exist "
                           f"(looked for {looked}).")


def test_path_outside_the_project(scripts: Path) -> None:
    (scripts.parent.parent / "bed.wav").write_bytes(WAV)
    path = write(scripts, script(top="sound:\n  ambience: ../../bed.wav\n"))
    project = scripts.parent.resolve()
    assert error(path) == (f"{{P}}:4:13: 'sound.ambience': '../../bed.wav' points outside the project ({project}). "
                           "Copy the file into the project.")


def test_absolute_path(scripts: Path) -> None:
    bed = scripts / "bed.wav"
    bed.write_bytes(WAV)
    path = write(scripts, script(top=f"sound:\n  ambience: {bed}\n"))
    assert error(path) == (f"{{P}}:4:13: 'sound.ambience': '{bed}' is an absolute path; "
                           "write it relative to the script's folder.")


def test_text_file_named_wav(scripts: Path) -> None:
    (scripts / "bed.wav").write_text("not audio")
    path = write(scripts, script(top="sound:\n  ambience: bed.wav\n"))
    assert error(path) == ("{P}:4:13: 'sound.ambience': 'bed.wav' is named like a wav file, but its contents are "
                           "not. Check that it is the right file, or convert it.")


def test_file_of_an_unsupported_kind(scripts: Path) -> None:
    (scripts / "notes.txt").write_text("notes")
    path = write(scripts, script("- cue: notes.txt\n"))
    assert error(path) == ("{P}:6:14: 'cue': 'notes.txt' is not a file of a supported kind; expected one of: wav, "
                           "mp3, ogg, oga, flac, m4a, aac, aif, aiff, opus.")


def test_file_name_too_long(scripts: Path) -> None:
    name = "a" * 300 + ".wav"
    path = write(scripts, script(top=f"sound:\n  ambience: {name}\n"))
    assert error(path) == f"{{P}}:4:13: 'sound.ambience': '{name}' cannot be used as a file name (File name too long)."


def test_cover_not_png(scripts: Path) -> None:
    (scripts / "cover.png").write_text("not an image")
    path = write(scripts, script(top="cover: cover.png\n"))
    assert error(path) == ("{P}:3:8: 'cover': 'cover.png' is named like a png file, but its contents are not. "
                           "Check that it is the right file, or convert it.")


def test_cover_of_an_unsupported_kind(scripts: Path) -> None:
    (scripts / "cover.gif").write_bytes(b"GIF89a" + bytes(10))
    path = write(scripts, script(top="cover: cover.gif\n"))
    assert error(path) == ("{P}:3:8: 'cover': 'cover.gif' is not a file of a supported kind; "
                           "expected one of: png.")


# -- whole guides -----------------------------------------------------------------------


def test_duplicate_slugs_across_scripts(scripts: Path) -> None:
    first = write(scripts, script(top="slug: same\n"), name="one.yaml")
    second = write(scripts, script(top="slug: same\n"), name="two.yaml")
    with pytest.raises(ScriptError) as info:
        load_scripts([first, second])
    assert info.value.exit_code == 2
    assert str(info.value) == f"{second}: slug 'same' is also used by {first}; give each guide its own slug."


def test_file_name_slug_clashes_with_a_written_slug(scripts: Path) -> None:
    first = write(scripts, script(), name="calm.yaml")
    second = write(scripts, script(top="slug: calm\n"), name="other.yaml")
    with pytest.raises(ScriptError, match=r"slug 'calm' is also used by .*calm\.yaml;"):
        load_scripts([first, second])


def test_load_scripts_keeps_order(scripts: Path) -> None:
    paths = [write(scripts, script(), name=f"{name}.yaml") for name in ("b", "a", "c")]
    assert [g.slug for g in load_scripts(paths)] == ["b", "a", "c"]


def test_holds_over_twelve_hours(scripts: Path) -> None:
    path = write(scripts, script("- hold: 2h\n" * 6 + "- pause: 1s\n"))
    assert error(path) == ("{P}:1:1: the guide's pauses, holds and cues add up to 12h0m19s, "
                           "over the limit of 12h for a guide.")


def test_repeated_holds_count_toward_the_limit(scripts: Path) -> None:
    path = write(scripts, script("- repeat: 7\n  steps:\n    - hold: 2h\n"))
    assert error(path) == ("{P}:1:1: the guide's pauses, holds and cues add up to 14h0m21s, "
                           "over the limit of 12h for a guide.")


def test_tail_and_breaks_count_toward_the_limit(scripts: Path) -> None:
    steps = "- hold: 2h\n" * 5 + '- say: Rest. <break time="1h"/> Now.\n'
    path = write(scripts, script(steps, top="sound:\n  tail: 1h30m\n"))
    assert error(path) == ("{P}:1:1: the guide's pauses, holds and cues add up to 12h30m15s, "
                           "over the limit of 12h for a guide.")


def test_exactly_twelve_hours_is_accepted(scripts: Path) -> None:
    guide = load_script(write(scripts, script("- hold: 2h\n" * 6, top="sound:\n  cue: none\n")))
    assert sum(step.seconds for step in guide.sections[0].steps) == 12 * 3600


def test_too_many_steps_once_repeated(scripts: Path) -> None:
    path = write(scripts, script("- repeat: 100\n  steps:\n    - repeat: 100\n      steps:\n"
                                 "        - say: Hi.\n        - say: Ho.\n        - say: Hum.\n"))
    assert error(path) == ("{P}:11:17: the guide has more than 20,000 steps once repeats are expanded. "
                           "Lower the repeat counts.")


# -- what a valid script becomes --------------------------------------------------------

FULL = """\
# yaml-language-server: $schema=../audio_guide/script/guide.schema.json
title: Full Guide
description: >-
  Every key,
  once.
slug: full-guide
language: en-GB
author: A. Author
album: An Album
genre: Health
published: 2026-11-26
references:
  - One. Author. 2020-01-01
lexicon:
  tofu: toe foo
  Piper: pie per
cover: ../art/cover.png
voice:
  engine: gtts
  name: co.uk
  rate: 0.8
  sentence_pause: 500ms
  paragraph_pause: 2
sound:
  ambience: ../sounds/bed.wav
  cue: chime
  loudness: -18 LUFS
  fade_out: 8s
  fade_in: 1.5s
  ambience_level: -30 dB
  duck: 9
  tail: 1m
sections:
  - title: One
    steps:
      - say: Hello. <break time="1.5s"/> Breathe.
      - pause: 1m30s
      - cue: bowl
      - hold: 10m
        cue: none
        remind_every: 3m
        remind: Keep breathing.
  - title: Two
    steps:
      - repeat: 2
        steps:
          - say: Stretch.
          - hold: 30s
"""


def test_full_script(scripts: Path) -> None:
    project = scripts.parent
    (project / "art").mkdir()
    make_cover("Cover", None, project / "art" / "cover.png")
    (project / "sounds").mkdir()
    (project / "sounds" / "bed.wav").write_bytes(WAV)
    path = write(scripts, FULL)
    name = str(path)
    guide = load_script(path)
    assert guide == Guide(
        path=path,
        title="Full Guide",
        description="Every key, once.",
        slug="full-guide",
        language="en-GB",
        voice=Voice(engine="gtts", name="co.uk", rate=0.8, sentence_pause=Fraction(1, 2),
                    paragraph_pause=Fraction(2)),
        sound=Sound(ambience=str((project / "sounds" / "bed.wav").resolve()), cue="chime", loudness=-18.0,
                    fade_out=Fraction(8), fade_in=Fraction(3, 2), ambience_level=-30.0, duck=9.0, tail=Fraction(60)),
        author="A. Author",
        album="An Album",
        genre="Health",
        published=dt.date(2026, 11, 26),
        references=("One. Author. 2020-01-01",),
        lexicon=(("tofu", "toe foo"), ("Piper", "pie per")),
        cover=(project / "art" / "cover.png").resolve(),
        sections=(
            Section(title="One", where=Where(name, 34, 5), steps=(
                Say(text='Hello. <break time="1.5s"/> Breathe.', where=Where(name, 36, 9)),
                Pause(seconds=Fraction(90), where=Where(name, 37, 9)),
                Cue(sound="bowl", where=Where(name, 38, 9)),
                Hold(seconds=Fraction(600), where=Where(name, 39, 9), cue="none", remind_every=Fraction(180),
                     remind="Keep breathing."),
            )),
            Section(title="Two", where=Where(name, 43, 5), steps=(
                Repeat(times=2, where=Where(name, 45, 9), steps=(
                    Say(text="Stretch.", where=Where(name, 47, 13)),
                    Hold(seconds=Fraction(30), where=Where(name, 48, 13)),
                )),
            )),
        ),
    )
    assert isinstance(guide.voice.sentence_pause, Fraction)
    assert isinstance(guide.sections[0].steps[1].seconds, Fraction)  # type: ignore[union-attr]


def test_defaults(scripts: Path) -> None:
    path = write(scripts, script("- hold: 30s\n"), name="calm-down.yaml")
    guide = load_script(path)
    assert guide == Guide(
        path=path, title="T", description="D", slug="calm-down",
        sections=(Section(title="S", where=Where(str(path), 4, 5),
                          steps=(Hold(seconds=Fraction(30), where=Where(str(path), 6, 9)),)),),
    )
    assert guide.language == "en"
    assert guide.voice == Voice(engine="piper", name=None, rate=1.0, sentence_pause=Fraction(7, 10),
                                paragraph_pause=Fraction(3, 2))
    assert guide.sound == Sound(ambience="none", cue="bell", loudness=-20.0, fade_out=Fraction(3),
                                fade_in=Fraction(3), ambience_level=-26.0, duck=6.0, tail=Fraction(0))
    assert (guide.author, guide.album, guide.genre) == ("audio-guide", "audio-guide", "Spoken Word")
    assert (guide.published, guide.references, guide.lexicon, guide.cover) == (None, (), (), None)


@pytest.mark.parametrize(("text", "expected"), [
    ("Yes", "Yes"),          # YAML 1.1 would read these as booleans; the loader keeps the words
    ("No", "No"),
    ("10", "10"),
    ("'  Breathe.  '", "Breathe."),
    ("|\n    Line one.\n    Line two.\n", "Line one.\nLine two."),
])
def test_say_keeps_the_text_as_written(scripts: Path, text: str, expected: str) -> None:
    guide = load_script(write(scripts, script(f"- say: {text}\n")))
    assert guide.sections[0].steps[0].text == expected  # type: ignore[union-attr]


@pytest.mark.parametrize(("value", "seconds"), [
    ("500ms", Fraction(1, 2)), ("2s", Fraction(2)), ("1.5s", Fraction(3, 2)), ("3m", Fraction(180)),
    ("1m30s", Fraction(90)), ("1h", Fraction(3600)), ("45", Fraction(45)), ("0.1", Fraction(1, 10)),
    ("'7'", Fraction(7)), ("1:30", Fraction(90)),  # YAML 1.1 reads 1:30 as the number 90
])
def test_pause_durations(scripts: Path, value: str, seconds: Fraction) -> None:
    guide = load_script(write(scripts, script(f"- pause: {value}\n")))
    assert guide.sections[0].steps[0].seconds == seconds  # type: ignore[union-attr]


@pytest.mark.parametrize(("value", "level"), [("-20 LUFS", -20.0), ("-16.5lufs", -16.5), ("-23", -23.0),
                                              ("'-30'", -30.0), ("-40 LUFS", -40.0), ("-10", -10.0)])
def test_loudness_forms(scripts: Path, value: str, level: float) -> None:
    guide = load_script(write(scripts, script(top=f"sound:\n  loudness: {value}\n")))
    assert guide.sound.loudness == level


def test_builtin_sounds_and_none(scripts: Path) -> None:
    for bed in ("none", "brown-noise", "pink-noise", "rain", "waves"):
        for cue in ("none", "bell", "chime", "bowl"):
            path = write(scripts, script(f"- cue: {cue}\n", top=f"sound:\n  ambience: {bed}\n  cue: {cue}\n"))
            guide = load_script(path)
            step = guide.sections[0].steps[0]
            assert (guide.sound.ambience, guide.sound.cue) == (bed, cue)
            assert step == Cue(sound=cue, where=Where(str(path), 9, 9))


def test_anchor_without_alias_is_harmless(scripts: Path) -> None:
    assert load_script(write(scripts, script(top="author: &me Me\n"))).author == "Me"


def test_project_scripts_load() -> None:
    folder = Path(__file__).resolve().parent.parent / "scripts"
    guides = load_scripts(sorted(p for p in folder.glob("*.yaml") if p.name != "podcast.yaml"))
    assert [g.slug for g in guides] == ["bedtime-routine", "causes-explained", "cramp-relief"]
    assert all(g.published == dt.date(2026, 11, 26) for g in guides)


# -- properties -------------------------------------------------------------------------

YAMLISH = st.lists(st.sampled_from(list("ab:-_ \n\t[]{},&*!|>'\"#%@`?0123456789.sm<>/\\")
                                   + ["say", "pause", "hold", "repeat", "steps", "title", "sections", "description",
                                      "cue", "remind_every", "remind", "\x07", "\u00e9", "\ufeff", "---", "!!int ",
                                      "!!bool ", "0b_", "2026-02-30", "\n  ", "\n    - "]),
                   max_size=80).map("".join)


@pytest.fixture(scope="module")
def fuzz_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz") / "scripts"
    folder.mkdir()
    return folder / "fuzz.yaml"


def _only_script_errors(path: Path) -> None:
    try:
        load_script(path)
    except ScriptError as exc:
        assert exc.exit_code == 2
        assert str(exc).startswith(str(path) + ":")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode), YAMLISH.map(str.encode),
                      YAMLISH.map(lambda s: (script() + s).encode())))
def test_load_script_raises_only_script_errors(fuzz_file: Path, data: bytes) -> None:
    fuzz_file.write_bytes(data)
    _only_script_errors(fuzz_file)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(["say", "pause", "cue", "hold", "repeat", "remind_every", "steps"]),
                                st.one_of(st.sampled_from(["2s", "0", "-1", "1m30", "bell", "3", "101", "yes", "~",
                                                           "'<break/>'", "[]", "{}", "0b_", "2026-02-30", ".inf",
                                                           "Hi.", "!!float x", "9" * 400]),
                                          st.text(max_size=10))),
                      min_size=1, max_size=5))
def test_steps_raise_only_script_errors(fuzz_file: Path, steps: list[tuple[str, str]]) -> None:
    lines = "".join(("- " if i == 0 else "  ") + f"{key}: {value}\n" for i, (key, value) in enumerate(steps))
    fuzz_file.write_text(script(lines), encoding="utf-8")
    _only_script_errors(fuzz_file)


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(st.text(alphabet="0123456789.hms +-_eE\u0663\uff13", max_size=12), st.text(max_size=12),
                       st.integers(), st.floats(), st.booleans(), st.none(), st.fractions(),
                       st.lists(st.integers(), max_size=2), st.dates()))
def test_parse_duration_raises_only_value_error(value: object) -> None:
    try:
        seconds = parse_duration(value)
    except ValueError:
        return
    assert isinstance(seconds, Fraction)
