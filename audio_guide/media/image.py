"""Cover images checked against Apple's rules, before anything is built or published.

Apple Podcasts (and most apps that follow it) refuse artwork that is not square, smaller than
1400 px or larger than 3000 px, or not in the RGB colour space; a cover that fails there fails
silently, days after publishing. So a cover is checked when its script or config is read,
and the message says which rule it broke and how to fix the file.
"""

from __future__ import annotations

import re
import warnings
import zlib
from pathlib import Path
from typing import Final

from PIL import Image, UnidentifiedImageError

from ..errors import ScriptError

MIN_SIZE: Final = 1400
MAX_SIZE: Final = 3000


def cover_problem(path: Path) -> str | None:
    """Why ``path`` cannot be a podcast cover, in words for a person; ``None`` if it can.

    The size is read from the header and checked before a single pixel is decoded, so a
    decompression bomb (a few kilobytes that unpack to gigabytes) is refused at no cost.
    Then the whole image is decoded once: a PNG whose data is damaged fails here, not in
    the podcast app.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path, formats=("PNG", "JPEG"))
    except FileNotFoundError:
        return "the cover file does not exist."
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        pixels = re.search(r"\((\d+) pixels\)", str(exc))
        size = f"{int(pixels[1]):,} pixels" if pixels else "far too many pixels"
        return (f"the cover has {size}, far beyond a cover's {MAX_SIZE}x{MAX_SIZE} px. "
                f"Resize it to between {MIN_SIZE} and {MAX_SIZE} px a side.")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:  # SyntaxError: bad PNG chunks
        return f"the cover is not a readable PNG image ({exc}); export it again as PNG."
    with image:
        kind, mode, (width, height) = image.format, image.mode, image.size
        problem = _rule_broken(kind, mode, width, height, "transparency" in image.info)
        if problem:
            return problem
        try:
            image.verify()  # every chunk's checksum: a truncated upload is caught here, not by Apple
            with Image.open(path, formats=("PNG",)) as again:
                again.load()  # the pixels themselves; bounded, at most MAX_SIZE x MAX_SIZE get here
        except (OSError, SyntaxError, ValueError, zlib.error) as exc:
            return f"the cover is not a readable PNG image ({exc}); export it again as PNG."
    return None


def _rule_broken(kind: str | None, mode: str, width: int, height: int, keyed: bool) -> str | None:
    """The first of Apple's rules the image breaks; ``keyed``: it has a transparent colour (``tRNS``)."""
    if kind != "PNG":
        return f"the cover is a {kind} image; expected PNG. Save it as PNG (RGB, no transparency)."
    if width != height:
        return f"the cover is {width}x{height} px; it must be square. Crop it to a square."
    if not MIN_SIZE <= width <= MAX_SIZE:
        return (f"the cover is {width}x{height} px; expected between {MIN_SIZE}x{MIN_SIZE} and "
                f"{MAX_SIZE}x{MAX_SIZE} px. Resize it (e.g. to {MIN_SIZE if width < MIN_SIZE else MAX_SIZE} px).")
    transparent = "A" in mode or keyed
    if mode == "RGB" and transparent:  # a tRNS chunk: one colour is see-through, which Apple refuses too
        return ("the cover has a transparent colour (a tRNS chunk); expected no transparency. "
                "Flatten it onto a background and save as RGB.")
    if mode != "RGB":
        fix = ("remove the transparency (flatten it onto a background) and save as RGB"
               if transparent else "save it in the RGB colour mode")
        return f"the cover's colour mode is {mode}; expected RGB: {fix}."
    return None


def check_cover(path: Path) -> None:
    """Raise :class:`ScriptError` (the user's file, exit 2) unless ``path`` is a valid cover.

    Valid: a PNG, RGB (no alpha, no palette, no grey), square, 1400 to 3000 px a side.
    """
    problem = cover_problem(Path(path))
    if problem:
        raise ScriptError(problem, path)
