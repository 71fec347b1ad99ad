"""The loudness loop: encode a mix so that the MP3 as written meets its target and ceiling.

Measuring the mix is not enough: libmp3lame takes a little loudness off and can add peaks,
so the MP3 itself is measured, and made again with the correction if it missed.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Final

from ..errors import ExportError
from ..script import Sound
from ..timeline import Timeline
from .dsp import SPEECH_REF_LUFS
from .export import encode_measured
from .estimate import estimated_loudness
from .loudness import Loudness
from .mix import ClipSource, render

TRUE_PEAK_LIMIT: Final = -1.5
"""dBTP on the MP3 as written: Apple asks for -1, and some headroom survives decoders."""
PEAK_MARGIN: Final = 1.5
"""The limiter aims this far under the limit, since MP3 encoding adds a little peak."""
LOUDNESS_TOLERANCE: Final = 0.3
MP3_LOUDNESS_LOSS: Final = 0.4
"""LU that libmp3lame at 96 kb/s takes off (measured: 0.3-0.45), added back before encoding."""
LOUDNESS_TRIES: Final = 3
VOICE_HEADROOM: Final = 1.5
"""LU the voice may sit above the target so that pauses between lines do not pull the whole
guide under it; also the most the voice is ever lifted over the target."""


def encode_to_target(timeline: Timeline, clips: ClipSource, sound: Sound, path: Path,
                     previous_gain: float | None = None, beds: Path | None = None) -> tuple[Loudness, float]:
    """Encode at the script's loudness target with true peak under the ceiling, measured on the MP3.

    The gain comes from the last build of this guide when there is one (a one-line edit hardly
    moves the loudness), else from the mix's loudness worked out from its parts without mixing
    it (:mod:`.estimate`: within 0.1 LU of measuring the mix, at a fraction of a mixing pass;
    a wrong guess would cost a second encode). The MP3 is measured as it is written, by a meter running beside the
    encoder; if the encoder pushed a peak over the ceiling or the level is off, it is made
    again with the correction (at most :data:`LOUDNESS_TRIES` times).

    The gain never lifts the voice more than :data:`VOICE_HEADROOM` over the target: a guide
    that is mostly ambience (a long sleep tail) measures quiet as a whole, and raising it to
    the target would make the voice shout and the bed roar. Such a guide ends up below the
    target, with its voice near the target. Returns the measurement and the gain used. ``beds``
    is where built-in beds are kept (:class:`~.sounds.Bed`).
    """
    target = sound.loudness
    ceiling = TRUE_PEAK_LIMIT - PEAK_MARGIN
    cap = target + VOICE_HEADROOM - SPEECH_REF_LUFS + MP3_LOUDNESS_LOSS
    if previous_gain is not None:
        gain = previous_gain
    else:
        guess = target - SPEECH_REF_LUFS
        before = estimated_loudness(timeline, clips, sound, guess, beds)
        gain = guess + (target - before) + MP3_LOUDNESS_LOSS if math.isfinite(before) else guess
    gain = min(gain, cap)
    for _attempt in range(LOUDNESS_TRIES):
        blocks = render(timeline, clips, sound, gain, ceiling_db=ceiling, beds=beds)
        measured = encode_measured(blocks, path, timeline.rate)
        level_ok = (not math.isfinite(measured.integrated) or abs(measured.integrated - target) <= LOUDNESS_TOLERANCE
                    or (gain >= cap - 1e-6 and measured.integrated < target))
        if level_ok and measured.true_peak <= TRUE_PEAK_LIMIT:
            return measured, gain
        if math.isfinite(measured.integrated):
            gain = min(cap, gain + target - measured.integrated)
        if measured.true_peak > TRUE_PEAK_LIMIT:
            ceiling -= measured.true_peak - TRUE_PEAK_LIMIT + 0.3
    raise ExportError(f"could not reach {target:g} LUFS with true peak under {TRUE_PEAK_LIMIT:g} dBTP "
                      f"(got {measured.integrated:.1f} LUFS, {measured.true_peak:.1f} dBTP); "
                      "try a lower sound.loudness.")
