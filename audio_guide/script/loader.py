"""The guide's own rules: composed YAML -> a validated :class:`~.model.Guide`.

Reading positions and wording PyYAML's errors is :mod:`.reader`'s job, the files a script
names are :mod:`.assets`'; this module says what a guide may hold, and refuses the first thing
that breaks a rule with the line it is on.
"""

from __future__ import annotations

import datetime as dt
import re
from fractions import Fraction
from pathlib import Path
from typing import Any, Final

import yaml

from ..errors import ScriptError
from .assets import cover_image, cue_seconds, sound_source
from .durations import human, shown
from .limits import (
    MAX_BREAK,
    MAX_EXPANDED_STEPS,
    MAX_GUIDE_SECONDS,
    MAX_REPEAT,
    MAX_SAY_CHARS,
    MAX_STEP_SECONDS,
    MIN_REMIND_EVERY,
    REMINDER_QUIET_END,
)
from .model import (
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
)
from .reader import LANGUAGE_TAG, Reader, compose, describe, did_you_mean, is_empty
from .text import split_breaks
from .voices import VoiceNodes, check_voices, voice_change

MAX_EPISODE_NUMBER: Final = 100_000
TOP_KEYS: Final = (
    "title", "description", "slug", "language", "voice", "sound", "sections",
    "author", "album", "genre", "published", "references", "lexicon", "cover", "season", "episode", "draft",
)
SOUND_KEYS: Final = (
    "ambience", "cue", "loudness", "fade_out", "fade_in", "ambience_level", "duck", "tail",
)
SECTION_KEYS: Final = ("title", "steps", "voice")
STEP_KINDS: Final = ("say", "pause", "cue", "hold", "repeat")
STEP_OPTIONS: Final = {
    "say": ("voice",),
    "pause": (),
    "cue": (),
    "hold": ("cue", "remind_every", "remind", "voice"),
    "repeat": ("steps",),
}

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


def load_script(path: str | Path) -> Guide:
    """Read and validate one guide script; raise :class:`ScriptError` on the first problem."""
    path = Path(path)
    reader = Reader(path)
    root = compose(path)
    if root is None or is_empty(root):
        raise ScriptError("the script is empty; expected a mapping with title, description and sections.",
                          str(path), 1, 1)
    top = reader.mapping(root, "the script", TOP_KEYS, ("title", "description", "sections"))

    def opt(key: str) -> yaml.Node | None:
        return top[key][1] if key in top else None

    language = "en"
    if (language_node := opt("language")) is not None:
        language = reader.text(language_node, "'language'")
        if not LANGUAGE_TAG.fullmatch(language):
            raise reader.fail(language_node, f"language '{language}' is not a BCP-47 tag;", "write e.g. en or en-GB.")
    voice_nodes: VoiceNodes = {}
    top_voice = voice_change(reader, node, voice_nodes) if (node := opt("voice")) is not None else None
    voice = top_voice.apply(Voice()) if top_voice is not None else Voice()
    sound = _sound(reader, opt("sound"))
    sections = tuple(
        _section(reader, node, voice_nodes) for node in reader.sequence(top["sections"][1], "'sections'")
    )
    slug_node = opt("slug")
    slug = reader.text(slug_node, "'slug'") if slug_node else path.stem
    if not _SLUG.fullmatch(slug):
        rule = "use lower-case letters, digits, '-', '_' or '.', starting with a letter or digit."
        if slug_node is not None:
            raise reader.fail(slug_node, f"slug '{slug}' is not a safe file name;", rule)
        raise reader.fail(root, f"the file name gives the slug '{slug}', which is not a safe file name;",
                          f"add a 'slug:' line or rename the file ({rule[:-1]}).")
    published = _date(reader, node) if (node := opt("published")) is not None else None
    references = tuple(reader.text(n, "a reference", 1000) for n in reader.sequence(node, "'references'")) \
        if (node := opt("references")) is not None else ()
    lexicon: tuple[tuple[str, str], ...] = ()
    if (node := opt("lexicon")) is not None:
        if not isinstance(node, yaml.MappingNode):
            raise reader.fail(node, "'lexicon' must be a mapping of word: how to say it.")
        lexicon = tuple(
            (reader.text(k, "a lexicon word", 100), reader.text(v, "a lexicon pronunciation", 200))
            for k, v in node.value
        )
    cover = cover_image(reader, node, "'cover'") if (node := opt("cover")) is not None else None
    season, episode = (_number(reader, node, f"'{key}'") if (node := opt(key)) is not None else None
                       for key in ("season", "episode"))
    draft = False
    if (node := opt("draft")) is not None:
        draft = reader.scalar(node, "'draft'")
        if not isinstance(draft, bool):
            got = shown(node.value) if isinstance(node, yaml.ScalarNode) else describe(node)
            raise reader.fail(node, f"'draft' must be true or false, got {got}.")

    def text_or(key: str, default: str, limit: int) -> str:
        return reader.text(node, f"'{key}'", limit) if (node := opt(key)) is not None else default

    guide = Guide(
        path=path,
        title=reader.text(top["title"][1], "'title'", 200),
        description=reader.text(top["description"][1], "'description'", 4000),
        slug=slug,
        sections=sections,
        language=language,
        voice=voice,
        sound=sound,
        author=text_or("author", "audio-guide", 200),
        album=text_or("album", "audio-guide", 200),
        genre=text_or("genre", "Spoken Word", 100),
        published=published,
        references=references,
        lexicon=lexicon,
        cover=cover,
        season=season,
        episode=episode,
        draft=draft,
    )
    _check_totals(reader, root, guide)
    check_voices(reader, guide, voice_nodes, top_voice, language_node, root)
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


def _sound(reader: Reader, node: yaml.Node | None) -> Sound:
    if node is None:
        return Sound()
    keys = reader.mapping(node, "'sound'", SOUND_KEYS)
    values: dict[str, Any] = {}
    if "ambience" in keys:
        values["ambience"] = sound_source(reader, keys["ambience"][1], "'sound.ambience'", "bed")
    if "cue" in keys:
        values["cue"] = sound_source(reader, keys["cue"][1], "'sound.cue'", "cue")
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


def _section(reader: Reader, node: yaml.Node, voice_nodes: VoiceNodes) -> Section:
    keys = reader.mapping(node, "a section", SECTION_KEYS, ("title", "steps"))
    title = reader.text(keys["title"][1], "a section's 'title'", 200)
    voice = voice_change(reader, keys["voice"][1], voice_nodes, "a section's 'voice'") if "voice" in keys else None
    steps = tuple(_step(reader, n, voice_nodes)
                  for n in reader.sequence(keys["steps"][1], f"the steps of section '{title}'"))
    return Section(title=title, steps=steps, where=reader.where(node), voice=voice)


def _step(reader: Reader, node: yaml.Node, voice_nodes: VoiceNodes, depth: int = 0) -> Step:
    if isinstance(node, yaml.ScalarNode) and node.value in STEP_KINDS:
        raise reader.fail(node, f"step '{node.value}' has no value;", f"write e.g. '- {node.value}: ...'.")
    if not isinstance(node, yaml.MappingNode):
        raise reader.fail(node, f"a step must be a mapping such as '- say: ...', got {describe(node)}.")
    names = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
    # dict.fromkeys: a kind written twice is a duplicate key, reported as such by mapping() below
    kinds = list(dict.fromkeys(n for n in names if n in STEP_KINDS and not (n == "cue" and "hold" in names)))
    if not node.value:
        raise reader.fail(node, f"a step is empty; expected one of: {', '.join(STEP_KINDS)}.")
    if not kinds:
        first = node.value[0][0]
        word = names[0] if names else ""
        raise reader.fail(first, f"unknown step '{word}'; expected one of: {', '.join(STEP_KINDS)}.",
                          did_you_mean(word, STEP_KINDS))
    if len(kinds) > 1:
        raise reader.fail(node, f"a step has exactly one kind, but this one has {' and '.join(repr(k) for k in kinds)}.",
                          "Put each on its own '- ' line.")
    kind = kinds[0]
    keys = reader.mapping(node, f"a '{kind}' step", (kind,) + STEP_OPTIONS[kind])
    value = keys[kind][1]
    where = reader.where(node)
    voice = voice_change(reader, keys["voice"][1], voice_nodes, f"the {kind}'s 'voice'") if "voice" in keys else None
    if kind == "say":
        return Say(text=_say_text(reader, value, "a 'say' line"), where=where, voice=voice)
    if kind == "pause":
        return Pause(seconds=reader.duration(value, "'pause'"), where=where)
    if kind == "cue":
        return Cue(sound=sound_source(reader, value, "'cue'", "cue"), where=where)
    if kind == "hold":
        seconds = reader.duration(value, "'hold'")
        cue = sound_source(reader, keys["cue"][1], "the hold's 'cue'", "cue") if "cue" in keys else None
        every = remind = None
        if ("remind_every" in keys) != ("remind" in keys):
            given, missing = ("remind_every", "remind") if "remind_every" in keys else ("remind", "remind_every")
            raise reader.fail(node, f"a 'hold' with '{given}' also needs '{missing}'.", "Give both, or neither.")
        if "remind_every" in keys:
            every = reader.duration(keys["remind_every"][1], "'remind_every'", low=MIN_REMIND_EVERY)
            if every >= seconds:
                raise reader.fail(keys["remind_every"][1],
                                  f"'remind_every' ({human(every)}) must be shorter than the hold ({human(seconds)}).")
            if every >= seconds - REMINDER_QUIET_END:
                raise reader.fail(keys["remind_every"][1],
                                  f"no reminder can play: the first would start {human(every)} into a "
                                  f"{human(seconds)} hold, inside its last {human(REMINDER_QUIET_END)}.",
                                  "Shorten 'remind_every' or lengthen the hold.")
            remind = _say_text(reader, keys["remind"][1], "'remind'")
        if voice is not None and remind is None:
            raise reader.fail(keys["voice"][0], "a hold's 'voice' is the voice of its reminders, but it has none;",
                              "add 'remind' and 'remind_every', or remove 'voice'.")
        return Hold(seconds=seconds, where=where, cue=cue, remind_every=every, remind=remind, voice=voice)
    # repeat
    times = reader.scalar(value, "'repeat'")
    if isinstance(times, bool) or not isinstance(times, int) or not 1 <= times <= MAX_REPEAT:
        raise reader.fail(value, f"'repeat' must be a whole number from 1 to {MAX_REPEAT}, got {shown(value.value)}.")
    if "steps" not in keys:
        raise reader.fail(node, "a 'repeat' step needs 'steps': the list of steps to repeat.")
    steps = tuple(_step(reader, n, voice_nodes, depth + 1)
                  for n in reader.sequence(keys["steps"][1], "the repeat's 'steps'"))
    return Repeat(times=times, steps=steps, where=where)


def _say_text(reader: Reader, node: yaml.Node, what: str) -> str:
    text = reader.text(node, what, MAX_SAY_CHARS)
    try:
        pieces = split_breaks(text)
    except ValueError as exc:
        example = '<break time="2s"/>'
        hint = None if example in str(exc) else f"Write a pause as {example}."
        raise reader.fail(node, f"{what}: {exc}.", hint) from None
    for piece in pieces:
        if isinstance(piece, Fraction) and not 0 < piece <= MAX_BREAK:
            raise reader.fail(node, f"{what}: a <break> must be longer than zero and at most {human(MAX_BREAK)}.")
    if not any(isinstance(p, str) and any(ch.isalnum() for ch in p) for p in pieces):
        raise reader.fail(node, f"{what} has no words to speak.",
                          "Use a 'pause' step for silence." if what == "a 'say' line" else None)
    return text


def _number(reader: Reader, node: yaml.Node, what: str) -> int:
    """A season or episode number, as podcast apps show them: a whole number from 1."""
    value = reader.scalar(node, what)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_EPISODE_NUMBER:
        raise reader.fail(node, f"{what} must be a whole number from 1 to {MAX_EPISODE_NUMBER:,}, "
                                f"got {shown(node.value) if isinstance(node, yaml.ScalarNode) else describe(node)}.")
    return value


def _date(reader: Reader, node: yaml.Node) -> dt.date:
    if not isinstance(node, yaml.ScalarNode):
        raise reader.fail(node, f"'published' must be a date written YYYY-MM-DD, got {describe(node)}.")
    text = node.value.strip()
    try:
        if not _DATE.fullmatch(text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise reader.fail(node, f"'published' must be a date written YYYY-MM-DD, got {shown(node.value)}.") from None


def _check_totals(reader: Reader, root: yaml.Node, guide: Guide) -> None:
    """Refuse guides whose timed parts alone exceed the limits, before any speech is made."""
    count = 0
    seconds = Fraction(0)

    def walk(steps: tuple[Step, ...], times: int) -> None:
        nonlocal count, seconds
        for step in steps:
            count += times
            if isinstance(step, Pause):
                seconds += step.seconds * times
            elif isinstance(step, Hold):
                seconds += (step.seconds + Fraction(cue_seconds(step.cue or guide.sound.cue))) * times
            elif isinstance(step, Cue):
                seconds += Fraction(cue_seconds(step.sound)) * times
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
        raise reader.fail(root, f"the guide's pauses, holds and cues add up to {human(_whole(seconds))}, "
                                f"over the limit of {human(MAX_GUIDE_SECONDS)} for a guide.")


def _whole(seconds: Fraction) -> Fraction:
    """Seconds rounded to a millisecond: a probed cue's length is a float, not a script's fraction."""
    return Fraction(round(seconds * 1000), 1000)
