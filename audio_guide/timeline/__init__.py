"""Stage 2, the timeline: a :class:`~audio_guide.script.Guide` in, a :class:`Timeline` out.

Planning is a pure function: given how long each sentence and cue lasts (known from the
speech cache, or estimated), it places every event at a whole-sample position. ``plan``
shows it without making audio; the audio stage plans again with the real lengths and mixes
exactly what was planned. No audio library is imported here.
"""

from __future__ import annotations

from .events import HOUSE_RATE, LEAD_IN, Chapter, Event, Timeline, samples
from .planner import Line, estimate_length, plan, spoken_lines, spoken_sentences

__all__ = ["HOUSE_RATE", "LEAD_IN", "Chapter", "Event", "Line", "Timeline", "estimate_length", "plan", "samples",
           "spoken_lines", "spoken_sentences"]
