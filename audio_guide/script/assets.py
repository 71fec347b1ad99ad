"""Files a script names (sounds, covers): inside the project, regular files, and really what they claim.

Checked when the script is read, so a missing, mislabelled, silent or absurdly long file stops
``validate`` with the line that names it, not a build half an hour later (or a build that
decodes two hours of audio to play a bell).
"""

from __future__ import annotations

import errno
import math
import stat
from fractions import Fraction
from pathlib import Path
from typing import Literal

import yaml

from ..media import ProbeError, cover_problem, probe_audio
from .durations import human
from .limits import (
    AUDIO_EXTENSIONS,
    IMAGE_EXTENSIONS,
    MAX_CUE_SECONDS,
    MIN_BED_SECONDS,
    MIN_CUE_SECONDS,
    SILENT_DB,
)
from .model import BUILTIN_BEDS, BUILTIN_CUE_SECONDS, BUILTIN_CUES
from .reader import Reader, did_you_mean

SoundKind = Literal["cue", "bed"]
BED_PROBE_SECONDS = 60.0
"""How much of an ambience file ``validate`` decodes: enough to see it is long enough and not silent."""


def sound_source(reader: Reader, node: yaml.Node, what: str, kind: SoundKind) -> str:
    """``none``, a built-in sound's name, or the absolute path of a checked audio file."""
    builtins = BUILTIN_CUES if kind == "cue" else BUILTIN_BEDS
    value = reader.text(node, what)
    if value == "none" or value in builtins:
        return value
    if not Path(value).suffix:
        raise reader.fail(node, f"{what}: unknown sound '{value}'; expected none, one of {', '.join(builtins)}, "
                                "or a path to an audio file.", did_you_mean(value, ("none",) + builtins))
    path = project_file(reader, node, what, value, AUDIO_EXTENSIONS)
    problem = sound_problem(path, kind)
    if problem:
        raise reader.fail(node, f"{what}: '{value}' {problem}")
    return str(path)


def sound_problem(path: Path, kind: SoundKind) -> str | None:
    """Why ``path`` cannot be a cue or a bed, as the end of a sentence; ``None`` if it can.

    Only as much of the file is decoded as the rule needs: a cue up to its limit, a bed up
    to the length it must reach, so a probe is cheap whatever the file holds.
    """
    limit = MAX_CUE_SECONDS if kind == "cue" else BED_PROBE_SECONDS
    try:
        found = probe_audio(path, limit)
    except ProbeError as exc:
        return f"is not usable audio: {exc}."
    except OSError as exc:
        return f"cannot be read ({exc.strerror})."
    if kind == "cue" and not found.complete:
        length = human(Fraction(round(found.declared))) if found.declared else f"over {MAX_CUE_SECONDS:g} s"
        return (f"is too long for a cue ({length}); a cue may last at most {MAX_CUE_SECONDS:g} s. "
                "Trim it, or use it as 'sound.ambience'.")
    shortest = MIN_CUE_SECONDS if kind == "cue" else MIN_BED_SECONDS
    if found.seconds < shortest:
        name = "a cue" if kind == "cue" else "an ambience file (it is looped)"
        held = f"{found.seconds * 1000:.1f} ms" if found.seconds < 0.1 else f"{found.seconds:.2f} s"
        return (f"holds only {held} of audio; {name} must last at least {shortest:g} s. "
                "Check that the file is whole (not cut short).")
    if not found.peak_db > SILENT_DB:
        peak = "digital silence" if math.isinf(found.peak_db) else f"its loudest sample is {found.peak_db:g} dBFS"
        fix = "Use another file." if kind == "cue" else "Use 'ambience: none' for no bed."
        return f"is silent ({peak}). {fix}"
    return None


def cue_seconds(name: str) -> float:
    """How long a checked cue rings (``none`` is silent), for the guide's length limit."""
    if name == "none":
        return 0.0
    if name in BUILTIN_CUE_SECONDS:
        return BUILTIN_CUE_SECONDS[name]
    return probe_audio(Path(name), MAX_CUE_SECONDS).seconds


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
        mode = resolved.stat().st_mode
    except FileNotFoundError:
        raise reader.fail(node, f"{what}: file '{value}' does not exist (looked for {resolved}).") from None
    except OSError as exc:  # e.g. a name too long for the file system, or a folder we may not enter
        use = "cannot be used as a file name" if exc.errno == errno.ENAMETOOLONG else "cannot be read"
        raise reader.fail(node, f"{what}: '{value}' {use} ({exc.strerror}).") from None
    if not stat.S_ISREG(mode):
        # never opened: reading a FIFO would wait forever, a device could be endless
        kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file (a pipe, socket or device)"
        raise reader.fail(node, f"{what}: '{value}' is {kind}; expected a file.")
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
    if ".onnx" in extensions:  # a protobuf ModelProto opens with field 1, ir_version
        return head.startswith(b"\x08")
    return (
        head.startswith((b"RIFF", b"ID3", b"OggS", b"fLaC", b"FORM"))
        or head[4:8] == b"ftyp"
        or (len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0)
    )
