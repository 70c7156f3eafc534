"""The PDF renderer: fonts, page boxes, text order, metadata, variants, reproducibility."""

from __future__ import annotations

import io
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from conftest import CAPTION, CREDIT, HEADLINE, PARAGRAPHS, pdf_text, sample_article
from icc_helpers import write_cmyk_profile

from publisher.config import PdfOptions
from publisher.errors import UsageError
from publisher.render.pdf import check_variant, render_pdf
from publisher.themes import load_theme

BUILD_TIME = datetime(2024, 1, 26, 9, 30, tzinfo=UTC)
MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)
A5 = (148 * MM, 210 * MM)
#: Enough text for several A5 pages, so running heads and folios show.
LONG = PARAGRAPHS * 6
OPTIONS = {
    "default": PdfOptions(),
    "a5": PdfOptions(page_size="148mm 210mm", bleed="3mm", marks=("crop",)),
    "pdfa": PdfOptions(variant="pdf/a-3b"),
    "pdfx": PdfOptions(variant="pdf/x-4", bleed="3mm", marks=("crop", "cross")),
    "pdfua": PdfOptions(variant="pdf/ua-1"),
    "untagged": PdfOptions(tagged=False),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("pdf")
    article = sample_article(folder, paragraphs=LONG)
    theme = load_theme(None)
    profile = write_cmyk_profile(folder)
    outputs: dict[str, Any] = {"article": article, "theme": theme, "options": {}}
    for name, options in OPTIONS.items():
        if options.variant == "pdf/x-4":  # a PDF/X names its printing condition
            options = replace(options, output_profile=profile)
        outputs["options"][name] = options
        outputs[name] = render_pdf(article, theme, options, build_time=BUILD_TIME)
    return outputs


def open_pdf(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))


def size(box: Any) -> tuple[float, float]:
    left, bottom, right, top = (float(v) for v in box)
    return (right - left, top - bottom)


def close(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return all(abs(x - y) < 0.05 for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("name", list(OPTIONS))
def test_renders_without_warnings_and_embeds_every_font(built: dict[str, Any], name: str) -> None:
    assert built[name].warnings == ()
    pdf = open_pdf(built[name].data)
    fonts = 0
    for page in pdf.pages:
        for font in page.Resources.get("/Font", {}).values():
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0] if descendants else font).FontDescriptor
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys()), font
            fonts += 1
    assert fonts


def test_default_page_is_a4_and_a5_has_trim_and_bleed_boxes(built: dict[str, Any]) -> None:
    default = open_pdf(built["default"].data)
    page = default.pages[0]
    assert close(size(page.MediaBox), A4) and close(size(page.TrimBox), A4)

    a5 = open_pdf(built["a5"].data)
    for page in a5.pages:
        trim = [float(v) for v in page.TrimBox]
        bleed = [float(v) for v in page.BleedBox]
        media = [float(v) for v in page.MediaBox]
        assert close(size(page.TrimBox), A5)
        expected = (trim[0] - 3 * MM, trim[1] - 3 * MM, trim[2] + 3 * MM, trim[3] + 3 * MM)
        assert close(tuple(bleed), expected)
        # The crop marks need room outside the bleed: the media box is larger.
        assert media[0] < bleed[0] and media[2] > bleed[2]


def test_pdf_x4_has_the_boxes_too(built: dict[str, Any]) -> None:
    pdf = open_pdf(built["pdfx"].data)
    page = pdf.pages[0]
    assert close(size(page.TrimBox), A4)
    assert close(size(page.BleedBox), (A4[0] + 6 * MM, A4[1] + 6 * MM))


def test_every_paragraph_is_there_in_order_with_caption_and_credit(built: dict[str, Any]) -> None:
    text = pdf_text(built["a5"].data)
    assert text.startswith(f"WORLD {HEADLINE} By Jane Doe and Ali Hassan")
    assert " ".join(CAPTION.split()) in text and CREDIT in text
    position = 0
    for paragraph in LONG:
        found = text.find(" ".join(paragraph.split()), position)
        assert found >= position, paragraph
        position = found + 1


def test_running_head_and_folio_are_on_every_page_but_the_first(built: dict[str, Any]) -> None:
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(built["a5"].data)).pages
    assert len(pages) >= 3
    first = " ".join(pages[0].extract_text().split())
    assert first.count(HEADLINE) == 1  # the headline itself, no running head
    for number, page in enumerate(pages[1:], start=2):
        lines = [line.strip() for line in page.extract_text().splitlines() if line.strip()]
        assert HEADLINE in lines and str(number) in lines


def test_document_metadata_comes_from_the_article_and_build_time(built: dict[str, Any]) -> None:
    pdf = open_pdf(built["default"].data)
    info = pdf.docinfo
    assert str(info["/Title"]) == HEADLINE
    assert str(info["/Author"]) == "Jane Doe, Ali Hassan"
    assert str(info["/Subject"]) == PARAGRAPHS[0]
    assert str(info["/Keywords"]) == "World"
    assert str(info["/CreationDate"]) == str(info["/ModDate"]) == "D:20240126093000Z"
    assert str(pdf.Root.Lang) == "en"


def test_tagged_by_default_and_untagged_on_request(built: dict[str, Any]) -> None:
    assert "/StructTreeRoot" in open_pdf(built["default"].data).Root
    assert "/StructTreeRoot" in open_pdf(built["pdfua"].data).Root
    assert "/StructTreeRoot" not in open_pdf(built["untagged"].data).Root


def test_pdf_a_3b_declares_itself_in_the_xmp(built: dict[str, Any]) -> None:
    with open_pdf(built["pdfa"].data).open_metadata() as xmp:
        assert xmp["pdfaid:part"] == "3" and xmp["pdfaid:conformance"] == "B"
        assert xmp["xmp:ModifyDate"] == "2024-01-26T09:30:00Z"


def test_an_unknown_variant_is_a_usage_error_listing_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        check_variant("pdf/a-9z")
    assert "pdf/a-3b" in caught.value.hint and "pdf/x-4" in caught.value.hint
    with pytest.raises(UsageError):
        render_pdf(
            sample_article(tmp_path),
            load_theme(None),
            PdfOptions(variant="pdf/a-9z"),
            build_time=BUILD_TIME,
        )


@pytest.mark.parametrize("name", ["default", "pdfx"])
def test_the_same_input_gives_the_same_bytes(built: dict[str, Any], name: str) -> None:
    options = built["options"][name]
    again = render_pdf(built["article"], built["theme"], options, build_time=BUILD_TIME)
    assert again.data == built[name].data


def test_hostile_text_is_printed_literally(tmp_path: Path) -> None:
    hostile = "<script>alert(1)</script> <img src=x onerror=alert(2)> {{ 7*7 }}"
    article = sample_article(tmp_path, image=False, paragraphs=(hostile,))
    rendered = render_pdf(article, load_theme(None), PdfOptions(), build_time=BUILD_TIME)
    text = pdf_text(rendered.data)
    assert hostile in text and "49" not in text


def test_an_80000_character_word_renders_quickly_and_whole(tmp_path: Path) -> None:
    word = "abcdefghij" * 8000
    article = sample_article(tmp_path, image=False, paragraphs=("Before.", word, "After."))
    started = time.perf_counter()
    rendered = render_pdf(article, load_theme(None), PdfOptions(), build_time=BUILD_TIME)
    # Not a speed test (make bench measures speed): ~8 s here; a bound far above
    # that catches only a return of superlinear line breaking, never a busy machine.
    assert time.perf_counter() - started < 180
    compact = "".join(pdf_text(rendered.data).split())
    assert word in compact
    assert compact.index("Before.") < compact.index(word) < compact.index("After.")


def test_weasyprint_is_not_imported_for_an_epub() -> None:
    import subprocess
    import sys

    code = (
        "import sys, datetime, pathlib\n"
        "from publisher.model import Article, Metadata\n"
        "from publisher.themes import load_theme\n"
        "from publisher.render.epub import render_epub\n"
        "a = Article(pathlib.Path('/nonexistent/a.txt'), 'H', None, None, None, ('p',),"
        " Metadata(language='en', identifier='urn:x:1'))\n"
        "render_epub(a, load_theme(None), build_time=datetime.datetime(2024, 1, 1))\n"
        "print('weasyprint' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_image_is_drawn(built: dict[str, Any]) -> None:
    pdf = open_pdf(built["default"].data)
    images = [
        x for x in pdf.pages[0].Resources.get("/XObject", {}).values() if x.Subtype == "/Image"
    ]
    assert [(int(i.Width), int(i.Height)) for i in images] == [(1200, 900)]


def test_no_photo_keeps_caption_and_credit(tmp_path: Path) -> None:
    article = replace(sample_article(tmp_path, image=False), paragraphs=PARAGRAPHS[:1])
    rendered = render_pdf(article, load_theme(None), PdfOptions(), build_time=BUILD_TIME)
    text = pdf_text(rendered.data)
    assert " ".join(CAPTION.split()) in text and CREDIT in text


def test_pdf_a_3b_carries_attachments_as_associated_files(tmp_path: Path) -> None:
    from publisher.config import PdfAttachment

    article = sample_article(tmp_path, image=False)
    attachments = (
        PdfAttachment("source.txt", b"Headline\n\nBody.\n", "Source", "The original input"),
        PdfAttachment("article.json", b'{"headline": "Headline"}', "Data"),
    )
    options = PdfOptions(variant="pdf/a-3b")
    first = render_pdf(
        article, load_theme(None), options, build_time=BUILD_TIME, attachments=attachments
    )
    again = render_pdf(
        article, load_theme(None), options, build_time=BUILD_TIME, attachments=attachments
    )
    assert first.data == again.data
    with open_pdf(first.data) as pdf:
        files = {name: spec for name, spec in pdf.attachments.items()}
        assert sorted(files) == ["article.json", "source.txt"]
        assert files["source.txt"].get_file().read_bytes() == attachments[0].data
        assert files["source.txt"].obj["/AFRelationship"] == "/Source"
        assert files["article.json"].obj["/AFRelationship"] == "/Data"
        assert len(pdf.Root["/AF"]) == 2
        assert str(pdf.open_metadata()["pdfaid:part"]) == "3"
