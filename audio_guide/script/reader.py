"""YAML that remembers where everything was: the reader behind guides and the podcast config.

The file is composed into nodes (not plain dicts) so that each value keeps its position, and
every check can say ``file:line:col``, what was expected, and the nearest valid word. Aliases
are refused outright (guides have ``repeat`` for reuse; refusing them removes "billion
laughs" bombs), and so is nesting past :data:`~.limits.MAX_DEPTH`.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Final, TypeVar

import yaml

from ..errors import ScriptError
from .durations import human, parse_duration, parse_level, parse_number, shown
from .limits import MAX_DEPTH, MAX_FILE_BYTES, MAX_STEP_SECONDS
from .model import Where
from .yaml_errors import explain

LANGUAGE_TAG: Final = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
"""A BCP-47 language tag, as far as a guide or feed needs: ``en``, ``en-GB``, ``zh-Hant-TW``."""
NULL_TAG: Final = "tag:yaml.org,2002:null"

_SCALAR_TAGS: Final = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")
)
_TAG_WORDS: Final = {"int": "a whole number", "float": "a number", "bool": "true or false", "timestamp": "a date"}
T = TypeVar("T")


class _Loader(yaml.SafeLoader):
    """A safe loader that refuses aliases and bounds nesting while composing."""

    def __init__(self, stream: str, path: str) -> None:
        super().__init__(stream)
        self._path = path
        self._depth = 0

    def _next_mark(self) -> yaml.Mark:
        mark: yaml.Mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]  # PyYAML's parser is untyped
        return mark

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self._next_mark()
            raise ScriptError(
                "YAML aliases (*name) are not supported;",
                self._path, mark.line + 1, mark.column + 1,
                "write the steps out, or use a 'repeat' step.",
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self._next_mark()
                raise ScriptError(
                    f"nested more than {MAX_DEPTH} levels deep;",
                    self._path, mark.line + 1, mark.column + 1,
                    "a guide needs only a few levels (sections, steps, repeat).",
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def compose(path: Path) -> yaml.Node | None:
    """Read ``path`` into position-keeping nodes; every way a file can be unreadable is a ScriptError."""
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
        node: yaml.Node | None = loader.get_single_node()
        return node
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem, hint = explain(exc)
        raise ScriptError(f"YAML syntax error: {problem}", name, mark.line + 1 if mark else None,
                          mark.column + 1 if mark else None, hint) from None
    except yaml.YAMLError as exc:
        raise ScriptError(f"YAML error: {exc}", name) from None
    finally:
        loader.dispose()


def is_empty(node: yaml.Node) -> bool:
    """A file holding only ``~`` or ``null`` (an empty file composes to no node at all)."""
    return isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG


class Reader:
    """Reads values off composed nodes; one per file, so every error knows where it is."""

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
        """A mapping's entries by key, refusing unknown (with the nearest), duplicate and missing keys."""
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping (key: value lines), got {describe(node)}.")
        found: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, f"keys in {what} must be plain words, got {describe(key_node)}.")
            key = key_node.value
            if key in found:
                raise self.fail(key_node, f"duplicate key '{key}' in {what}.", "Keep only one of them.")
            if key not in allowed:
                raise self.fail(key_node, f"unknown key '{key}' in {what}; expected one of: {', '.join(allowed)}.",
                                did_you_mean(key, allowed))
            found[key] = (key_node, value_node)
        for key in required:
            if key not in found:
                raise self.fail(node, f"{what} is missing the required key '{key}'.")
        return found

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"{what} must be a list (lines starting with '- '), got {describe(node)}.")
        if not node.value:
            raise self.fail(node, f"{what} must not be empty.")
        return list(node.value)

    def text(self, node: yaml.Node, what: str, max_chars: int = 500) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag == NULL_TAG:
            raise self.fail(node, f"{what} must be text, got {describe(node)}.")
        value = str(node.value).strip()
        if not value:
            raise self.fail(node, f"{what} must not be empty.")
        if len(value) > max_chars:
            raise self.fail(node, f"{what} is {len(value)} characters long; the limit is {max_chars}.",
                            "Split it into shorter pieces.")
        bad = unusable_character(value)
        if bad:
            raise self.fail(node, f"{what} contains a character that cannot be used: {bad}.", "Remove it.")
        return value

    def scalar(self, node: yaml.Node, what: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, f"{what} must be a single value, got {describe(node)}.")
        if node.tag not in _SCALAR_TAGS:
            raise self.fail(node, f"{what}: the YAML tag '{node.tag}' is not supported.", "Remove the tag.")
        try:
            return yaml.SafeLoader("").construct_object(node)
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
            raise self.fail(node, f"{what} is longer than the limit of {human(high)}.")
        return seconds

    def number(self, node: yaml.Node, what: str, low: float, high: float, unit: str) -> float:
        value = self.convert(node, what, lambda v: parse_level(v, unit) if unit else parse_number(v))
        if not low <= value <= high:
            raise self.fail(node, f"{what} must be between {low:g} and {high:g}{' ' + unit if unit else ''}, got {value:g}.")
        return value


def did_you_mean(word: str, choices: tuple[str, ...] | list[str]) -> str | None:
    """The nearest valid word as a hint, or ``None`` when nothing is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"Did you mean '{close[0]}'?" if close else None


def describe(node: yaml.Node) -> str:
    """What a node is, in a few words, for 'expected X, got Y' (never a whole huge value)."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == NULL_TAG:
        return "nothing"
    if len(node.value) > 40 or "\n" in node.value or "\r" in node.value:
        return "a long text"
    return f"'{node.value}'"


def unusable_character(text: str) -> str | None:
    """The first character a voice cannot say or a feed cannot carry, named; ``None`` if all are fine."""
    for ch in text:
        if ch in "\n\t":
            continue
        category = unicodedata.category(ch)
        # "So" above U+2190 is arrows, dingbats and emoji; below it are °, © and the like
        if category in ("Cc", "Cf", "Cs", "Co", "Cn") or (category == "So" and ord(ch) >= 0x2190):
            return f"U+{ord(ch):04X} {unicodedata.name(ch, 'control character').lower()!r}" if category != "Cc" \
                else f"U+{ord(ch):04X} (a control character)"
    return None
