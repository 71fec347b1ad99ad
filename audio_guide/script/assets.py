"""Files a script names (sounds, covers): inside the project, present, and really what they claim.

Checked when the script is read, so a missing or mislabelled file stops ``validate`` with
the line that names it, not a build half an hour later.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from ..media.image import cover_problem
from .limits import AUDIO_EXTENSIONS, IMAGE_EXTENSIONS
from .reader import Reader, did_you_mean


def sound_source(reader: Reader, node: yaml.Node, what: str, builtins: tuple[str, ...]) -> str:
    """``none``, a built-in sound's name, or the absolute path of a checked audio file."""
    value = reader.text(node, what)
    if value == "none" or value in builtins:
        return value
    if not Path(value).suffix:
        raise reader.fail(node, f"{what}: unknown sound '{value}'; expected none, one of {', '.join(builtins)}, "
                                "or a path to an audio file.", did_you_mean(value, ("none",) + builtins))
    return str(project_file(reader, node, what, value, AUDIO_EXTENSIONS))


def cover_image(reader: Reader, node: yaml.Node, what: str) -> Path:
    """A cover in the project that Apple would accept (the feed offers it)."""
    path = project_file(reader, node, what, reader.text(node, what), IMAGE_EXTENSIONS)
    problem = cover_problem(path)
    if problem:
        raise reader.fail(node, f"{what}: {problem}")
    return path


def project_file(reader: Reader, node: yaml.Node, what: str, value: str, extensions: tuple[str, ...]) -> Path:
    """Resolve a path written in a script; it must stay inside the project and exist.

    The project is the script folder's parent: a published podcast is that folder, so a file
    from elsewhere (a symbolic link included) would be missing on the next machine.
    """
    raw = Path(value)
    if raw.is_absolute():
        raise reader.fail(node, f"{what}: '{value}' is an absolute path;",
                          "write it relative to the script's folder.")
    base = reader.path.resolve().parent
    project = base.parent
    resolved = (base / raw).resolve()
    if not resolved.is_relative_to(project):
        raise reader.fail(node, f"{what}: '{value}' points outside the project ({project}).",
                          "Copy the file into the project.")
    try:
        exists = resolved.is_file()
    except OSError as exc:  # e.g. a name too long for the file system
        raise reader.fail(node, f"{what}: '{value}' cannot be used as a file name ({exc.strerror}).") from None
    if not exists:
        raise reader.fail(node, f"{what}: file '{value}' does not exist (looked for {resolved}).")
    kinds = ", ".join(e.lstrip(".") for e in extensions)
    if resolved.suffix.lower() not in extensions:
        raise reader.fail(node, f"{what}: '{value}' is not a file of a supported kind; expected one of: {kinds}.")
    if not _sniff(resolved, extensions):
        raise reader.fail(node, f"{what}: '{value}' is named like a {resolved.suffix.lower().lstrip('.')} file, "
                                "but its contents are not.", "Check that it is the right file, or convert it.")
    return resolved


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
