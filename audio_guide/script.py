"""YAML script -> :class:`~audio_guide.model.Guide`, with every error pointing at its line.

The YAML is composed into nodes (not plain dicts) so that each value keeps its position;
every check below can then say ``file:line:col`` and what was expected. Aliases are refused
outright: guides have ``repeat`` for reuse, and refusing them removes "billion laughs" bombs.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Final, TypeVar

import yaml

from . import engines
from .durations import parse_duration, parse_level, shown
from .errors import ScriptError
from .model import (
    BUILTIN_BEDS,
    BUILTIN_CUES,
    Cue,
    Guide,
    Hold,
    Pause,
    Repeat,
    Say,
    Section,
    Sound,
    Step,
    Voice,
    Where,
)
from .text import BREAK_TAG, MAX_BREAK, split_breaks

REMINDER_QUIET_END: Final = Fraction(10)
"""No reminder starts in the last 10 s of a hold (the planner uses the same value)."""
MAX_FILE_BYTES: Final = 1_000_000
MAX_DEPTH: Final = 40
MAX_STEP_SECONDS: Final = Fraction(2 * 3600)
MAX_GUIDE_SECONDS: Final = Fraction(12 * 3600)
MAX_SAY_CHARS: Final = 5000
MAX_REPEAT: Final = 100
MAX_EXPANDED_STEPS: Final = 20_000
AUDIO_EXTENSIONS: Final = (".wav", ".mp3", ".ogg", ".oga", ".flac", ".m4a", ".aac", ".aif", ".aiff", ".opus")

TOP_KEYS: Final = (
    "title", "description", "slug", "language", "voice", "sound", "sections",
    "author", "album", "genre", "published", "references", "lexicon", "cover",
)
VOICE_KEYS: Final = ("engine", "name", "rate", "sentence_pause", "paragraph_pause")
SOUND_KEYS: Final = (
    "ambience", "cue", "loudness", "fade_out", "fade_in", "ambience_level", "duck", "tail",
)
SECTION_KEYS: Final = ("title", "steps")
STEP_KINDS: Final = ("say", "pause", "cue", "hold", "repeat")
STEP_OPTIONS: Final = {
    "say": (),
    "pause": (),
    "cue": (),
    "hold": ("cue", "remind_every", "remind"),
    "repeat": ("steps",),
}

_SCALAR_TAGS: Final = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")
)
_TAG_WORDS: Final = {"int": "a whole number", "float": "a number", "bool": "true or false", "timestamp": "a date"}
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
T = TypeVar("T")


class _Loader(yaml.SafeLoader):
    """A safe loader that refuses aliases and bounds nesting while composing."""

    def __init__(self, stream: str, path: str) -> None:
        super().__init__(stream)
        self._path = path
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: D401 - PyYAML hook
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise ScriptError(
                "YAML aliases (*name) are not supported;",
                self._path, mark.line + 1, mark.column + 1,
                "write the steps out, or use a 'repeat' step.",
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise ScriptError(
                    f"nested more than {MAX_DEPTH} levels deep;",
                    self._path, mark.line + 1, mark.column + 1,
                    "a guide needs only a few levels (sections, steps, repeat).",
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Reader:
    """Walks composed nodes; one instance per script so errors know the file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = str(path)

    # -- positions and errors -------------------------------------------------
    def where(self, node: yaml.Node) -> Where:
        return Where(self.name, node.start_mark.line + 1, node.start_mark.column + 1)

    def fail(self, node: yaml.Node, message: str, hint: str | None = None) -> ScriptError:
        w = self.where(node)
        return ScriptError(message, w.path, w.line, w.column, hint)

    # -- shapes ---------------------------------------------------------------
    def mapping(
        self, node: yaml.Node, what: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping (key: value lines), got {_kind(node)}.")
        found: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, f"keys in {what} must be plain words, got {_kind(key_node)}.")
            key = key_node.value
            if key in found:
                raise self.fail(key_node, f"duplicate key '{key}' in {what}.", "Keep only one of them.")
            if key not in allowed:
                raise self.fail(key_node, f"unknown key '{key}' in {what}; expected one of: {', '.join(allowed)}.",
                                _did_you_mean(key, allowed))
            found[key] = (key_node, value_node)
        for key in required:
            if key not in found:
                raise self.fail(node, f"{what} is missing the required key '{key}'.")
        return found

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"{what} must be a list (lines starting with '- '), got {_kind(node)}.")
        if not node.value:
            raise self.fail(node, f"{what} must not be empty.")
        return list(node.value)

    def text(self, node: yaml.Node, what: str, max_chars: int = 500) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null":
            raise self.fail(node, f"{what} must be text, got {_kind(node)}.")
        value = node.value.strip()
        if not value:
            raise self.fail(node, f"{what} must not be empty.")
        if len(value) > max_chars:
            raise self.fail(node, f"{what} is {len(value)} characters long; the limit is {max_chars}.",
                            "Split it into shorter pieces.")
        bad = _unprintable(value)
        if bad:
            raise self.fail(node, f"{what} contains a character that cannot be used: {bad}.", "Remove it.")
        return value

    def scalar(self, node: yaml.Node, what: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, f"{what} must be a single value, got {_kind(node)}.")
        if node.tag not in _SCALAR_TAGS:
            raise self.fail(node, f"{what}: the YAML tag '{node.tag}' is not supported.", "Remove the tag.")
        try:
            return yaml.SafeLoader("").construct_object(node)  # type: ignore[no-untyped-call]
        except (ValueError, KeyError, AttributeError):  # 2026-02-30, 0b_, !!bool maybe, !!timestamp x
            kind = _TAG_WORDS.get(node.tag.rsplit(":", 1)[-1], "a value")
            raise self.fail(node, f"{what}: cannot read {shown(node.value)} as {kind}.") from None

    def convert(self, node: yaml.Node, what: str, parse: Callable[[Any], T]) -> T:
        try:
            return parse(self.scalar(node, what))
        except ValueError as exc:
            raise self.fail(node, f"{what}: {exc}.") from None

    def duration(self, node: yaml.Node, what: str, *, low: Fraction = Fraction(0), allow_zero: bool = False,
                 high: Fraction = MAX_STEP_SECONDS) -> Fraction:
        seconds = self.convert(node, what, parse_duration)
        if seconds < 0 or (seconds == 0 and not allow_zero):
            raise self.fail(node, f"{what} must be {'zero or more' if allow_zero else 'longer than zero'}, "
                                  f"got {shown(self.scalar(node, what))}.")
        if seconds < low:
            raise self.fail(node, f"{what} must be at least {float(low):g}s.")
        if seconds > high:
            raise self.fail(node, f"{what} is longer than the limit of {_human(high)}.")
        return seconds

    def number(self, node: yaml.Node, what: str, low: float, high: float, unit: str) -> float:
        value = self.convert(node, what, lambda v: parse_level(v, unit) if unit else _plain_number(v))
        if not low <= value <= high:
            raise self.fail(node, f"{what} must be between {low:g} and {high:g}{' ' + unit if unit else ''}, got {value:g}.")
        return value

    def sound_source(self, node: yaml.Node, what: str, builtins: tuple[str, ...]) -> str:
        value = self.text(node, what)
        if value == "none" or value in builtins:
            return value
        if not Path(value).suffix:
            raise self.fail(node, f"{what}: unknown sound '{value}'; expected none, one of {', '.join(builtins)}, "
                                  "or a path to an audio file.", _did_you_mean(value, ("none",) + builtins))
        return str(self.project_file(node, what, value, AUDIO_EXTENSIONS))

    def project_file(self, node: yaml.Node, what: str, value: str, extensions: tuple[str, ...]) -> Path:
        """Resolve a path written in a script; it must stay inside the project and exist."""
        raw = Path(value)
        if raw.is_absolute():
            raise self.fail(node, f"{what}: '{value}' is an absolute path;",
                            "write it relative to the script's folder.")
        base = self.path.resolve().parent
        project = base.parent
        resolved = (base / raw).resolve()
        if not resolved.is_relative_to(project):
            raise self.fail(node, f"{what}: '{value}' points outside the project ({project}).",
                            "Copy the file into the project.")
        try:
            exists = resolved.is_file()
        except OSError as exc:  # e.g. a name too long for the file system
            raise self.fail(node, f"{what}: '{value}' cannot be used as a file name ({exc.strerror}).") from None
        if not exists:
            raise self.fail(node, f"{what}: file '{value}' does not exist (looked for {resolved}).")
        kinds = ", ".join(e.lstrip(".") for e in extensions)
        if resolved.suffix.lower() not in extensions:
            raise self.fail(node, f"{what}: '{value}' is not a file of a supported kind; expected one of: {kinds}.")
        if not _sniff(resolved, extensions):
            raise self.fail(node, f"{what}: '{value}' is named like a {resolved.suffix.lower().lstrip('.')} file, "
                                  "but its contents are not.", "Check that it is the right file, or convert it.")
        return resolved


def load_script(path: str | Path) -> Guide:
    """Read and validate one guide script; raise :class:`ScriptError` on the first problem."""
    path = Path(path)
    reader = _Reader(path)
    root = _compose(path)
    if root is None or (isinstance(root, yaml.ScalarNode) and root.tag == "tag:yaml.org,2002:null"):
        raise ScriptError("the script is empty; expected a mapping with title, description and sections.",
                          str(path), 1, 1)
    top = reader.mapping(root, "the script", TOP_KEYS, ("title", "description", "sections"))

    def opt(key: str) -> yaml.Node | None:
        return top[key][1] if key in top else None

    voice = _voice(reader, opt("voice"))
    sound = _sound(reader, opt("sound"))
    sections = tuple(
        _section(reader, node, voice) for node in reader.sequence(top["sections"][1], "'sections'")
    )
    slug_node = opt("slug")
    slug = reader.text(slug_node, "'slug'") if slug_node else path.stem
    if not _SLUG.fullmatch(slug):
        rule = "use lower-case letters, digits, '-', '_' or '.', starting with a letter or digit."
        if slug_node is not None:
            raise reader.fail(slug_node, f"slug '{slug}' is not a safe file name;", rule)
        raise reader.fail(root, f"the file name gives the slug '{slug}', which is not a safe file name;",
                          f"add a 'slug:' line or rename the file ({rule[:-1]}).")
    language = reader.text(opt("language"), "'language'") if opt("language") else "en"
    if not _LANGUAGE.fullmatch(language):
        raise reader.fail(opt("language"), f"language '{language}' is not a BCP-47 tag;", "write e.g. en or en-GB.")
    published = _date(reader, opt("published")) if opt("published") else None
    references = tuple(reader.text(n, "a reference", 1000) for n in reader.sequence(opt("references"), "'references'")) \
        if opt("references") else ()
    lexicon: tuple[tuple[str, str], ...] = ()
    if opt("lexicon"):
        node = opt("lexicon")
        if not isinstance(node, yaml.MappingNode):
            raise reader.fail(node, "'lexicon' must be a mapping of word: how to say it.")
        lexicon = tuple(
            (reader.text(k, "a lexicon word", 100), reader.text(v, "a lexicon pronunciation", 200))
            for k, v in node.value
        )
    cover = _cover(reader, opt("cover")) if opt("cover") else None

    guide = Guide(
        path=path,
        title=reader.text(top["title"][1], "'title'", 200),
        description=reader.text(top["description"][1], "'description'", 4000),
        slug=slug,
        sections=sections,
        language=language,
        voice=voice,
        sound=sound,
        author=reader.text(opt("author"), "'author'", 200) if opt("author") else "audio-guide",
        album=reader.text(opt("album"), "'album'", 200) if opt("album") else "audio-guide",
        genre=reader.text(opt("genre"), "'genre'", 100) if opt("genre") else "Spoken Word",
        published=published,
        references=references,
        lexicon=lexicon,
        cover=cover,
    )
    _check_totals(reader, root, guide)
    return guide


def load_scripts(paths: list[Path]) -> list[Guide]:
    """Load several scripts, refusing two that would write the same output files."""
    guides = [load_script(p) for p in paths]
    seen: dict[str, Path] = {}
    for guide in guides:
        if guide.slug in seen:
            raise ScriptError(f"slug '{guide.slug}' is also used by {seen[guide.slug]};",
                              str(guide.path), None, None, "give each guide its own slug.")
        seen[guide.slug] = guide.path
    return guides


# -- pieces -----------------------------------------------------------------------------


def _compose(path: Path) -> yaml.Node | None:
    name = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ScriptError("no such file.", name, None, None, "Check the path.") from None
    except IsADirectoryError:
        raise ScriptError("is a folder, not a script file.", name) from None
    except OSError as exc:
        raise ScriptError(f"cannot be read: {exc.strerror}.", name) from None
    if len(data) > MAX_FILE_BYTES:
        raise ScriptError(f"is {len(data):,} bytes; a script may be at most {MAX_FILE_BYTES:,} bytes.", name, None,
                          None, "Split it into several guides.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        # Editors count characters, not bytes; the bytes before the bad one decode fine.
        column = len(data[line_start:exc.start].decode("utf-8-sig")) + 1
        raise ScriptError(f"is not UTF-8 text (byte 0x{data[exc.start]:02x}).", name, line, column,
                          "Save the file as UTF-8.") from None
    if "\x00" in text:
        raise ScriptError("contains NUL characters; it is not a text file.", name)
    try:
        loader = _Loader(text, name)
    except yaml.reader.ReaderError as exc:  # a control character; the reader checks the whole text first
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise ScriptError(f"contains the control character U+{exc.character:04X}, which YAML does not allow.",
                          name, line, column, "Remove it.") from None
    try:
        return loader.get_single_node()  # type: ignore[no-any-return]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem, hint = _yaml_problem(exc)
        raise ScriptError(f"YAML syntax error: {problem}", name, mark.line + 1 if mark else None,
                          mark.column + 1 if mark else None, hint) from None
    except yaml.YAMLError as exc:
        raise ScriptError(f"YAML error: {exc}", name) from None
    finally:
        loader.dispose()


_YAML_WORDS: Final = (
    ("'<stream end>'", "the end of the file"), ("'<block mapping start>'", "a new key"),
    ("'<block sequence start>'", "a new list"), ("'<block end>'", "the end of the block"),
    ("'<scalar>'", "a value"), ("'?'", "a key"), ("found unexpected end of stream", "the file ends too early"),
    ("the node content", "a value"),
)
_YAML_CONTEXTS: Final = {
    "while scanning a quoted scalar": "in the quoted text",
    "while scanning a double-quoted scalar": "in the quoted text",
    "while scanning a simple key": "in the key",
    "while scanning a block scalar": "in the | or > text block",
    "while parsing a flow sequence": "in the [ ] list",
    "while parsing a flow mapping": "in the { } mapping",
    "while parsing a block mapping": "in the mapping",
    "while parsing a block collection": "in the list",
}


def _yaml_problem(exc: yaml.MarkedYAMLError) -> tuple[str, str | None]:
    """PyYAML's words for a syntax error, said for a person: (message, hint)."""
    problem = exc.problem or "invalid YAML"
    context = exc.context or ""
    if "'\\t'" in problem or "tab character" in problem:
        return "a tab character is used for indentation;", "indent with spaces."
    if "expected a single document" in context:
        return "holds more than one YAML document ('---');", "keep one guide per file."
    if "duplicate anchor" in context:
        return "the same anchor (&name) is defined twice.", "Remove the anchors: guides do not use them."
    start = re.fullmatch(r"found character '(.+)' that cannot start any token", problem)
    if start:
        return f"a value cannot start with '{start[1]}';", "put the whole text in quotes."
    if problem == "mapping values are not allowed here":
        return ("a ': ' is not allowed here;",
                "put text that holds ': ' in quotes, and check that this line is indented like the keys around it.")
    if problem.startswith("expected <block end>"):
        problem = "this line is not indented like the lines above it"
    for jargon, word in _YAML_WORDS:
        problem = problem.replace(jargon, word)
    if context in _YAML_CONTEXTS and exc.context_mark is not None:
        problem += (f", {_YAML_CONTEXTS[context]} that starts at line {exc.context_mark.line + 1}, "
                    f"column {exc.context_mark.column + 1}")
    return problem + ".", "Check the indentation, colons and quotes there."


def _voice(reader: _Reader, node: yaml.Node | None) -> Voice:
    if node is None:
        return Voice()
    keys = reader.mapping(node, "'voice'", VOICE_KEYS)
    values: dict[str, Any] = {}
    if "engine" in keys:
        knode = keys["engine"][1]
        engine = reader.text(knode, "'voice.engine'")
        if engine not in engines.names():
            raise reader.fail(knode, f"unknown engine '{engine}'; expected one of: {', '.join(engines.names())}.",
                              _did_you_mean(engine, engines.names()))
        values["engine"] = engine
    engine = values.get("engine", Voice.engine)
    if "name" in keys:
        vnode = keys["name"][1]
        name = reader.text(vnode, "'voice.name'")
        known = engines.voice_names(engine)
        if known is not None and name not in known:
            raise reader.fail(vnode, f"engine '{engine}' has no voice '{name}'; expected one of: {', '.join(known)}.",
                              _did_you_mean(name, known))
        values["name"] = name
    if "rate" in keys:
        values["rate"] = reader.number(keys["rate"][1], "'voice.rate'", 0.5, 2.0, "")
    for key in ("sentence_pause", "paragraph_pause"):
        if key in keys:
            values[key] = reader.duration(keys[key][1], f"'voice.{key}'", allow_zero=True, high=Fraction(60))
    return Voice(**values)


def _sound(reader: _Reader, node: yaml.Node | None) -> Sound:
    if node is None:
        return Sound()
    keys = reader.mapping(node, "'sound'", SOUND_KEYS)
    values: dict[str, Any] = {}
    if "ambience" in keys:
        values["ambience"] = reader.sound_source(keys["ambience"][1], "'sound.ambience'", BUILTIN_BEDS)
    if "cue" in keys:
        values["cue"] = reader.sound_source(keys["cue"][1], "'sound.cue'", BUILTIN_CUES)
    if "loudness" in keys:
        values["loudness"] = reader.number(keys["loudness"][1], "'sound.loudness'", -40, -10, "LUFS")
    if "ambience_level" in keys:
        values["ambience_level"] = reader.number(keys["ambience_level"][1], "'sound.ambience_level'", -60, 0, "dB")
    if "duck" in keys:
        values["duck"] = reader.number(keys["duck"][1], "'sound.duck'", 0, 40, "dB")
    for key, high in (("fade_out", Fraction(120)), ("fade_in", Fraction(120)), ("tail", MAX_STEP_SECONDS)):
        if key in keys:
            values[key] = reader.duration(keys[key][1], f"'sound.{key}'", allow_zero=True, high=high)
    return Sound(**values)


def _section(reader: _Reader, node: yaml.Node, voice: Voice) -> Section:
    keys = reader.mapping(node, "a section", SECTION_KEYS, SECTION_KEYS)
    title = reader.text(keys["title"][1], "a section's 'title'", 200)
    steps = tuple(_step(reader, n) for n in reader.sequence(keys["steps"][1], f"the steps of section '{title}'"))
    return Section(title=title, steps=steps, where=reader.where(node))


def _step(reader: _Reader, node: yaml.Node, depth: int = 0) -> Step:
    if isinstance(node, yaml.ScalarNode) and node.value in STEP_KINDS:
        raise reader.fail(node, f"step '{node.value}' has no value;", f"write e.g. '- {node.value}: ...'.")
    if not isinstance(node, yaml.MappingNode):
        raise reader.fail(node, f"a step must be a mapping such as '- say: ...', got {_kind(node)}.")
    names = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
    # dict.fromkeys: a kind written twice is a duplicate key, reported as such by mapping() below
    kinds = list(dict.fromkeys(n for n in names if n in STEP_KINDS and not (n == "cue" and "hold" in names)))
    if not node.value:
        raise reader.fail(node, f"a step is empty; expected one of: {', '.join(STEP_KINDS)}.")
    if not kinds:
        first = node.value[0][0]
        word = names[0] if names else ""
        raise reader.fail(first, f"unknown step '{word}'; expected one of: {', '.join(STEP_KINDS)}.",
                          _did_you_mean(word, STEP_KINDS))
    if len(kinds) > 1:
        raise reader.fail(node, f"a step has exactly one kind, but this one has {' and '.join(repr(k) for k in kinds)}.",
                          "Put each on its own '- ' line.")
    kind = kinds[0]
    keys = reader.mapping(node, f"a '{kind}' step", (kind,) + STEP_OPTIONS[kind])
    value = keys[kind][1]
    where = reader.where(node)
    if kind == "say":
        return Say(text=_say_text(reader, value, "a 'say' line"), where=where)
    if kind == "pause":
        return Pause(seconds=reader.duration(value, "'pause'"), where=where)
    if kind == "cue":
        return Cue(sound=reader.sound_source(value, "'cue'", BUILTIN_CUES), where=where)
    if kind == "hold":
        seconds = reader.duration(value, "'hold'")
        cue = reader.sound_source(keys["cue"][1], "the hold's 'cue'", BUILTIN_CUES) if "cue" in keys else None
        every = remind = None
        if ("remind_every" in keys) != ("remind" in keys):
            given, missing = ("remind_every", "remind") if "remind_every" in keys else ("remind", "remind_every")
            raise reader.fail(node, f"a 'hold' with '{given}' also needs '{missing}'.", "Give both, or neither.")
        if "remind_every" in keys:
            every = reader.duration(keys["remind_every"][1], "'remind_every'", low=Fraction(10))
            if every >= seconds:
                raise reader.fail(keys["remind_every"][1],
                                  f"'remind_every' ({_human(every)}) must be shorter than the hold ({_human(seconds)}).")
            if every >= seconds - REMINDER_QUIET_END:
                raise reader.fail(keys["remind_every"][1],
                                  f"no reminder can play: the first would start {_human(every)} into a "
                                  f"{_human(seconds)} hold, inside its last {_human(REMINDER_QUIET_END)}.",
                                  "Shorten 'remind_every' or lengthen the hold.")
            remind = _say_text(reader, keys["remind"][1], "'remind'")
        return Hold(seconds=seconds, where=where, cue=cue, remind_every=every, remind=remind)
    # repeat
    times = reader.scalar(value, "'repeat'")
    if isinstance(times, bool) or not isinstance(times, int) or not 1 <= times <= MAX_REPEAT:
        raise reader.fail(value, f"'repeat' must be a whole number from 1 to {MAX_REPEAT}, got {shown(value.value)}.")
    if "steps" not in keys:
        raise reader.fail(node, "a 'repeat' step needs 'steps': the list of steps to repeat.")
    steps = tuple(_step(reader, n, depth + 1) for n in reader.sequence(keys["steps"][1], "the repeat's 'steps'"))
    return Repeat(times=times, steps=steps, where=where)


def _say_text(reader: _Reader, node: yaml.Node, what: str) -> str:
    text = reader.text(node, what, MAX_SAY_CHARS)
    try:
        pieces = split_breaks(text)
    except ValueError as exc:
        example = '<break time="2s"/>'
        hint = None if example in str(exc) else f"Write a pause as {example}."
        raise reader.fail(node, f"{what}: {exc}.", hint) from None
    for piece in pieces:
        if isinstance(piece, Fraction) and not 0 < piece <= MAX_BREAK:
            raise reader.fail(node, f"{what}: a <break> must be longer than zero and at most {_human(MAX_BREAK)}.")
    if not any(isinstance(p, str) and any(ch.isalnum() for ch in p) for p in pieces):
        raise reader.fail(node, f"{what} has no words to speak.",
                          "Use a 'pause' step for silence." if what == "a 'say' line" else None)
    return text


def _cover(reader: _Reader, node: yaml.Node) -> Path:
    """A guide's own cover: held to the podcast cover's rules, since the feed offers it too."""
    from .cover import cover_problem

    path = reader.project_file(node, "'cover'", reader.text(node, "'cover'"), (".png",))
    problem = cover_problem(path)
    if problem:
        raise reader.fail(node, f"'cover': {problem}")
    return path


def _date(reader: _Reader, node: yaml.Node) -> dt.date:
    if not isinstance(node, yaml.ScalarNode):
        raise reader.fail(node, f"'published' must be a date written YYYY-MM-DD, got {_kind(node)}.")
    text = node.value.strip()
    try:
        if not _DATE.fullmatch(text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise reader.fail(node, f"'published' must be a date written YYYY-MM-DD, got {shown(node.value)}.") from None


def _check_totals(reader: _Reader, root: yaml.Node, guide: Guide) -> None:
    """Refuse guides whose timed parts alone exceed the limits, before any speech is made."""
    count = 0
    seconds = Fraction(0)

    def walk(steps: tuple[Step, ...], times: int) -> None:
        nonlocal count, seconds
        for step in steps:
            count += times
            if isinstance(step, (Pause, Hold)):
                seconds += step.seconds * times
            elif isinstance(step, Say):
                seconds += sum((p for p in split_breaks(step.text) if isinstance(p, Fraction)), Fraction(0)) * times
            elif isinstance(step, Repeat):
                walk(step.steps, times * step.times)
            if count > MAX_EXPANDED_STEPS:
                raise ScriptError(f"the guide has more than {MAX_EXPANDED_STEPS:,} steps once repeats are expanded.",
                                  step.where.path, step.where.line, step.where.column, "Lower the repeat counts.")

    for section in guide.sections:
        walk(section.steps, 1)
    seconds += guide.sound.tail
    if seconds > MAX_GUIDE_SECONDS:
        raise reader.fail(root, f"the guide's pauses and holds add up to {_human(seconds)}, "
                                f"over the limit of {_human(MAX_GUIDE_SECONDS)} for a guide.")


def _did_you_mean(word: str, choices: tuple[str, ...] | list[str]) -> str | None:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"Did you mean '{close[0]}'?" if close else None


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == "tag:yaml.org,2002:null":
        return "nothing"
    if len(node.value) > 40 or "\n" in node.value or "\r" in node.value:
        return "a long text"
    return f"'{node.value}'"


def _unprintable(text: str) -> str | None:
    for ch in text:
        if ch in "\n\t":
            continue
        category = unicodedata.category(ch)
        # "So" above U+2190 is arrows, dingbats and emoji; below it are °, © and the like
        if category in ("Cc", "Cf", "Cs", "Co", "Cn") or (category == "So" and ord(ch) >= 0x2190):
            return f"U+{ord(ch):04X} {unicodedata.name(ch, 'control character').lower()!r}" if category != "Cc" \
                else f"U+{ord(ch):04X} (a control character)"
    return None


def _plain_number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a number, got {shown(value)}")
    try:
        number = float(value)
    except OverflowError:  # a 400-digit int
        raise ValueError("expected a finite number") from None
    if number != number or abs(number) == float("inf"):
        raise ValueError("expected a finite number")
    return number


def _human(seconds: Fraction) -> str:
    """Seconds in the script's own notation: ``2h``, ``1m30s``, ``12h0m30s``, ``0.5s``."""
    hours, rest = divmod(Fraction(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours}h" if hours else ""
    if minutes or (hours and secs):
        text += f"{minutes}m"
    if secs or not text:
        text += f"{float(secs):g}s"
    return text


def _sniff(path: Path, extensions: tuple[str, ...]) -> bool:
    """A cheap look at the first bytes, so a text file named .wav is refused at load time."""
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError:
        return False
    if ".png" in extensions:
        return head.startswith(b"\x89PNG\r\n\x1a\n") or head.startswith(b"\xff\xd8\xff")
    return (
        head.startswith((b"RIFF", b"ID3", b"OggS", b"fLaC", b"FORM"))
        or head[4:8] == b"ftyp"
        or (len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0)
    )
