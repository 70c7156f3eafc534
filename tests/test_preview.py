"""Previews: PDF pages as PNGs, page ranges, and the cover as a PNG."""

from __future__ import annotations

import io
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from conftest import PARAGRAPHS, sample_article
from PIL import Image as PILImage

from publisher.config import PdfOptions
from publisher.errors import InputError, UsageError
from publisher.render.epub import render_epub
from publisher.render.pdf import render_pdf
from publisher.render.preview import cover_png, epub_cover_image, parse_page_range, pdf_page_pngs
from publisher.themes import load_theme

BUILD_TIME = datetime(2024, 1, 26, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    article = sample_article(tmp_path_factory.mktemp("preview"), paragraphs=PARAGRAPHS * 6)
    options = PdfOptions(page_size="148mm 210mm")
    return render_pdf(article, load_theme(None), options, build_time=BUILD_TIME).data


def page_size_pt(data: bytes, number: int) -> tuple[float, float]:
    with pikepdf.open(io.BytesIO(data)) as document:
        left, bottom, right, top = (float(v) for v in document.pages[number - 1].MediaBox)
        return right - left, top - bottom


@pytest.mark.parametrize(
    ("text", "pages"),
    [
        ("1", (1,)),
        ("1-2,4", (1, 2, 4)),
        (" 2 - 3 , 1 ", (2, 3, 1)),
        ("1-3,2", (1, 2, 3)),
        ("5-5", (5,)),
    ],
)
def test_page_ranges(text: str, pages: tuple[int, ...]) -> None:
    assert parse_page_range(text) == pages
    assert parse_page_range(text, page_count=5) == pages


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "No pages"),
        ("one", "'one' is not a page"),
        ("0", "pages start at 1"),
        ("0-2", "pages start at 1"),
        ("3-1", "runs backwards"),
        ("1-", "'1-' is not a page"),
        ("1,,2", "'' is not a page"),
        ("-2", "'-2' is not a page"),
        ("1.5", "'1.5' is not a page"),
        ("1-99999999", "more than 10000 pages"),
    ],
)
def test_nonsense_page_ranges_are_usage_errors(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message) as caught:
        parse_page_range(text)
    assert caught.value.exit_code == 2 and "1-2,5" in caught.value.hint


def test_pages_past_the_end_are_usage_errors(pdf: bytes) -> None:
    with pytest.raises(UsageError, match="Page 7 is past the end: the PDF has 6 pages"):
        parse_page_range("2,7-9", page_count=6)
    count = len(pikepdf.open(io.BytesIO(pdf)).pages)
    with pytest.raises(UsageError, match=f"Page {count + 1} is past the end"):
        pdf_page_pngs(pdf, [1, count + 1])


@pytest.mark.parametrize("dpi", [110, 50])
def test_page_pictures_have_the_page_size_at_the_dpi(pdf: bytes, dpi: int) -> None:
    pictures = pdf_page_pngs(pdf, [2, 1], dpi=dpi)
    assert len(pictures) == 2
    for number, data in zip((2, 1), pictures, strict=True):
        width_pt, height_pt = page_size_pt(pdf, number)
        with PILImage.open(io.BytesIO(data)) as shown:
            assert shown.format == "PNG" and shown.mode == "RGB"
            expected = (math.ceil(width_pt * dpi / 72), math.ceil(height_pt * dpi / 72))
            assert shown.size == expected
    assert pdf_page_pngs(pdf, [2, 1], dpi=dpi) == pictures


def test_page_one_shows_the_headline_in_ink(pdf: bytes) -> None:
    (data,) = pdf_page_pngs(pdf, [1])
    grey = PILImage.open(io.BytesIO(data)).convert("L")
    low, high = grey.getextrema()  # type: ignore[misc]
    assert high == 255 and low < 80  # white paper and dark type


def test_a_bad_dpi_or_pdf_is_refused(pdf: bytes) -> None:
    with pytest.raises(UsageError, match="out of range"):
        pdf_page_pngs(pdf, [1], dpi=0)
    with pytest.raises(InputError, match="cannot be opened"):
        pdf_page_pngs(b"%PDF-1.7 not really", [1])


@pytest.fixture(scope="module")
def epub(tmp_path_factory: pytest.TempPathFactory) -> Any:
    article = sample_article(tmp_path_factory.mktemp("epub"))
    return render_epub(article, load_theme(None), build_time=BUILD_TIME).data


def test_the_cover_preview_is_a_600_pixel_png(epub: bytes) -> None:
    jpeg = epub_cover_image(epub)
    assert PILImage.open(io.BytesIO(jpeg)).size == (1600, 2560)
    data = cover_png(jpeg)
    with PILImage.open(io.BytesIO(data)) as shown:
        assert (shown.format, shown.size) == ("PNG", (600, 960))
    assert cover_png(jpeg) == data
    with PILImage.open(io.BytesIO(cover_png(jpeg, width=2000))) as shown:
        assert shown.size == (1600, 2560)  # never enlarged


def test_cover_preview_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a readable"):
        cover_png(b"no picture")
    with pytest.raises(InputError, match="cannot be read"):
        epub_cover_image(b"PK not a zip")
