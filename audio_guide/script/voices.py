"""A script's ``voice:`` mappings, and whether each voice can read the guide: installed, the
speaker it names, and the guide's language.

Asked for every voice a guide speaks in (the guide's, each section's and each line's), by the
loader with the line that chose it, and again after the command line changed the voice: a
Spanish guide read by an English voice is refused before any speech, not heard afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Final, Literal

import yaml

from .. import engines
from .assets import project_file
from .durations import shown
from .model import Guide, Hold, Say, Voice, VoiceChange
from .reader import Reader, did_you_mean

VOICE_KEYS: Final = ("engine", "name", "model", "speaker", "rate", "sentence_pause", "paragraph_pause")
_POINT_AT: Final = {"name": ("name", "model", "engine"), "speaker": ("speaker",),
                    "language": ("name", "model", "engine")}
"""Which of a ``voice:`` mapping's keys an error about each field points at, the first one written."""

Field = Literal["name", "speaker", "language"]


@dataclass(frozen=True)
class VoiceProblem:
    """Why a voice cannot read the guide, and which of the script's keys to point at."""

    field: Field
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        return self.message + (f" {self.hint}" if self.hint else "")


def voice_problem(voice: Voice, language: str) -> VoiceProblem | None:
    """``None`` when ``voice`` exists here, has the speaker asked for and speaks ``language``."""
    try:
        info = engines.describe(voice.engine, voice.voice_id)
    except engines.UnknownVoice as exc:
        return VoiceProblem("name", str(exc))
    label = info.label or voice.label()
    if voice.speaker is not None:
        if info.speaker_count <= 1:
            return VoiceProblem("speaker", f"the voice {label} has one speaker, so 'speaker' cannot be chosen;",
                                "remove 'speaker'.")
        numbered = voice.speaker.isdigit() and int(voice.speaker) < info.speaker_count
        if voice.speaker not in info.speakers and not numbered:
            choices = ", ".join(info.speakers[:12]) if info.speakers else f"0 to {info.speaker_count - 1}"
            more = f" (and {len(info.speakers) - 12} more)" if len(info.speakers) > 12 else ""
            return VoiceProblem("speaker", f"the voice {label} has no speaker '{voice.speaker}'; "
                                           f"expected one of: {choices}{more}.")
    if not engines.speaks(info.languages, language):
        fit = engines.suggest(voice.engine, language)
        speaks = ", ".join(info.languages or ())
        if fit:
            hint = f"use a voice that speaks it: {', '.join(fit[:6])}{' ...' if len(fit) > 6 else ''}."
        else:
            family = language.split("-")[0]
            hint = (f"no voice for it is installed; find one with: audio-guide voices --all --language {family} "
                    "(or use voice: {engine: gtts} when online).")
        return VoiceProblem("language", f"the guide's language is '{language}', but the voice {label} speaks "
                                        f"{speaks or 'another language'};", hint)
    return None


VoiceNodes = dict[int, tuple[yaml.Node, dict[str, tuple[yaml.Node, yaml.Node]]]]
"""Where each :class:`VoiceChange` was written (by its ``id``): the mapping and its keys."""


def voice_change(reader: Reader, node: yaml.Node, nodes: VoiceNodes, where: str = "'voice'") -> VoiceChange:
    keys = reader.mapping(node, where, VOICE_KEYS)
    values: dict[str, Any] = {}
    if "engine" in keys:
        knode = keys["engine"][1]
        engine = reader.text(knode, "'voice.engine'")
        if engine not in engines.names():
            raise reader.fail(knode, f"unknown engine '{engine}'; expected one of: {', '.join(engines.names())}.",
                              did_you_mean(engine, engines.names()))
        values["engine"] = engine
    if "name" in keys and "model" in keys:
        raise reader.fail(keys["model"][0], "a voice has a 'name' or a 'model' file, not both;", "remove one.")
    if "name" in keys:
        values["name"] = reader.text(keys["name"][1], "'voice.name'")
    if "model" in keys:
        mnode = keys["model"][1]
        values["model"] = project_file(reader, mnode, "'voice.model'", reader.text(mnode, "'voice.model'"), (".onnx",))
    if "speaker" in keys:
        snode = keys["speaker"][1]
        speaker = reader.scalar(snode, "'voice.speaker'")
        if isinstance(speaker, bool) or not isinstance(speaker, (str, int)) or (isinstance(speaker, int) and speaker < 0):
            raise reader.fail(snode, f"'voice.speaker' must be a speaker's name or number, got {shown(snode.value)}.")
        values["speaker"] = reader.text(snode, "'voice.speaker'", 100) if isinstance(speaker, str) else str(speaker)
    if "rate" in keys:
        values["rate"] = reader.number(keys["rate"][1], "'voice.rate'", 0.5, 2.0, "")
    for key in ("sentence_pause", "paragraph_pause"):
        if key in keys:
            values[key] = reader.duration(keys[key][1], f"'voice.{key}'", allow_zero=True, high=Fraction(60))
    change = VoiceChange(**values)
    nodes[id(change)] = (node, keys)
    return change


def check_voices(reader: Reader, guide: Guide, nodes: VoiceNodes, top: VoiceChange | None,
                  language_node: yaml.Node | None, root: yaml.Node) -> None:
    """Every voice the guide speaks in must be here, have its speaker and speak the guide's language.

    The error points at the ``voice:`` that chose the voice (a language mismatch of the guide's
    own voice, at the ``language:`` line), with the fix: the download command, the voices that fit.
    """
    places: list[tuple[Voice, VoiceChange | None]] = [(guide.voice, top)]
    for section in guide.sections:
        if section.voice is not None:
            places.append((guide.voice_for(section), section.voice))
        for step in section.written_steps():
            if isinstance(step, (Say, Hold)) and step.voice is not None:
                places.append((guide.voice_for(section, step), step.voice))
    seen: set[Voice] = set()
    for voice, change in places:
        if voice in seen:
            continue
        seen.add(voice)
        problem = voice_problem(voice, guide.language)
        if problem is None:
            continue
        mapping, keys = nodes[id(change)] if change is not None else (None, {})
        if problem.field == "language" and (change is top or mapping is None) and language_node is not None:
            at = language_node
        else:
            named = next((keys[k][1] for k in _POINT_AT[problem.field] if k in keys), None)
            at = named or mapping or language_node or root
        raise reader.fail(at, problem.message, problem.hint)
