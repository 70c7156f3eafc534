"""The parts every EPUB we write shares: the book, stylesheets, photos, the cover, the zip.

``epub.render_collection_epub`` (every EPUB, a single article's too) builds
its book from these: the book, its stylesheets and fonts, photos, the cover
and the reproducible zip.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime
from html import escape as _html_escape
from pathlib import Path
from typing import Any

from ebooklib import epub

from publisher.errors import RenderError, SandboxError
from publisher.model import Image
from publisher.render.cover import render_cover
from publisher.render.epub_zip import write_zip
from publisher.render.fetch import is_allowed, read_allowed
from publisher.render.html import EPUB_STYLESHEETS
from publisher.render.labels import label
from publisher.render.photo import pixel_size
from publisher.themes import Theme
from publisher.themes.css import check_epub_css
from publisher.themes.language import is_rtl, long_date

COVER_HREF = "cover.xhtml"
IMAGE_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png"}
#: The supplied cover's long edge is at most this (the generated one is 1600×2560).
COVER_LONG_EDGE = 2560
CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
CERTIFIED_BY = "publisher (self-declared)"
#: Zip entries that must come first, in this order (mimetype must be first and stored).
_FIRST_ENTRIES = ("mimetype", "META-INF/container.xml", "EPUB/content.opf")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_NCX_NS = "http://www.daisy.org/z3986/2005/ncx/"


def escape(text: str) -> str:
    """``xml.sax.saxutils.escape``: ``&``, ``<`` and ``>`` as entities.

    Written here because ``xml.sax.saxutils`` imports ``urllib.request`` and so
    ``ssl`` and ``http.client``, some 20 ms of every cold EPUB build.

    >>> escape("Q&A <b>'x'</b>")
    "Q&amp;A &lt;b&gt;'x'&lt;/b&gt;"
    """
    return _html_escape(text, quote=False)


def quoteattr(text: str) -> str:
    """``xml.sax.saxutils.quoteattr``: escaped and quoted, with the quote the text lacks.

    >>> print(quoteattr("a"), quoteattr('say "hi"'), quoteattr("it's " + '"x" & y'))
    "a" 'say "hi"' "it's &quot;x&quot; &amp; y"
    """
    data = escape(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in data:
        return f'"{data}"'
    if "'" not in data:
        return f"'{data}'"
    return '"{}"'.format(data.replace('"', "&quot;"))


_BUG_HINT = "This is a bug in publisher or ebooklib; report it with the article."


def new_book(identifier: str, title: str, language: str) -> Any:
    """An empty ebooklib book with its identifier, title, language and reading direction.

    A right-to-left language (``themes.language.is_rtl``) gets
    ``page-progression-direction="rtl"`` on the spine, so a reader turns
    pages from left to right, as an Arabic or Hebrew book does.
    """
    book = epub.EpubBook()
    book.set_identifier(identifier)
    book.set_title(title)
    book.set_language(language)
    if is_rtl(language):
        book.set_direction("rtl")
    return book


def add_stylesheets(book: Any, theme: Theme, roots: tuple[Path, ...], warnings: list[str]) -> None:
    """Add the theme's EPUB stylesheets (each with its ``[css]`` layers) to ``book``.

    A stylesheet that points at other files (``url()``, ``@import``; only
    ``data:`` URLs are allowed) is a ThemeError (``themes.css.check_epub_css``):
    the EPUB would not carry what it points at.
    """
    for href in EPUB_STYLESHEETS:
        layers = theme.stylesheet_layers(href.removeprefix("css/"))
        css = b"\n".join(read_allowed(path, roots) for path in layers)
        # Never copied into the book: a url() to the network or a local file is refused.
        check_epub_css(css, href.removeprefix("css/"))
        uid = re.sub(r"[^A-Za-z0-9]+", "-", href).strip("-")
        book.add_item(epub.EpubItem(uid=uid, file_name=href, media_type="text/css", content=css))


def add_fonts(book: Any, theme: Theme, warnings: list[str]) -> None:
    """Embed the theme's fonts, subsetted to the book's characters (``epub_fonts``).

    Call it once every document (the navigation document too) is in ``book``:
    their text decides which characters the subsets keep. The ``@font-face`` rules go at the end of
    the first stylesheet (``css/base.css``).
    """
    from lxml import etree  # type: ignore[import-untyped,unused-ignore]

    from publisher.render.epub_fonts import embedded_fonts

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    texts = [book.title]
    stylesheets = []
    for item in book.get_items():
        if item.media_type == "application/xhtml+xml" and item.content:
            texts.append("".join(etree.fromstring(item.content, parser).itertext()))
        elif item.media_type == "text/css":
            stylesheets.append(item)
    css = "\n".join(item.content.decode("utf-8", "replace") for item in stylesheets)
    fonts = embedded_fonts(theme, texts, css)
    warnings.extend(fonts.warnings)
    for file in fonts.files:
        uid = re.sub(r"[^A-Za-z0-9]+", "-", file.file_name).strip("-")
        book.add_item(
            epub.EpubItem(
                uid=uid, file_name=file.file_name, media_type=file.media_type, content=file.content
            )
        )
    first = next((item for item in stylesheets if item.file_name == EPUB_STYLESHEETS[0]), None)
    if fonts.css and first is not None:
        # Appended: @font-face may come anywhere, and the theme's own CSS stays first, as written.
        first.content = first.content.rstrip(b"\n") + b"\n\n" + fonts.css.encode("utf-8")


def photo_item(
    image: Image | None, uid: str, roots: tuple[Path, ...], warnings: list[str], label: str = ""
) -> Any:
    """The photo's screen copy as ``images/<uid>.jpg|png``, or None.

    None when there is no photo or the sandbox refuses it; a refusal is added
    to ``warnings`` (after ``label``, e.g. the article's file, when given).
    """
    from publisher.render.photo import screen_copy

    if image is None:
        return None
    try:
        content, media_type = screen_copy(image, roots=roots)
    except SandboxError as error:
        warnings.append(f"{label}: {error.message}" if label else error.message)
        return None
    return epub.EpubItem(
        uid=uid,
        file_name=f"images/{uid}.{IMAGE_EXTENSIONS[media_type]}",
        media_type=media_type,
        content=content,
    )


def cover_item(
    title: str,
    *,
    theme: Theme,
    roots: tuple[Path, ...],
    publication: str | None,
    date: str | None,
    photos: tuple[Image, ...],
    language: str,
    supplied: Path | None,
) -> Any:
    """The cover picture: the supplied file's screen copy, or a generated cover.

    ``supplied`` (a picture the user named) is allowed for this one read, and
    its long edge is brought down to 2560 px. Otherwise the cover is drawn by
    ``cover.render_cover`` with the first of ``photos`` the sandbox allows (a
    refused photo is reported where the article's photo is) and the date
    written out in the language (``long_date``).
    """
    from publisher.render.photo import file_screen_copy

    if supplied is not None:
        allowed = (*roots, supplied.resolve())
        content, media_type = file_screen_copy(supplied, roots=allowed, long_edge=COVER_LONG_EDGE)
    else:
        image = next((photo for photo in photos if is_allowed(photo.path, roots)), None)
        content = render_cover(
            title,
            theme=theme,
            publication=publication,
            date=long_date(date, language) if date else None,
            image=image,
            language=language,
            roots=roots,
        )
        media_type = "image/jpeg"
    item = epub.EpubCover(
        uid="cover-image", file_name=f"images/cover.{IMAGE_EXTENSIONS[media_type]}"
    )
    item.media_type = media_type
    item.content = content
    return item


def cover_page(title: str, language: str, cover_image: Any) -> Any:
    """``cover.xhtml``: the cover scaled to the screen, never distorted (an SVG wrapper)."""
    width, height = pixel_size(cover_image.content)
    alt = f"{label('cover', language)}: {title}"
    lang = quoteattr(language)
    direction = ' dir="rtl"' if is_rtl(language) else ""
    href = cover_image.file_name
    xhtml = (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"'
        f" lang={lang} xml:lang={lang}{direction}>\n"
        f'<head>\n<meta charset="utf-8"/>\n<title>{escape(alt)}</title>\n'
        '<style type="text/css">html, body { margin: 0; padding: 0; height: 100%; } '
        "svg { display: block; width: 100%; height: 100%; }</style>\n</head>\n"
        '<body epub:type="cover">\n'
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        f' version="1.1" viewBox="0 0 {width} {height}" preserveAspectRatio="xMidYMid meet"'
        f' width="100%" height="100%" role="img" aria-label={quoteattr(alt)}>\n'
        f"<title>{escape(alt)}</title>\n"
        f'<image width="{width}" height="{height}" xlink:href={quoteattr(href)}/>\n'
        "</svg>\n</body>\n</html>\n"
    )
    page = epub.EpubItem(
        uid="cover",
        file_name=COVER_HREF,
        media_type="application/xhtml+xml",
        content=xhtml.encode("utf-8"),
    )
    page.properties = ["svg"]
    return page


def write_book(book: Any, build_time: datetime) -> bytes:
    """The finished EPUB's bytes: ebooklib's zip, re-packed so equal inputs give equal bytes."""
    buffer = io.BytesIO()
    options = {
        "mtime": _utc(build_time),
        "raise_exceptions": True,
        "epub2_guide": False,
        "landmark_title": "Landmarks",
        # Stored, not compressed: repack() reads every entry back and compresses
        # it once (epub_zip); compressing here too was a third of a warm build.
        "compresslevel": 0,
    }
    try:
        writer = _Writer(buffer, book, options)
        writer.process()
        writer.write()
    except OSError as error:
        raise RenderError(
            f"The EPUB could not be written: {error}.", "Check free space and try again."
        ) from error
    except Exception as error:  # ebooklib raises whatever its parts raise (lxml, zipfile)
        raise RenderError(f"The EPUB could not be written: {error}.", _BUG_HINT) from error
    return repack(buffer.getvalue(), build_time)


class _Writer(epub.EpubWriter):  # type: ignore[misc]
    """ebooklib's writer with two things it leaves out of the package and the NCX.

    ``<package xml:lang>``: the package's own language (DAISY Ace ``epub-lang``;
    EPUB 3.3 recommends it). ``dtb:depth``: how deep the NCX's navMap nests
    (ebooklib always writes 0, which the NCX spec does not allow).
    """

    def _write_opf_file(self, root: Any) -> None:
        if self.book.language:
            root.set(_XML_LANG, self.book.language)
        super()._write_opf_file(root)

    def _get_ncx(self) -> bytes:
        from lxml import etree  # type: ignore[import-untyped,unused-ignore]

        ncx = etree.fromstring(super()._get_ncx(), etree.XMLParser(resolve_entities=False))
        ns = {"n": _NCX_NS}
        if self.book.language:
            ncx.set(_XML_LANG, self.book.language)
        depth = max(
            (
                len(point.xpath("ancestor-or-self::n:navPoint", namespaces=ns))
                for point in ncx.iterfind(".//n:navPoint", ns)
            ),
            default=1,
        )
        for meta in ncx.iterfind("n:head/n:meta[@name='dtb:depth']", ns):
            meta.set("content", str(depth))
        text: bytes = etree.tostring(
            ncx.getroottree(), pretty_print=True, encoding="utf-8", xml_declaration=True
        )
        return text


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def repack(data: bytes, build_time: datetime) -> bytes:
    """Re-pack ebooklib's zip so equal inputs give equal bytes.

    ebooklib stamps every entry with the current time and leaves the order to
    dict iteration; here the mimetype is first and stored, the other entries
    follow in a fixed order, with build_time as their date and fixed permissions
    (``epub_zip.write_zip``).
    """
    try:
        source = zipfile.ZipFile(io.BytesIO(data))
        broken = source.testzip()
    except (zipfile.BadZipFile, OSError) as error:
        raise RenderError(f"ebooklib wrote a broken EPUB: {error}.", _BUG_HINT) from error
    names = source.namelist()
    missing = [name for name in _FIRST_ENTRIES if name not in names]
    if broken is not None or missing:
        raise RenderError(
            f"ebooklib wrote an incomplete EPUB (bad or missing: {broken or ', '.join(missing)}).",
            _BUG_HINT,
        )
    moment = _utc(build_time)
    date_time = max(
        (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second),
        (1980, 1, 1, 0, 0, 0),
    )  # zip dates start in 1980
    order = [*_FIRST_ENTRIES, *sorted(set(names) - set(_FIRST_ENTRIES))]
    return write_zip(
        ((name, source.read(name)) for name in order), date_time, stored=frozenset({"mimetype"})
    )
