"""audio-guide: narrated bedtime audio guides from short YAML scripts.

The data flows through four stages, one package each, and the pipeline runs them:

- :mod:`.script`: YAML -> a validated :class:`Guide` (every error with file:line:col);
- :mod:`.timeline`: Guide -> :class:`Timeline`, a pure function with whole-sample positions;
- :mod:`.audio`: Timeline -> speech, mix and MP3 (the only stage that loads numpy);
- :mod:`.podcast`: built guides -> transcripts, chapters, feed, listening page, cover;
- :mod:`.pipeline`: :func:`build` runs them for many guides, skipping what is up to date.

Below them: :mod:`.engines` (speech engines), :mod:`.media` (ffmpeg, image checks),
:mod:`.errors`, :mod:`.files`, :mod:`.places`. On top: :mod:`.cli`.

The names below are loaded on first use (PEP 562), so ``import audio_guide`` stays instant
and ``from audio_guide import build`` does not load the audio stage; the imports under
``TYPE_CHECKING`` show the same names to type checkers and editors.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .version import VERSION

__version__ = VERSION

if TYPE_CHECKING:
    from .audio import SpeechCache, preview, render
    from .errors import (
        AudioGuideError,
        EngineError,
        ExportError,
        FeedError,
        MachineError,
        ScriptError,
        UsageError,
    )
    from .media import check_cover
    from .pipeline import BuildEvent, Built, Options, build, build_guide
    from .podcast import Podcast, default_podcast, load_podcast, make_cover, publish
    from .script import Guide, load_script, load_scripts
    from .timeline import Timeline, plan

__all__ = [
    "AudioGuideError", "BuildEvent", "Built", "EngineError", "ExportError", "FeedError", "Guide", "MachineError",
    "Options", "Podcast",
    "ScriptError", "SpeechCache", "Timeline", "UsageError", "build", "build_guide", "check_cover", "default_podcast",
    "load_podcast", "load_script", "load_scripts", "make_cover", "plan", "preview", "publish", "render",
]

_WHERE = {
    "AudioGuideError": "errors", "ScriptError": "errors", "EngineError": "errors", "ExportError": "errors",
    "FeedError": "errors", "UsageError": "errors", "MachineError": "errors", "Guide": "script", "load_script": "script",
    "load_scripts": "script", "plan": "timeline", "Timeline": "timeline", "Options": "pipeline",
    "build": "pipeline", "build_guide": "pipeline", "Built": "pipeline", "BuildEvent": "pipeline",
    "SpeechCache": "audio", "render": "audio", "preview": "audio", "Podcast": "podcast", "load_podcast": "podcast",
    "default_podcast": "podcast", "publish": "podcast", "make_cover": "podcast", "check_cover": "media",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module 'audio_guide' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
