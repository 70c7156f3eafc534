"""Covers: the generated JPEG, the theme's [cover] table, and covers in real EPUBs."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from conftest import HEADLINE, run_epubcheck, sample_article
from PIL import Image as PILImage
from PIL import ImageStat

from publisher.errors import ImageError, ThemeError
from publisher.model import Image
from publisher.render.cover import (
    HEIGHT,
    WIDTH,
    _font_bytes,
    can_shape,
    cover_style,
    fit_text,
    render_cover,
)
from publisher.render.epub import render_epub
from publisher.themes import load_theme

BUILD_TIME = datetime(2024, 1, 26, 9, 30, tzinfo=UTC)
NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "svg": "http://www.w3.org/2000/svg",
}
EPUB_TYPE = f"{{{NS['epub']}}}type"


def cover(**changes: Any) -> bytes:
    values: dict[str, Any] = {
        "theme": load_theme(None),
        "publication": "Daily Sabah",
        "date": "2024-01-25",
        "image": None,
        "language": "en",
    }
    values.update(changes)
    title = values.pop("title", HEADLINE)
    return render_cover(title, **values)


def picture(data: bytes) -> PILImage.Image:
    return PILImage.open(io.BytesIO(data))


def band_contrast(thumbnail: PILImage.Image, top: float, bottom: float) -> float:
    """Max minus min luminance in a horizontal band given as fractions of the height."""
    grey = thumbnail.convert("L")
    box = (0, round(grey.height * top), grey.width, round(grey.height * bottom))
    low, high = grey.crop(box).getextrema()  # type: ignore[misc]
    return float(high - low)


@pytest.fixture(scope="module")
def photo(tmp_path_factory: pytest.TempPathFactory) -> Image:
    path = tmp_path_factory.mktemp("cover") / "photo.jpg"
    PILImage.new("RGB", (900, 600), (40, 120, 200)).save(path)
    return Image(path, "image/jpeg", 900, 600)


def test_the_cover_is_a_1600_by_2560_jpeg_and_reproducible(photo: Image) -> None:
    for image in (None, photo):
        data = cover(image=image)
        with picture(data) as shown:
            assert (shown.format, shown.size, shown.mode) == ("JPEG", (WIDTH, HEIGHT), "RGB")
            assert not shown.getexif()
        assert cover(image=image) == data
    assert cover(image=photo) != cover(image=None)


def test_the_cover_reads_at_200_pixels_wide(photo: Image) -> None:
    for image, headline_band in ((None, (0.23, 0.5)), (photo, (0.63, 0.8))):
        thumbnail = picture(cover(image=image)).resize((200, 320), PILImage.Resampling.LANCZOS)
        assert band_contrast(thumbnail, *headline_band) > 150  # white type on near-black
        assert band_contrast(thumbnail, 0.02, 0.08) > 80  # the publication
        assert band_contrast(thumbnail, 0.92, 0.97) > 80  # the date


def test_the_photo_fills_its_area_without_distortion(tmp_path: Path) -> None:
    # A tall photo: a red square in the middle of white; cropped to fill, the square stays square.
    path = tmp_path / "tall.png"
    tall = PILImage.new("RGB", (600, 1800), "white")
    tall.paste((200, 0, 0), (200, 800, 400, 1000))
    tall.save(path)
    shown = picture(cover(image=Image(path, "image/png", 600, 1800))).convert("RGB")
    area = shown.crop((0, 260, WIDTH, 1460))
    red = [
        (x, y)
        for y in range(0, area.height, 4)
        for x in range(0, area.width, 4)
        if (p := area.getpixel((x, y))) and isinstance(p, tuple) and p[0] > 150 and p[1] < 80
    ]
    xs, ys = [x for x, _ in red], [y for _, y in red]
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    assert width > 400 and abs(width - height) <= 12
    assert ImageStat.Stat(area.crop((0, 0, 40, 40))).mean[0] > 240  # white fills the corners


def test_a_long_headline_shrinks_and_is_never_cut() -> None:
    font = _font_bytes(load_theme(None), "Source Sans Pro", "bold")
    short = fit_text(HEADLINE, font, 1360, 670, 190)
    long_title = " ".join([HEADLINE] * 8)
    long = fit_text(long_title, font, 1360, 670, 190)
    assert long[0].size < short[0].size
    for chosen, lines, line_height in (short, long):
        assert " ".join(lines) == " ".join((HEADLINE if lines is short[1] else long_title).split())
        assert len(lines) * line_height <= 670
        assert all(chosen.getlength(line) <= 1360 for line in lines)
    word = fit_text("x" * 300, font, 1360, 670, 190)[1]
    assert "".join(word) == "x" * 300


def test_a_right_to_left_headline_is_drawn(photo: Image) -> None:
    data = cover(title="מבט על העתיד של הכוחות", language="he", image=photo)
    assert picture(data).size == (WIDTH, HEIGHT)
    assert data == cover(title="מבט על העתיד של הכוחות", language="he", image=photo)


def ink_blobs(area: PILImage.Image) -> int:
    """How many separate shapes of light ink (letters, dots) ``area`` holds."""
    grey = area.convert("L")
    width, height = grey.size
    pixels = grey.load()
    assert pixels is not None
    seen: set[tuple[int, int]] = set()
    blobs = 0
    for y in range(height):
        for x in range(width):
            if (x, y) in seen or pixels[x, y] <= 128:  # type: ignore[operator]
                continue
            blobs += 1
            seen.add((x, y))
            stack = [(x, y)]
            while stack:
                cx, cy = stack.pop()
                for nx, ny in ((cx + 1, cy), (cx - 1, cy), (cx, cy + 1), (cx, cy - 1)):
                    inside = 0 <= nx < width and 0 <= ny < height
                    if inside and (nx, ny) not in seen and pixels[nx, ny] > 128:  # type: ignore[operator]
                        seen.add((nx, ny))
                        stack.append((nx, ny))
    return blobs


HEADLINE_AREA = (120, 580, 1480, 2240)  # the headline's box on a cover without a photo


@pytest.mark.skipif(not can_shape(), reason="this Pillow has no libraqm")
def test_arabic_letters_on_the_cover_are_joined() -> None:
    # Four behs: joined they are one stroke with four dots; drawn apart, four strokes.
    joined = cover(title="بببب", language="ar", publication=None, date=None)
    apart = cover(title="ب ب ب ب", language="ar", publication=None, date=None)
    assert ink_blobs(picture(joined).crop(HEADLINE_AREA)) == 5
    assert ink_blobs(picture(apart).crop(HEADLINE_AREA)) == 8


def inked(area: PILImage.Image) -> PILImage.Image:
    """``area`` cut to the box around its light ink."""
    box = area.point(lambda value: 255 if value > 128 else 0).getbbox()
    assert box is not None
    return area.crop(box)


def date_line(data: bytes) -> PILImage.Image:
    return inked(picture(data).convert("L").crop((120, 2360, 1480, 2470)))


def drawn_left_to_right(text: str) -> PILImage.Image:
    """``text`` drawn as the cover draws a date, right-aligned, without any reordering."""
    from PIL import ImageDraw, ImageFont

    style = cover_style(load_theme(None))
    data = _font_bytes(load_theme(None), style.text_family, "normal", text)
    font = ImageFont.truetype(io.BytesIO(data), 84, layout_engine=ImageFont.Layout.BASIC)
    canvas = PILImage.new("RGB", (WIDTH, HEIGHT), style.background)
    ImageDraw.Draw(canvas).text(
        (WIDTH - 120, 2360 + font.getmetrics()[0]), text, font=font, fill=style.foreground,
        anchor="rs",
    )  # fmt: skip
    return inked(canvas.convert("L").crop((120, 2360, 1480, 2470)))


@pytest.mark.parametrize("shaper", [True, False])
def test_numbers_on_a_right_to_left_cover_keep_their_order(
    shaper: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PIL import ImageChops

    if shaper and not can_shape():
        pytest.skip("this Pillow has no libraqm")
    monkeypatch.setattr("publisher.render.cover.can_shape", lambda: shaper)
    shown = date_line(cover(title="محطة", language="ar", date="2024-02-20"))

    def distance(text: str) -> float:
        # Kerning may differ by a pixel between the shaper and the reference: compare the
        # inked boxes brought to one size.
        reference = drawn_left_to_right(text).resize(shown.size, PILImage.Resampling.BILINEAR)
        return ImageStat.Stat(ImageChops.difference(shown, reference)).mean[0]

    assert distance("2024-02-20") < 10
    assert distance("02-20-4202") > 3 * distance("2024-02-20")


def test_the_theme_sets_the_colours(tmp_path: Path) -> None:
    (tmp_path / "theme.toml").write_text(
        '[cover]\nbackground = "#ffffff"\nforeground = "#000000"\naccent = "#0000ff"\n'
    )
    theme = load_theme(tmp_path)
    style = cover_style(theme)
    assert (style.background, style.foreground) == ((255, 255, 255), (0, 0, 0))
    assert style.headline_family == "Source Sans Pro"  # inherited from the default
    corner = picture(cover(theme=theme)).convert("RGB").getpixel((5, 5))
    assert isinstance(corner, tuple) and min(corner) > 245


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('background = "white"', "not a #rrggbb colour"),
        ("accent = 3", "not a #rrggbb colour"),
        ('colour = "#000000"', "unknown keys: colour"),
        ('headline_family = ""', "must name a font family"),
    ],
)
def test_a_broken_cover_table_is_a_theme_error(tmp_path: Path, table: str, message: str) -> None:
    (tmp_path / "theme.toml").write_text(f"[cover]\n{table}\n")
    with pytest.raises(ThemeError, match=message):
        cover_style(load_theme(tmp_path))


# --- Covers in EPUBs ------------------------------------------------------------


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("books")
    theme = load_theme(None)
    supplied = folder / "elsewhere" / "my-cover.png"
    supplied.parent.mkdir()
    PILImage.new("RGB", (1000, 1500), (0, 90, 60)).save(supplied)
    with_photo = sample_article(folder / "photo")
    without = sample_article(folder / "bare", image=False)
    paths: dict[str, Path] = {"supplied_source": supplied}
    for name, article, given in (
        ("photo", with_photo, None),
        ("bare", without, None),
        ("supplied", with_photo, supplied),
    ):
        rendered = render_epub(article, theme, build_time=BUILD_TIME, cover=given)
        assert rendered.warnings == ()
        paths[name] = folder / f"{name}.epub"
        paths[name].write_bytes(rendered.data)
    return paths


def read(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def cover_item(path: Path) -> ElementTree.Element:
    root = ElementTree.fromstring(read(path, "EPUB/content.opf"))
    items = [
        i
        for i in root.iterfind(".//opf:manifest/opf:item", NS)
        if "cover-image" in (i.get("properties") or "").split()
    ]
    assert len(items) == 1
    return items[0]


@pytest.mark.parametrize("name", ["photo", "bare", "supplied"])
def test_epubcheck_passes_with_a_cover(books: dict[str, Path], name: str) -> None:
    report = run_epubcheck(books[name])
    assert report.clean, report.messages


@pytest.mark.parametrize("name", ["photo", "bare", "supplied"])
def test_the_cover_is_declared_for_epub_3_and_epub_2(books: dict[str, Path], name: str) -> None:
    root = ElementTree.fromstring(read(books[name], "EPUB/content.opf"))
    item = cover_item(books[name])
    meta = root.find(".//opf:metadata/opf:meta[@name='cover']", NS)
    assert meta is not None and meta.get("content") == item.get("id")
    spine = [r.get("idref") for r in root.iterfind(".//opf:spine/opf:itemref", NS)]
    first = root.find(".//opf:spine/opf:itemref", NS)
    assert first is not None and first.get("linear") in (None, "yes")
    page = root.find(f".//opf:manifest/opf:item[@id='{spine[0]}']", NS)
    assert page is not None and page.get("href") == "cover.xhtml"
    assert "svg" in (page.get("properties") or "").split()

    xhtml = ElementTree.fromstring(read(books[name], "EPUB/cover.xhtml"))
    svg = xhtml.find(".//svg:svg", NS)
    assert svg is not None and svg.get("preserveAspectRatio") == "xMidYMid meet"
    assert svg.get("aria-label") == f"Cover: {HEADLINE}" and svg.get("role") == "img"
    title = svg.find("svg:title", NS)
    assert title is not None and title.text == f"Cover: {HEADLINE}"
    image = svg.find("svg:image", NS)
    assert image is not None
    href = image.get("{http://www.w3.org/1999/xlink}href")
    assert href == item.get("href")
    with picture(read(books[name], f"EPUB/{href}")) as shown:
        assert svg.get("viewBox") == f"0 0 {shown.width} {shown.height}"

    nav = ElementTree.fromstring(read(books[name], "EPUB/nav.xhtml"))
    landmarks = {
        a.get(EPUB_TYPE): a.get("href")
        for a in nav.iterfind(".//x:nav[@epub:type='landmarks']//x:a", NS)
    }
    assert landmarks["cover"] == "cover.xhtml" and landmarks["bodymatter"] == "article.xhtml"


def test_the_generated_cover_is_the_1600_by_2560_jpeg(books: dict[str, Path]) -> None:
    for name in ("photo", "bare"):
        item = cover_item(books[name])
        assert (item.get("href"), item.get("media-type")) == ("images/cover.jpg", "image/jpeg")
        with picture(read(books[name], "EPUB/images/cover.jpg")) as shown:
            assert (shown.format, shown.size) == ("JPEG", (1600, 2560))


def test_a_supplied_cover_outside_the_folder_is_used(books: dict[str, Path]) -> None:
    item = cover_item(books["supplied"])
    assert item.get("media-type") == "image/jpeg"
    with picture(read(books["supplied"], f"EPUB/{item.get('href')}")) as shown:
        assert shown.size == (1000, 1500)
        pixel = shown.convert("RGB").getpixel((500, 750))
        assert isinstance(pixel, tuple) and abs(pixel[1] - 90) < 6


def test_a_broken_supplied_cover_is_an_image_error(tmp_path: Path) -> None:
    bad = tmp_path / "cover.jpg"
    bad.write_text("not a picture")
    with pytest.raises(ImageError, match=r"cover\.jpg"):
        render_epub(sample_article(tmp_path), load_theme(None), build_time=BUILD_TIME, cover=bad)


def test_the_cover_follows_the_article(tmp_path: Path) -> None:
    article = sample_article(tmp_path)
    theme = load_theme(None)
    first = render_epub(article, theme, build_time=BUILD_TIME)
    assert first.data == render_epub(article, theme, build_time=BUILD_TIME).data
    other = render_epub(replace(article, headline="Another headline"), theme, build_time=BUILD_TIME)
    with zipfile.ZipFile(io.BytesIO(first.data)) as a, zipfile.ZipFile(io.BytesIO(other.data)) as b:
        assert a.read("EPUB/images/cover.jpg") != b.read("EPUB/images/cover.jpg")


def test_calibre_finds_the_cover(books: dict[str, Path], tmp_path: Path) -> None:
    """calibre's ebook-meta is a second reading system's view of the cover.

    CI installs calibre (apt-get install --no-install-recommends calibre); without
    it this test fails rather than skipping silently.
    """
    program = shutil.which("ebook-meta")
    if program is None:
        pytest.fail(
            "calibre's ebook-meta is not installed: "
            "apt-get install -y --no-install-recommends calibre"
        )
    for name in ("photo", "supplied"):
        target = tmp_path / f"{name}.jpg"
        result = subprocess.run(
            [program, f"--get-cover={target}", str(books[name])],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen"},
        )
        assert result.returncode == 0, result.stderr
        href = cover_item(books[name]).get("href")
        assert target.read_bytes() == read(books[name], f"EPUB/{href}")
