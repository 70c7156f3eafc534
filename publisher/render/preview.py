"""Pictures of the outputs: PDF pages as PNGs (with pypdfium2, no system tools) and the cover.

A page picture shows the whole sheet as the PDF's MediaBox (or CropBox) holds
it, bleed and printer's marks included, on white; it is
``ceil(width_pt × dpi / 72)`` by ``ceil(height_pt × dpi / 72)`` pixels. The
same PDF and dpi give the same PNG bytes (same pypdfium2 and Pillow versions).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from xml.etree import ElementTree

from publisher.errors import InputError, RenderError, UsageError

_RANGE_PART = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")
#: Refuse page pictures wider than this many pixels (a typo like --dpi 11000).
_MAX_DPI = 1200
_MAX_PAGES = 10_000
_OPF = "{http://www.idpf.org/2007/opf}"


def parse_page_range(text: str, page_count: int | None = None) -> tuple[int, ...]:
    """Return the 1-based pages ``text`` names, in order, without repeats.

    ``page_count``, when known, makes a page past the end a UsageError too.

    >>> parse_page_range("1-2,4"), parse_page_range(" 3 "), parse_page_range("2-3,1-2")
    ((1, 2, 4), (3,), (2, 3, 1))
    >>> parse_page_range("2-1")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    publisher.errors.UsageError: '2-1' is not a page range: 2-1 runs backwards. ...
    >>> parse_page_range("1-5", page_count=3)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    publisher.errors.UsageError: Page 4 is past the end: the PDF has 3 pages. ...
    """
    hint = "Write pages like 1, 1-3 or 1-2,5 (numbered from 1)."
    pages: dict[int, None] = {}
    if not text.strip():
        raise UsageError("No pages given.", hint)
    for part in text.split(","):
        match = _RANGE_PART.match(part)
        if match is None:
            raise UsageError(f"'{text}' is not a page range: '{part.strip()}' is not a page.", hint)
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) else first
        if first < 1:
            raise UsageError(f"'{text}' is not a page range: pages start at 1.", hint)
        if last < first:
            raise UsageError(f"'{text}' is not a page range: {first}-{last} runs backwards.", hint)
        if page_count is not None and last > page_count:
            past = max(first, page_count + 1)
            raise UsageError(
                f"Page {past} is past the end: the PDF has {page_count} "
                f"page{'s' if page_count != 1 else ''}.",
                f"Ask for pages 1-{page_count} or fewer." if page_count else hint,
            )
        if last - first >= _MAX_PAGES:
            raise UsageError(f"'{text}' asks for more than {_MAX_PAGES} pages.", hint)
        for page in range(first, last + 1):
            pages.setdefault(page, None)
    return tuple(pages)


def pdf_page_pngs(pdf: bytes, pages: Sequence[int], dpi: int = 110) -> list[bytes]:
    """Return PNG pictures of ``pages`` (1-based) of ``pdf`` at ``dpi``, in the order asked.

    Raises UsageError for a page past the end or a dpi outside 1-1200, and
    InputError when ``pdf`` is not a PDF pdfium can open.
    """
    import pypdfium2

    if not 1 <= dpi <= _MAX_DPI:
        raise UsageError(f"{dpi} dpi is out of range.", f"Use 1 to {_MAX_DPI} dpi (110 is good).")
    try:
        document = pypdfium2.PdfDocument(pdf)
    except pypdfium2.PdfiumError as error:
        raise InputError(f"The PDF cannot be opened: {error}.", "Check it is a PDF.") from error
    pictures: list[bytes] = []
    try:
        count = len(document)
        for number in pages:
            if not 1 <= number <= count:
                raise UsageError(
                    f"Page {number} is past the end: the PDF has {count} "
                    f"page{'s' if count != 1 else ''}.",
                    f"Ask for pages 1-{count} or fewer.",
                )
        for number in pages:
            page = document[number - 1]
            try:
                bitmap = page.render(scale=dpi / 72, fill_color=(255, 255, 255, 255))
                picture = bitmap.to_pil().convert("RGB")
            finally:
                page.close()
            pictures.append(_png(picture))
    finally:
        document.close()
    return pictures


def cover_png(epub_cover_jpeg: bytes, width: int = 600) -> bytes:
    """Return the cover picture as a PNG ``width`` pixels wide (aspect kept; never enlarged).

    Raises InputError when the bytes are not a picture Pillow can read.
    """
    from PIL import Image as PILImage

    if width < 1:
        raise UsageError(f"A cover {width} pixels wide is not a picture.", "Use e.g. 600.")
    try:
        with PILImage.open(io.BytesIO(epub_cover_jpeg), formats=["JPEG", "PNG"]) as source:
            source.load()
            picture = source.convert("RGB")
    except (OSError, SyntaxError, ValueError) as error:
        raise InputError(f"The cover is not a readable JPEG or PNG ({error}).") from error
    if picture.width > width:
        height = max(1, round(picture.height * width / picture.width))
        picture = picture.resize((width, height), PILImage.Resampling.LANCZOS)
    return _png(picture)


def epub_cover_image(epub: bytes) -> bytes:
    """Return the bytes of the EPUB's ``cover-image`` (what ``render_epub`` declares).

    Raises InputError when the EPUB has no cover-image.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(epub)) as archive:
            container = ElementTree.fromstring(archive.read("META-INF/container.xml"))
            rootfile = container.find(".//{*}rootfile")
            opf_path = rootfile.get("full-path", "") if rootfile is not None else ""
            package = ElementTree.fromstring(archive.read(opf_path))
            folder = opf_path.rpartition("/")[0]
            for item in package.iter(f"{_OPF}item"):
                if "cover-image" in (item.get("properties") or "").split():
                    href = item.get("href", "")
                    return archive.read(f"{folder}/{href}" if folder else href)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as error:
        raise InputError(f"The EPUB cannot be read: {error}.") from error
    raise InputError("The EPUB declares no cover-image.", "Build it again with publisher.")


def _png(picture: object) -> bytes:
    from PIL import Image as PILImage

    if not isinstance(picture, PILImage.Image):
        raise RenderError("A preview picture was not drawn.")
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", compress_level=9)
    return buffer.getvalue()
