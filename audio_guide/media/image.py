"""Cover images checked against Apple's rules, before anything is built or published.

Apple Podcasts (and most apps that follow it) refuse artwork that is not square, smaller than
1400 px or larger than 3000 px, or not in the RGB colour space; a cover that fails there fails
silently, days after publishing. So a cover is checked when its script or config is read,
and the message says which rule it broke and how to fix the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from PIL import Image, UnidentifiedImageError

from ..errors import ScriptError

MIN_SIZE: Final = 1400
MAX_SIZE: Final = 3000


def cover_problem(path: Path) -> str | None:
    """Why ``path`` cannot be a podcast cover, in words for a person; ``None`` if it can."""
    try:
        with Image.open(path) as image:
            kind, mode, (width, height) = image.format, image.mode, image.size
            transparent = "A" in mode or "transparency" in image.info
            if kind == "PNG":
                image.verify()  # chunk checksums: a truncated upload is caught here, not by Apple
    except FileNotFoundError:
        return "the cover file does not exist."
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:  # Pillow raises SyntaxError on bad PNG chunks
        return f"the cover is not a readable PNG image ({exc}); export it again as PNG."
    if kind != "PNG":
        return f"the cover is a {kind} image; expected PNG. Save it as PNG (RGB, no transparency)."
    if mode != "RGB":
        fix = ("remove the transparency (flatten it onto a background) and save as RGB"
               if transparent else "save it in the RGB colour mode")
        return f"the cover's colour mode is {mode}; expected RGB: {fix}."
    if width != height:
        return f"the cover is {width}x{height} px; it must be square. Crop it to a square."
    if not MIN_SIZE <= width <= MAX_SIZE:
        return (f"the cover is {width}x{height} px; expected between {MIN_SIZE}x{MIN_SIZE} and "
                f"{MAX_SIZE}x{MAX_SIZE} px. Resize it (e.g. to {MIN_SIZE if width < MIN_SIZE else MAX_SIZE} px).")
    return None


def check_cover(path: Path) -> None:
    """Raise :class:`ScriptError` (the user's file, exit 2) unless ``path`` is a valid cover.

    Valid: a PNG, RGB (no alpha, no palette, no grey), square, 1400 to 3000 px a side.
    """
    problem = cover_problem(Path(path))
    if problem:
        raise ScriptError(problem, path)
