"""PyYAML's syntax errors, said for a person: what went wrong and what to do about it.

PyYAML speaks of tokens and events ('<block mapping start>'); a producer editing a guide
needs 'a new key', the line where the quoted text began, and a fix.
"""

from __future__ import annotations

import re
from typing import Final

import yaml

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


def explain(exc: yaml.MarkedYAMLError) -> tuple[str, str | None]:
    """The problem in plain words, and a hint: ``(message, hint)``."""
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
