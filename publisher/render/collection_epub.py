"""Collection + Theme -> one EPUB 3 (an ebooklib adapter), reproducible and EPUBCheck-clean.

Reading order (the spine): the cover, the title page, the contents, then one
XHTML document per article (``article-001.xhtml``...), each with its photo
and in its own language. The navigation document (not in the spine) holds
the table of contents grouped by section (a nested list per section), the
landmarks (cover, title page, contents, body matter) and the page list; the
NCX has the same contents for EPUB 2 readers.

Page list. The EPUB's pages are the PDF's of the same build: ``PageMap``
says on which PDF page each block id first appears, and where a page begins
inside a block (a paragraph running on), and the title page, contents and
articles carry the same block ids (``collection_html``). Where each page
begins (before a block, or at the same character inside one), the EPUB
gets ``<span epub:type="pagebreak" role="doc-pagebreak" id="page-N"
aria-label="N"/>``; ``<nav
epub:type="page-list">`` lists them, and the package names the PDF edition as
the ``a11y:pageBreakSource``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from ebooklib import epub

from publisher.model import Collection, figures
from publisher.render import Rendered
from publisher.render.collection_html import (
    PageMap,
    PageStart,
    article_id,
    body,
    contents_label,
    identify_blocks,
    identify_parts,
    insert_page_markers,
    page_starts,
    parse,
    render_frame,
    render_titlepage,
    render_toc,
    section_groups,
    serialise,
)
from publisher.render.collection_pdf import collection_roots
from publisher.render.epub_parts import (
    CERTIFIED_BY,
    CONFORMS_TO,
    COVER_HREF,
    add_fonts,
    add_stylesheets,
    cover_item,
    cover_page,
    escape,
    new_book,
    photo_item,
    quoteattr,
    write_book,
)
from publisher.render.html import EPUB_STYLESHEETS, iso_date, render_xhtml
from publisher.render.photo import pixel_size
from publisher.themes import Theme
from publisher.themes.language import is_rtl

TITLEPAGE_HREF = "titlepage.xhtml"
TOC_HREF = "toc.xhtml"
NAV_HREF = "nav.xhtml"


def render_collection_epub(
    collection: Collection,
    theme: Theme,
    *,
    build_time: datetime,
    page_map: PageMap,
    page_source: str,
    cover: Path | None = None,
) -> Rendered:
    """Render ``collection`` as EPUB 3 bytes; the same input and ``build_time`` give the same bytes.

    ``page_map`` is the print edition's (``collection_pdf.layout_collection``)
    and ``page_source`` names that edition. The cover is ``cover`` (a picture
    the user named) or generated from the title, publisher, date and the first
    photo in reading order. Photos are embedded as screen copies; a refused
    photo is left out (caption and credit stay) and reported in the warnings.
    """
    roots = collection_roots(collection, theme)
    warnings: list[str] = []
    book = new_book(collection.identifier or "", collection.title, collection.language)
    add_stylesheets(book, theme, roots, warnings)
    cover_image = cover_item(
        collection.title,
        theme=theme,
        roots=roots,
        publication=collection.publisher,
        date=collection.date,
        photos=tuple(a.image for a in collection.articles if a.image is not None),
        language=collection.language,
        supplied=cover,
    )
    book.add_item(cover_image)
    cover_xhtml = cover_page(collection.title, collection.language, cover_image)
    book.add_item(cover_xhtml)

    hrefs = [f"{article_id(i)}.xhtml" for i in range(len(collection.articles))]
    # (href, parsed document), in reading order
    documents: list[tuple[str, Any]] = _front_matter(collection, theme, hrefs)
    photos = 0
    for index, article in enumerate(collection.articles):
        image = photo_item(
            article.image, f"photo-{index + 1:03d}", roots, warnings, str(article.source)
        )
        shown = article
        if image is not None and article.image is not None:
            book.add_item(image)
            photos += 1
            width, height = pixel_size(image.content)
            shown = replace(article, image=replace(article.image, width=width, height=height))
        figure_hrefs: dict[str, str] = {}
        for number, figure in enumerate(figures(article.content), 1):
            uid = f"figure-{index + 1:03d}-{number}"
            item = photo_item(figure.image, uid, roots, warnings, str(article.source))
            if item is not None and figure.src not in figure_hrefs:
                book.add_item(item)
                photos += 1  # pictures, for the accessibility metadata
                figure_hrefs[figure.src] = item.file_name
        xhtml = render_xhtml(
            shown,
            theme,
            medium="epub",
            image_href=image.file_name if image is not None else None,
            figure_hrefs=figure_hrefs,
        )
        documents.append((hrefs[index], parse(xhtml)))

    pages = _add_page_markers(documents, page_map)
    spine: list[Any] = [cover_xhtml]
    for href, root in documents:
        item = epub.EpubItem(
            uid=href.removesuffix(".xhtml"),
            file_name=href,
            media_type="application/xhtml+xml",
            content=serialise(root).encode("utf-8"),
        )
        book.add_item(item)
        spine.append(item)
    book.spine = spine
    nav = epub.EpubItem(
        uid="nav",
        file_name=NAV_HREF,
        media_type="application/xhtml+xml",
        content=_nav_document(collection, hrefs, pages).encode("utf-8"),
    )
    nav.properties = ["nav"]
    book.add_item(nav)
    book.toc = _ncx_toc(collection, hrefs)
    book.add_item(epub.EpubNcx())
    add_fonts(book, theme, warnings)
    _add_metadata(book, collection, page_source, photos=photos)
    book.add_metadata(None, "meta", "", {"name": "cover", "content": cover_image.id})
    return Rendered(data=write_book(book, build_time), warnings=tuple(warnings))


def _front_matter(collection: Collection, theme: Theme, hrefs: list[str]) -> list[tuple[str, Any]]:
    """The title page and the contents, as (href, parsed document)."""
    parts = (
        (TITLEPAGE_HREF, collection.title, render_titlepage(collection, theme, "epub")),
        (
            TOC_HREF,
            contents_label(collection.language),
            render_toc(collection, theme, "epub", hrefs),
        ),
    )
    return [
        (
            href,
            parse(
                render_frame(
                    collection,
                    theme,
                    title=title,
                    content=content,
                    body_class="collection medium-epub",
                    body_type="frontmatter",
                    stylesheets=EPUB_STYLESHEETS,
                )
            ),
        )
        for href, title, content in parts
    ]


def _add_page_markers(documents: list[tuple[str, Any]], page_map: PageMap) -> list[str]:
    """Give the documents their block ids and page-break markers; return the page hrefs."""
    order: list[str] = []
    home: dict[str, int] = {}  # block id -> index of its document
    for number, (href, root) in enumerate(documents):
        page = body(root)
        if href in (TITLEPAGE_HREF, TOC_HREF):
            ids = identify_parts(page)
        else:
            ids = identify_blocks(page, href.removesuffix(".xhtml"), rename=True)
        order.extend(ids)
        home.update(dict.fromkeys(ids, number))
    starts = page_starts(order, page_map)
    grouped: dict[int, dict[PageStart, list[int]]] = {}
    hrefs: list[str] = []
    for number, start in enumerate(starts, start=1):
        ident = start[0]
        where = home[ident] if ident is not None else len(documents) - 1
        grouped.setdefault(where, {}).setdefault(start, []).append(number)
        hrefs.append(f"{documents[where][0]}#page-{number}")
    for where, markers in grouped.items():
        insert_page_markers(documents[where][1], markers)
    return hrefs


def _lang(language: str, book: str) -> str:
    """``lang``, ``xml:lang`` and ``dir`` for text in ``language`` inside a book in ``book``.

    >>> _lang("ar", "en"), _lang("fr", "ar"), _lang("en", "en")
    (' lang="ar" xml:lang="ar" dir="rtl"', ' lang="fr" xml:lang="fr" dir="ltr"', '')
    """
    if language == book:
        return ""
    direction = "rtl" if is_rtl(language) else "ltr" if is_rtl(book) else None
    attributes = f" lang={quoteattr(language)} xml:lang={quoteattr(language)}"
    return attributes + (f' dir="{direction}"' if direction else "")


def _nav_document(collection: Collection, hrefs: list[str], pages: list[str]) -> str:
    """The navigation document: contents by section, landmarks and the page list."""
    lang = quoteattr(collection.language)
    label = contents_label(collection.language)
    direction = ' dir="rtl"' if is_rtl(collection.language) else ""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        "<!DOCTYPE html>",
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"'
        f" lang={lang} xml:lang={lang}{direction}>",
        f'<head>\n<meta charset="utf-8"/>\n<title>{escape(label)}</title>\n</head>',
        "<body>",
        f'<nav epub:type="toc" id="toc" role="doc-toc">\n<h1>{escape(label)}</h1>\n<ol>',
    ]

    def entry(index: int) -> str:
        article = collection.articles[index]
        return (
            f'<li><a href="{hrefs[index]}"{_lang(article.language, collection.language)}>'
            f"{escape(article.headline)}</a></li>"
        )

    for section, indexes in section_groups(collection):
        if section:
            # The section's name is in its articles' language (WCAG 3.1.2, language of parts).
            marked = _lang(collection.articles[indexes[0]].language, collection.language)
            lines.append(f"<li><span{marked}>{escape(section)}</span>\n<ol>")
        lines.extend(entry(index) for index in indexes)
        if section:
            lines.append("</ol>\n</li>")
    lines.append("</ol>\n</nav>")
    landmarks = [
        ("cover", COVER_HREF, "Cover"),
        ("titlepage", TITLEPAGE_HREF, "Title page"),
        ("toc", TOC_HREF, label),
        ("bodymatter", hrefs[0], "Start of content"),
    ]
    lines.append('<nav epub:type="landmarks" id="landmarks" hidden="">\n<h2>Landmarks</h2>\n<ol>')
    lines.extend(
        f'<li><a epub:type="{kind}" href="{href}">{escape(title)}</a></li>'
        for kind, href, title in landmarks
    )
    lines.append("</ol>\n</nav>")
    lines.append('<nav epub:type="page-list" id="page-list" hidden="">\n<h2>Pages</h2>\n<ol>')
    lines.extend(
        f'<li><a href="{href}">{number}</a></li>' for number, href in enumerate(pages, start=1)
    )
    lines.append("</ol>\n</nav>\n</body>\n</html>\n")
    return "\n".join(lines)


def _ncx_toc(collection: Collection, hrefs: list[str]) -> list[Any]:
    """The NCX contents: a section is a point (at its first article) holding its articles."""
    toc: list[Any] = []
    for section, indexes in section_groups(collection):
        links = [
            epub.Link(hrefs[i], collection.articles[i].headline, f"toc-{article_id(i)}")
            for i in indexes
        ]
        if section:
            toc.append((epub.Section(section, hrefs[indexes[0]]), links))
        else:
            toc.extend(links)
    return toc


def _add_metadata(book: Any, collection: Collection, page_source: str, *, photos: int) -> None:
    """Bibliographic and accessibility metadata; only what is true of this book."""
    authors = dict.fromkeys(name for a in collection.articles for name in a.metadata.authors)
    for number, author in enumerate(authors, start=1):
        book.add_author(author, uid=f"creator{number}")
    if collection.publisher:
        book.add_metadata("DC", "publisher", collection.publisher)
    if date := iso_date(collection.date):
        book.add_metadata("DC", "date", date)
    sections = dict.fromkeys(a.metadata.section for a in collection.articles if a.metadata.section)
    for section in sections:
        book.add_metadata("DC", "subject", section)
    count = len(collection.articles)
    book.add_metadata(
        "DC",
        "description",
        f"{count} articles: " + "; ".join(a.headline for a in collection.articles),
    )

    def declare(prop: str, value: str) -> None:
        book.add_metadata(None, "meta", value, {"property": prop})

    declare("schema:accessMode", "textual")
    if photos:
        declare("schema:accessMode", "visual")
    declare("schema:accessModeSufficient", "textual")
    features = ["structuralNavigation", "tableOfContents", "readingOrder"]
    features += ["displayTransformability", "pageNavigation", "printPageNumbers"]
    for feature in features:
        declare("schema:accessibilityFeature", feature)
    declare("schema:accessibilityHazard", "none")
    summary = (
        f"This publication collects {count} news articles, each with a headline and "
        "paragraphs in reading order, in its own language; it has a title page, a table of "
        "contents grouped by section, landmarks, and a page list that follows the print "
        "edition's pages; "
        + (
            "its photos are described by the captions printed below them (an image's own "
            "text alternative is empty, so a caption is not read twice); "
            if photos
            else ""
        )
        + "it has no hazards and its text can be restyled by the reader."
    )
    declare("schema:accessibilitySummary", summary)
    declare("pageBreakSource", page_source)
    declare("dcterms:conformsTo", CONFORMS_TO)
    declare("a11y:certifiedBy", CERTIFIED_BY)
