"""Article + Theme -> EPUB 3 bytes (an ebooklib adapter), reproducible and EPUBCheck-clean."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ebooklib import epub

from publisher.errors import RenderError, SandboxError
from publisher.model import Article
from publisher.render import Rendered
from publisher.render.fetch import allowed_roots, read_allowed
from publisher.render.html import EPUB_STYLESHEETS, description, iso_date, render_xhtml
from publisher.themes import Theme

ARTICLE_HREF = "article.xhtml"
_IMAGE_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
}
#: Zip entries that must come first, in this order (mimetype must be first and stored).
_FIRST_ENTRIES = ("mimetype", "META-INF/container.xml", "EPUB/content.opf")
#: A url() or @import in EPUB CSS points at something the EPUB does not carry.
_CSS_REFERENCE = re.compile(r"url\(|@import", re.IGNORECASE)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
CERTIFIED_BY = "publisher (self-declared)"


def render_epub(article: Article, theme: Theme, *, build_time: datetime) -> Rendered:
    """Render ``article`` as EPUB 3 bytes; the same input and ``build_time`` give the same bytes.

    The image and the theme's stylesheets are read only through the sandbox
    (``read_allowed``); a refused image is left out (its caption and credit stay)
    and reported in ``Rendered.warnings``.
    """
    roots = allowed_roots(article, theme)
    warnings: list[str] = []
    book = epub.EpubBook()
    book.set_identifier(article.metadata.identifier or _fallback_identifier(article))
    book.set_title(article.headline)
    book.set_language(article.language)

    image_item = _image_item(article, roots, warnings)
    for href in EPUB_STYLESHEETS:
        css = _stylesheet(theme, href, roots)
        if _CSS_REFERENCE.search(_CSS_COMMENT.sub("", css.decode("utf-8", "replace"))):
            warnings.append(
                f"{href} refers to other files (url() or @import), which the EPUB does not carry."
            )
        book.add_item(
            epub.EpubItem(uid=_uid(href), file_name=href, media_type="text/css", content=css)
        )
    if image_item is not None:
        book.add_item(image_item)

    xhtml = render_xhtml(
        article,
        theme,
        medium="epub",
        image_href=image_item.file_name if image_item is not None else None,
    )
    # A plain EpubItem, not EpubHtml: ebooklib re-serialises EpubHtml and would drop
    # our <head> (metadata, stylesheets) and the xml:lang attributes.
    document = epub.EpubItem(
        uid="article",
        file_name=ARTICLE_HREF,
        media_type="application/xhtml+xml",
        content=xhtml.encode("utf-8"),
    )
    book.add_item(document)
    book.toc = [epub.Link(ARTICLE_HREF, article.headline, "toc-article")]
    book.guide = [{"href": ARTICLE_HREF, "title": article.headline, "type": "text"}]
    book.spine = [document]
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav(title="Contents"))
    _add_metadata(book, article, has_alt_image=image_item is not None and bool(article.caption))

    data = _write(book, build_time)
    return Rendered(data=_repack(data, build_time), warnings=tuple(warnings))


def _fallback_identifier(article: Article) -> str:
    # The normaliser always sets one; this keeps a hand-built Article reproducible.
    import hashlib
    import uuid

    digest = hashlib.sha256("\n".join((article.headline, *article.paragraphs)).encode()).digest()
    return f"urn:uuid:{uuid.UUID(bytes=digest[:16], version=4)}"


def _uid(href: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", href).strip("-")


def _stylesheet(theme: Theme, href: str, roots: tuple[Path, ...]) -> bytes:
    path = theme.stylesheet(href.removeprefix("css/"))
    return read_allowed(path, roots)


def _image_item(article: Article, roots: tuple[Path, ...], warnings: list[str]) -> Any:
    if article.image is None:
        return None
    extension = _IMAGE_EXTENSIONS.get(article.image.media_type)
    if extension is None:
        warnings.append(f"left out the photo: {article.image.media_type} is not an EPUB image type")
        return None
    try:
        content = read_allowed(article.image.path, roots)
    except SandboxError as error:
        warnings.append(error.message)
        return None
    except OSError as error:
        raise RenderError(
            f"The photo '{article.image.path}' cannot be read: {error.strerror}.",
            "Check the file exists and is readable, or remove the image from the article.",
        ) from error
    return epub.EpubItem(
        uid="photo",
        file_name=f"images/photo.{extension}",
        media_type=article.image.media_type,
        content=content,
    )


def _add_metadata(book: Any, article: Article, *, has_alt_image: bool) -> None:
    meta = article.metadata
    for number, author in enumerate(meta.authors, start=1):
        book.add_author(author, uid=f"creator{number}")
    if meta.publisher:
        book.add_metadata("DC", "publisher", meta.publisher)
    if date := iso_date(meta.date):  # dc:date must be W3CDTF; a free-form date stays in the text
        book.add_metadata("DC", "date", date)
    if meta.source:
        book.add_metadata("DC", "source", meta.source)
    if summary := description(article):
        book.add_metadata("DC", "description", summary)
    rights = meta.rights or (f"Photo: {article.credit}" if article.credit else None)
    if rights:
        book.add_metadata("DC", "rights", rights)
    if meta.section:
        book.add_metadata("DC", "subject", meta.section)

    # Accessibility metadata: only what is true of this file.
    def declare(prop: str, value: str) -> None:
        book.add_metadata(None, "meta", value, {"property": prop})

    declare("schema:accessMode", "textual")
    if article.image is not None and book.get_item_with_id("photo") is not None:
        declare("schema:accessMode", "visual")
    declare("schema:accessModeSufficient", "textual")
    features = ["structuralNavigation", "tableOfContents", "readingOrder"]
    features.append("displayTransformability")
    if has_alt_image:
        features.append("alternativeText")
    for feature in features:
        declare("schema:accessibilityFeature", feature)
    declare("schema:accessibilityHazard", "none")
    summary_sentence = (
        "This publication is a single news article with a headline, a byline and "
        "paragraphs in reading order, a table of contents and landmarks; "
        + (
            "its photo has a text alternative taken from the caption, which is also printed "
            "below it; "
            if has_alt_image
            else ""
        )
        + "it has no hazards and its text can be restyled by the reader."
    )
    declare("schema:accessibilitySummary", summary_sentence)
    declare("dcterms:conformsTo", CONFORMS_TO)
    declare("a11y:certifiedBy", CERTIFIED_BY)


def _write(book: Any, build_time: datetime) -> bytes:
    buffer = io.BytesIO()
    options = {
        "mtime": _utc(build_time),
        "raise_exceptions": True,
        "epub2_guide": False,
        "landmark_title": "Landmarks",
    }
    try:
        written = epub.write_epub(buffer, book, options)
    except Exception as error:  # ebooklib raises whatever its parts raise (lxml, zipfile, OS)
        raise RenderError(
            f"The EPUB could not be written: {error}.",
            "This is a bug in publisher or ebooklib; report it with the article.",
        ) from error
    if written is False:
        raise RenderError("The EPUB could not be written.", "Check free space and try again.")
    return buffer.getvalue()


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _repack(data: bytes, build_time: datetime) -> bytes:
    """Re-pack ebooklib's zip so equal inputs give equal bytes.

    ebooklib stamps every entry with the current time and leaves the order to
    dict iteration; here the mimetype is first and stored, the other entries
    follow in a fixed order, with build_time as their date and fixed permissions.
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
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as target:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.create_system = 3  # Unix, whatever the host
            info.external_attr = 0o100644 << 16  # regular file, rw-r--r--
            stored = name == "mimetype"
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(name), compresslevel=None if stored else 9)
    return output.getvalue()


_BUG_HINT = "This is a bug in publisher or ebooklib; report it with the article."
