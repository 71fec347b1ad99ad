"""``check --suggest``: find a spelling the voice says so that the word is heard right.

A neural voice reads letters through its phonemizer; a respelling ("tofu" as "toe-foo")
changes what it says without changing the script's text, through the script's ``lexicon``.
For each word heard wrong, a few respellings are tried in the sentence it was heard wrong in,
in the voice and at the pace that sentence is spoken in (a section or line may have its own),
and each is listened to; the first heard right is proposed as a lexicon entry, ready to paste.
"""

from __future__ import annotations

import re
from typing import Callable, Iterator

import numpy as np

from .. import engines
from ..audio import prepare_speech
from ..script import Guide, Voice, spoken_form
from ..timeline import HOUSE_RATE, plan
from . import hear as recogniser
from .report import GuideCheck
from .words import align, tokens

MAX_TRIES = 10
"""Respellings tried per word: enough for the common fixes, few enough to stay a minute or two."""

_SWAPS = (("ea", "ee"), ("ee", "eee"), ("th", "tth"), ("or", "orr"), ("er", "ur"), ("ou", "ow"), ("i", "ih"),
          ("o", "oh"), ("a", "ah"), ("u", "uh"), ("e", "eh"), ("s", "ss"), ("t", "tt"), ("ck", "k"))
"""Grapheme respellings an English phonemizer reads as the same sounds, said more plainly."""


def respellings(word: str) -> list[str]:
    """Candidate spellings of ``word``, plainest first: sounds spelled more plainly, then split in two."""
    swaps = [word[:m.start()] + instead + word[m.end():]
             for grapheme, instead in _SWAPS for m in re.finditer(re.escape(grapheme), word)]
    swaps.append(f"{word},")  # a phrase edge: said longer and more clearly
    # splits from the middle out: "over-work", "war-mth"
    splits = sorted((f"{word[:k]}-{word[k:]}" for k in range(2, len(word) - 1)),
                    key=lambda c: abs(c.index("-") - len(word) / 2))
    return list(dict.fromkeys(swaps + splits))


def suggest_respellings(guide: Guide, report: GuideCheck,
                        progress: Callable[[str], None] | None = None) -> Iterator[str]:
    """For each content word heard wrong: ``word: respelling``, or a line saying none was found."""
    timeline = plan(guide)  # which voice says each line: the plan alone knows, no audio needed
    voices = {(e.line, e.text): timeline.voice_of(e) for e in timeline.events if e.kind == "speech"}
    say = progress or (lambda _message: None)
    done: set[str] = set()
    for sentence in report.sentences:
        for slip in sentence.slips:
            if not slip.counts or slip.word in done:
                continue
            done.add(slip.word)
            say(f"trying respellings of '{slip.word}'")
            voice = voices.get((sentence.line, sentence.text)) or guide.voice
            found = find_respelling(guide, sentence.text, slip.word, voice=voice)
            yield (f"{slip.word}: {found}" if found is not None
                   else f"# '{slip.word}': no respelling among {MAX_TRIES} tried was heard right; "
                        "consider other wording")


def find_respelling(guide: Guide, text: str, word: str, engine: engines.Engine | None = None,
                    voice: Voice | None = None) -> str | None:
    """A spelling of ``word`` that, said in ``text`` by ``voice`` (the guide's, unless given), is
    heard as ``word``; or ``None``."""
    voice = voice or guide.voice
    engine = engine or engines.get(voice.engine)
    expected = tokens(spoken_form(text, language=guide.language), guide.language)
    if word not in expected:
        return None
    lexicon = tuple((w, s) for w, s in guide.lexicon if w.lower() != word)
    tries = [word] if len(lexicon) < len(guide.lexicon) else []  # the script's own entry may be what broke it
    for candidate in [*tries, *respellings(word)[:MAX_TRIES]]:
        spoken = spoken_form(text, (*lexicon, (word, candidate)), guide.language)
        # once: piper draws a line's noise from a seed made of the line, so this take is the build's
        if _heard(engine, guide, voice, spoken, expected, word):
            return candidate
    return None


def _heard(engine: engines.Engine, guide: Guide, voice: Voice, spoken: str, expected: list[str], word: str) -> bool:
    speech = engine.synthesize(spoken, voice=voice.voice_id, rate=voice.rate, language=guide.language,
                               speaker=voice.speaker)
    clip = prepare_speech(speech.samples, speech.rate)
    quiet = np.zeros(HOUSE_RATE // 2, dtype=np.float32)
    from scipy.signal import resample_poly

    padded = np.concatenate([quiet, clip, quiet])
    heard = recogniser.hear(resample_poly(padded, recogniser.RATE // 100, HOUSE_RATE // 100).astype(np.float32),
                            guide.language)
    heard_tokens = [t for w in heard for t in tokens(w.text, guide.language)]
    return any(expected[p.word] == word and p.exact for p in align(expected, heard_tokens))
