"""Podcast cover art drawn when the producer gives none (checking a given one is :mod:`..media.image`).

The generated cover is a night-blue gradient with a pale moon and the title in soft off-white:
it is meant to sit in a podcast app next to real artwork without shouting, and to be drawn the
same, byte for byte, from the same title (so rebuilding does not change its URL or its bytes).
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Final

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from ..errors import FeedError
from ..files import atomic_path
from ..media.image import MAX_SIZE, MIN_SIZE

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

STYLE: Final = "night-1"
"""Changes whenever the drawing changes, so a new drawing gets a new file name (see cover_name)."""

_TOP: Final = (22, 30, 54)
_BOTTOM: Final = (9, 12, 24)
_MOON: Final = (236, 226, 200)
_TITLE: Final = (238, 232, 218)
_SUBTITLE: Final = (160, 172, 196)


def cover_name(title: str, subtitle: str | None, size: int = MIN_SIZE, prefix: str = "cover") -> str:
    """A file name that changes whenever the drawing would: Apple re-fetches art only on a new URL."""
    digest = hashlib.sha256("\x00".join((STYLE, title, subtitle or "", str(size))).encode()).hexdigest()
    return f"{prefix}-{digest[:12]}.png"


def make_cover(title: str, subtitle: str | None, path: Path, size: int = MIN_SIZE) -> Path:
    """Draw a calm square cover with ``title`` (and ``subtitle``) into ``path`` (PNG, RGB).

    Written atomically; the same arguments always give the same bytes. Returns ``path``.
    """
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise FeedError(f"a cover must be {MIN_SIZE} to {MAX_SIZE} px a side, not {size}.")
    if not title.strip():
        raise FeedError("a cover needs a title to draw.")
    image = _gradient(size)
    _moon(image, size)
    draw = ImageDraw.Draw(image)
    margin = size * 0.1
    width = size - 2 * margin
    title_font, title_lines = _fit(draw, title, width, start=size // 11, low=size // 28, max_lines=4)
    sub_font, sub_lines = _fit(draw, subtitle, width, start=size // 26, low=size // 44, max_lines=3) \
        if subtitle else (None, [])
    gap = size * 0.035
    title_h = _block_height(title_font, title_lines)
    sub_h = _block_height(sub_font, sub_lines) if sub_font else 0.0
    top = size * 0.56 - (title_h + (gap + sub_h if sub_lines else 0)) / 2
    top = max(top, size * 0.36)
    y = _draw_block(draw, title_lines, title_font, size, top, _TITLE)
    if sub_font and sub_lines:
        rule_y = y + gap / 2
        draw.line([(size * 0.42, rule_y), (size * 0.58, rule_y)], fill=_SUBTITLE, width=max(2, size // 700))
        _draw_block(draw, sub_lines, sub_font, size, y + gap, _SUBTITLE)
    with atomic_path(Path(path)) as tmp:
        image.save(tmp, format="PNG", optimize=True)
    return Path(path)


# -- drawing ----------------------------------------------------------------------------


def _gradient(size: int) -> Image.Image:
    """A vertical night-sky gradient; rows repeat, so the PNG stays small."""
    column = bytes(
        round(a + (b - a) * y / (size - 1)) for y in range(size) for a, b in zip(_TOP, _BOTTOM)
    )
    return Image.frombytes("RGB", (1, size), column).resize((size, size), Image.Resampling.NEAREST)


def _moon(image: Image.Image, size: int) -> None:
    """A pale crescent with a faint halo, high on the right: night, without any words."""
    cx, cy, r = size * 0.70, size * 0.24, size * 0.085
    halo = Image.new("L", image.size, 0)
    ImageDraw.Draw(halo).ellipse([cx - r * 2.2, cy - r * 2.2, cx + r * 2.2, cy + r * 2.2], fill=38)
    halo = halo.filter(ImageFilter.GaussianBlur(size / 40))
    image.paste(Image.new("RGB", image.size, _MOON), mask=halo)
    disc = Image.new("L", image.size, 0)
    d = ImageDraw.Draw(disc)
    d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=235)
    shift = r * 0.55
    d.ellipse([cx - r + shift, cy - r - shift * 0.35, cx + r + shift, cy + r - shift * 0.35], fill=0)
    image.paste(Image.new("RGB", image.size, _MOON), mask=disc)


_FALLBACK_FONTS: Final = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",  # Debian/Ubuntu: fonts-dejavu-core
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",  # Fedora
    "/usr/share/fonts/TTF/DejaVuSans.ttf",  # Arch
)
_MISSING: Final = "\U0010fffd"
"""A private-use character no font draws: it shows the font's 'missing glyph' box."""


def _font(size: int, text: str) -> Font:
    """Pillow's bundled font (the same on every machine) if it can draw ``text``, else DejaVu Sans.

    The bundled font covers Latin letters only; a title with an em dash, accents beyond
    Latin-1 or another script is drawn with the system's DejaVu Sans where there is one.
    """
    font = ImageFont.load_default(size=size)
    if not isinstance(font, ImageFont.FreeTypeFont):
        raise FeedError("Pillow was built without FreeType, so it cannot draw a cover's text; "
                        "reinstall Pillow from PyPI's wheels, or give a cover image in the config.")
    if _draws(font, text):
        return font
    for candidate in _FALLBACK_FONTS:
        if Path(candidate).is_file():
            return ImageFont.truetype(candidate, size=size)
    return font


def _draws(font: Font, text: str) -> bool:
    missing = bytes(font.getmask(_MISSING))
    return all(bytes(font.getmask(ch)) != missing for ch in set(text) if not ch.isspace())


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: Font, width: float) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and draw.textlength(trial, font=font) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    if line:
        lines.append(line)
    return lines


def _fit(draw: ImageDraw.ImageDraw, text: str | None, width: float, start: int, low: int,
         max_lines: int) -> tuple[Font, list[str]]:
    """The largest font (from ``start`` down to ``low``) at which ``text`` wraps into ``max_lines``."""
    size = start
    while True:
        font = _font(size, text or "")
        lines = _wrap(draw, text or "", font, width)
        fits = len(lines) <= max_lines and all(draw.textlength(ln, font=font) <= width for ln in lines)
        if fits or size <= low:
            if not fits:  # still too long at the smallest size: cut the last line short
                lines = lines[:max_lines]
                while lines and draw.textlength(lines[-1] + "…", font=font) > width:
                    lines[-1] = lines[-1][:-1]
                lines[-1] = lines[-1].rstrip() + "…"
            return font, lines
        size = max(low, math.floor(size * 0.9))


def _line_height(font: Font) -> float:
    return float(getattr(font, "size", 10)) * 1.22


def _block_height(font: Font, lines: list[str]) -> float:
    return _line_height(font) * len(lines)


def _draw_block(draw: ImageDraw.ImageDraw, lines: list[str], font: Font, size: int, top: float,
                fill: tuple[int, int, int]) -> float:
    """Centre each line; returns the y just under the block."""
    y = top
    for line in lines:
        draw.text((size / 2, y), line, font=font, fill=fill, anchor="ma")
        y += _line_height(font)
    return y
