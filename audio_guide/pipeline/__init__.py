"""The pipeline: script paths in, built guides and a published podcast out.

It runs the stages in order for each guide (script -> timeline -> audio -> podcast), skips a
guide whose fingerprint says nothing changed, holds the output folder's lock, builds several
guides at once with ``jobs``, and reports progress through one callback. Deciding what is up
to date is cheap; the audio stage is loaded only for a guide that must be rendered.

Rooms: :mod:`.options`, :mod:`.fingerprint`, :mod:`.progress`, :mod:`.guide` (one guide),
:mod:`.outputs` (rendering one guide's files), :mod:`.lock`, :mod:`.runner` (many guides).
"""

from __future__ import annotations

from .fingerprint import fingerprint, up_to_date
from .guide import build_guide
from .lock import output_lock
from .options import Options, apply_options
from .progress import BuildEvent, Built, Progress
from .runner import build

__all__ = ["BuildEvent", "Built", "Options", "Progress", "apply_options", "build", "build_guide", "fingerprint",
           "output_lock", "up_to_date"]
