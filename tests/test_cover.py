"""Cover art: the drawn cover passes Apple's rules, and every way a given cover breaks them is named."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from audio_guide.errors import FeedError, ScriptError
from audio_guide.media import check_cover
from audio_guide.podcast import cover_name, make_cover


def problem(path: Path) -> str:
    with pytest.raises(ScriptError) as info:
        check_cover(path)
    assert info.value.exit_code == 2
    return str(info.value).replace(str(path), "{P}")


@pytest.mark.parametrize("size", [1400, 1600])
def test_make_cover_draws_a_square_rgb_png_of_the_size_asked(tmp_path: Path, size: int) -> None:
    path = make_cover("Night Cramp Guides", "audio-guide", tmp_path / "cover.png", size)
    assert path == tmp_path / "cover.png"
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(path) as image:
        assert (image.format, image.mode, image.size) == ("PNG", "RGB", (size, size))
        pixels = image.convert("L")
        # not a blank square: a dark night background with light text drawn on it
        assert pixels.getpixel((5, size - 5)) < 40
        assert pixels.crop((0, size // 2, size, size * 3 // 4)).getextrema()[1] > 200
    check_cover(path)
    assert list(tmp_path.iterdir()) == [path]  # written atomically: no temporary file left


def test_make_cover_is_the_same_for_the_same_title(tmp_path: Path) -> None:
    one = make_cover("Same & <title> — café", None, tmp_path / "a.png").read_bytes()
    two = make_cover("Same & <title> — café", None, tmp_path / "b.png").read_bytes()
    assert one == two
    assert cover_name("Same", None) == cover_name("Same", None)
    assert cover_name("Same", None) != cover_name("Other", None)
    assert cover_name("Same", "sub") != cover_name("Same", None)


def test_a_very_long_title_still_fits(tmp_path: Path) -> None:
    path = make_cover(" ".join(["Supercalifragilistic"] * 40), "a subtitle " * 30, tmp_path / "long.png")
    check_cover(path)


def test_make_cover_refuses_sizes_apple_refuses(tmp_path: Path) -> None:
    with pytest.raises(FeedError, match=r"a cover must be 1400 to 3000 px a side, not 1000\."):
        make_cover("T", None, tmp_path / "small.png", 1000)
    with pytest.raises(FeedError, match=r"a cover needs a title to draw\."):
        make_cover("  ", None, tmp_path / "blank.png")


@pytest.mark.parametrize(("mode", "size", "message"), [
    ("RGB", (1400, 1300), "the cover is 1400x1300 px; it must be square. Crop it to a square."),
    ("RGB", (1000, 1000), ("the cover is 1000x1000 px; expected between 1400x1400 and 3000x3000 px. "
                           "Resize it (e.g. to 1400 px).")),
    ("RGB", (3200, 3200), ("the cover is 3200x3200 px; expected between 1400x1400 and 3000x3000 px. "
                           "Resize it (e.g. to 3000 px).")),
    ("RGBA", (1400, 1400), ("the cover's colour mode is RGBA; expected RGB: remove the transparency "
                            "(flatten it onto a background) and save as RGB.")),
    ("L", (1400, 1400), "the cover's colour mode is L; expected RGB: save it in the RGB colour mode."),
    ("P", (1400, 1400), "the cover's colour mode is P; expected RGB: save it in the RGB colour mode."),
])
def test_check_cover_names_the_rule_broken(tmp_path: Path, mode: str, size: tuple[int, int], message: str) -> None:
    path = tmp_path / "cover.png"
    Image.new(mode, size).save(path)
    assert problem(path) == "{P}: " + message


def test_check_cover_refuses_a_jpeg(tmp_path: Path) -> None:
    path = tmp_path / "cover.png"
    Image.new("RGB", (1400, 1400)).save(path, format="JPEG")
    assert problem(path) == "{P}: the cover is a JPEG image; expected PNG. Save it as PNG (RGB, no transparency)."


def test_check_cover_refuses_what_is_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "cover.png"
    path.write_text("not a picture", encoding="utf-8")
    assert problem(path).startswith("{P}: the cover is not a readable PNG image (")
    assert problem(tmp_path / "missing.png") == "{P}: the cover file does not exist."


def test_check_cover_refuses_a_truncated_png(tmp_path: Path) -> None:
    path = tmp_path / "cover.png"
    Image.new("RGB", (1400, 1400), (30, 40, 50)).save(path)
    data = path.read_bytes()
    path.write_bytes(data[:-30])  # the IEND chunk and part of the image data are lost
    assert problem(path).startswith("{P}: the cover is not a readable PNG image (")
