"""audio-guide: narrated bedtime audio guides from short YAML scripts.

The public API is imported lazily (PEP 562), so ``audio-guide --help`` and ``validate``
never load numpy or a speech engine.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

__all__ = [
    "AudioGuideError", "ScriptError", "EngineError", "ExportError", "FeedError", "UsageError",
    "Guide", "load_script", "load_scripts", "plan", "Timeline", "Options", "build", "build_guide",
    "SpeechCache", "render", "Podcast", "load_podcast", "default_podcast", "publish", "make_cover", "check_cover",
]

_WHERE = {
    "AudioGuideError": "errors", "ScriptError": "errors", "EngineError": "errors", "ExportError": "errors",
    "FeedError": "errors", "UsageError": "errors", "Guide": "model", "load_script": "script",
    "load_scripts": "script", "plan": "planner", "Timeline": "planner", "Options": "builder", "build": "builder",
    "build_guide": "builder", "SpeechCache": "cache", "render": "mix", "Podcast": "podcast",
    "load_podcast": "podcast", "default_podcast": "podcast", "publish": "podcast", "make_cover": "cover",
    "check_cover": "cover",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module 'audio_guide' has no attribute {name!r}")
