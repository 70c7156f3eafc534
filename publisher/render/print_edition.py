"""Collection + Theme + PdfOptions -> the print edition: one PDF, and its page map.

Every PDF is made here; one article is a collection of one (``Collection.of``,
``pdf.render_pdf``). The print edition is one XHTML document
(``print_edition``). A single article's is its own document, as the theme's
``article.xhtml`` makes it. A collection's is a title page, the contents, then
each article in a ``<div class="collection-item">``: the theme's print CSS
(the collection rules at the end of the default ``print.css``) starts the
contents and every article on a right-hand page, prints each contents entry's
page number with ``target-counter()`` on its link, sets the running head from
the current article's headline (``string-set`` on ``h1.headline``) and makes
one PDF bookmark per article (``bookmark-level: 1`` on article headlines,
``none`` on every other heading).

Rendering is in two steps so the EPUB can use the layout without a PDF being
written: ``layout_print`` lays the document out with WeasyPrint;
``map_pages`` records on which page each block id first appears (``PageMap``,
from the pages' ``anchors``), for a collection's EPUB page list; ``write_pdf``
writes that same layout. ``render_collection_pdf`` does both steps. Fonts,
page size, bleed, marks, tagging, the sandboxed fetcher and reproducibility
come from the WeasyPrint adapter's helpers (``pdf``). Each photo is printed
from its print copy (``photo.print_copy``), sized where the theme places it
(``pdf.placed_width_mm``) and served from memory under a private URL.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from lxml import etree  # type: ignore[import-untyped,unused-ignore]

from publisher.config import PdfAttachment, PdfOptions
from publisher.model import Collection
from publisher.render import Rendered
from publisher.render.collection_html import (
    XHTML_NS,
    PageMap,
    article_id,
    body,
    identify_blocks,
    identify_parts,
    parse,
    render_frame,
    render_titlepage,
    render_toc,
    serialise,
    significant,
)
from publisher.render.fetch import collection_roots, memory_url, sandboxed_url_fetcher
from publisher.render.html import render_xhtml, utc_timestamp
from publisher.render.pdf import (
    captured_logs,
    check_glyphs,
    check_variant,
    colour_profiles,
    figure_resources,
    import_weasyprint,
    is_noise,
    output_intent_resources,
    page_classes,
    pdf_attachments,
    placed_width_mm,
    print_stylesheets,
    refuse_missing_glyphs,
    shared_font_config,
    source_date_epoch,
    to_points,
    weasyprint_errors,
)
from publisher.render.pdf_finish import conform_metadata, pdf_finisher
from publisher.render.pdf_tags import recording_tags
from publisher.render.print_hyphens import join_compound_hyphens
from publisher.themes import Theme


@dataclass(frozen=True, slots=True)
class PrintLayout:
    """A laid-out print edition, ready to write."""

    document: Any  # weasyprint.Document
    order: tuple[str, ...]  # the block ids, in document order (``map_pages``)
    pdf_identifier: str  # hex, the PDF's file identifier
    digest: bytes
    bleed: float
    fetcher: Any
    warnings: tuple[str, ...]  # blocked resources, WeasyPrint's warnings


def render_collection_pdf(
    collection: Collection,
    theme: Theme,
    options: PdfOptions,
    *,
    build_time: datetime,
    attachments: tuple[PdfAttachment, ...] = (),
) -> Rendered:
    """Lay out and write ``collection`` as PDF bytes (``layout_print``, then ``write_pdf``)."""
    layout = layout_print(
        collection, theme, options, build_time=build_time, embeds_files=bool(attachments)
    )
    written = write_pdf(layout, options, build_time=build_time, attachments=attachments)
    warnings = dict.fromkeys((*layout.warnings, *written.warnings))
    return Rendered(data=written.data, warnings=tuple(warnings))


def print_edition(
    collection: Collection,
    theme: Theme,
    articles: Sequence[str],
    *,
    created: str,
    classes: Sequence[str] = (),
) -> tuple[str, list[str]]:
    """The whole print document, and its block ids in document order.

    ``articles[i]`` is the i-th article rendered for print by ``render_xhtml``.
    A single article without front matter is its own document (no block ids:
    it has no page list); otherwise the frame holds the title page and the
    contents (with ``front_matter``) and every article's body.
    """
    if not collection.front_matter and len(articles) == 1:
        root = parse(articles[0])
        join_compound_hyphens(root)
        return serialise(root), []
    hrefs = [f"#{article_id(i)}" for i in range(len(collection.articles))]
    parts = []
    if collection.front_matter:
        parts = [
            render_titlepage(collection, theme, "print"),
            render_toc(collection, theme, "print", hrefs),
        ]
    xhtml = render_frame(
        collection,
        theme,
        title=collection.title,
        content="\n".join(parts),
        body_class=" ".join(("collection", "medium-print", *classes)),
        created=created,
    )
    root = parse(xhtml)
    page = body(root)
    order = identify_parts(page)
    for index, article_xhtml in enumerate(articles):
        item = etree.SubElement(
            page, f"{{{XHTML_NS}}}div", {"class": "collection-item", "id": article_id(index)}
        )
        item.text = "\n"
        item.extend(list(body(parse(article_xhtml))))
        order.extend(identify_blocks(item, article_id(index), rename=True))
    join_compound_hyphens(root)
    return serialise(root), order


def layout_print(
    collection: Collection,
    theme: Theme,
    options: PdfOptions,
    *,
    build_time: datetime,
    embeds_files: bool = False,
) -> PrintLayout:
    """Lay out the print edition with WeasyPrint; write nothing yet.

    ``embeds_files``: the PDF will carry attachments (``check_variant``).
    Raises UsageError for an unknown PDF variant and RenderError when WeasyPrint
    fails or a character has no glyph in any font.
    """
    from publisher.render.photo import pixel_size, print_copy

    weasyprint = import_weasyprint()

    if options.variant is not None:
        check_variant(options.variant, embeds_files=embeds_files)
    bleed = to_points(options.bleed) if options.bleed else 0.0
    roots = collection_roots(collection, theme)
    warnings: list[str] = []
    resources = output_intent_resources(options, roots)
    photo_digests = hashlib.sha256()
    rendered: list[str] = []
    classes = page_classes(options, theme)
    several = len(collection.articles) > 1
    for index, article in enumerate(collection.articles):
        shown, href = article, None
        placed = placed_width_mm(article, theme, options) if article.image else None
        if article.image is not None and placed is not None:
            copy, media_type, notes = print_copy(article.image, placed, roots=roots)
            # With several articles, a note says whose photo it is about.
            warnings.extend(f"{article.source}: {note}" if several else note for note in notes)
            href = memory_url(f"photo-{index + 1}")
            resources[href] = (copy, media_type)
            photo_digests.update(copy)
            width, height = pixel_size(copy)
            shown = replace(article, image=replace(article.image, width=width, height=height))
        figure_hrefs = figure_resources(article, roots, resources, warnings, f"{index + 1}-")
        for url in figure_hrefs.values():
            photo_digests.update(resources[url][0])
        rendered.append(
            render_xhtml(
                shown,
                theme,
                medium="print",
                image_href=href,
                build_time=build_time,
                page_classes=classes,
                figure_hrefs=figure_hrefs,
            )
        )
    created = utc_timestamp(build_time)
    xhtml, order = print_edition(collection, theme, rendered, created=created, classes=classes)
    check_glyphs(xhtml, theme, collection.language)
    seed = f"{collection.identifier}\n{created}\n{xhtml}".encode()
    digest = hashlib.sha256(seed + photo_digests.digest()).digest()
    fetcher = sandboxed_url_fetcher(roots, resources)
    with (
        captured_logs() as logged,
        source_date_epoch(build_time),
        weasyprint_errors(
            "lay out the PDF",
            "Try another theme or PDF variant; if it persists, report it with the article.",
        ),
    ):
        document = weasyprint.HTML(
            string=xhtml,
            base_url=collection.articles[0].source.parent.resolve().as_uri() + "/",
            url_fetcher=fetcher,
        ).render(
            stylesheets=print_stylesheets(theme, options, bleed, fetcher, warnings),
            font_config=shared_font_config(),
            color_profiles=colour_profiles(options, fetcher, resources),
            pdf_tags=options.tagged,
            pdf_variant=options.variant,
        )
    refuse_missing_glyphs(logged)
    blocked = fetcher.sandbox.blocked
    warnings[:0] = fetcher.sandbox.warnings
    warnings.extend(m for m in logged if not is_noise(m, blocked))
    return PrintLayout(
        document=document,
        order=tuple(order),
        pdf_identifier=digest[:16].hex(),
        digest=digest,
        bleed=bleed,
        fetcher=fetcher,
        warnings=tuple(dict.fromkeys(warnings)),
    )


def map_pages(layout: PrintLayout) -> PageMap:
    """On which page (1-based) each block id of the layout first appears, and where
    each page that begins inside a block begins.

    The second comes from WeasyPrint's layout itself: the first text box of the
    page (margin boxes and generated content aside) and how much of its block's
    text the earlier pages hold; a page does not always break between blocks.
    """
    wanted = set(layout.order)
    first_page: dict[str, int] = {}
    shown: dict[str, int] = {}  # block id -> significant characters on earlier pages
    within: dict[int, tuple[str, int]] = {}
    for number, page in enumerate(layout.document.pages, start=1):
        for ident in page.anchors:
            if ident in wanted:
                first_page.setdefault(ident, number)
        runs = list(_text_runs(page._page_box, None, wanted))
        if runs and shown.get(runs[0][0], 0) > 0:
            within[number] = (runs[0][0], shown[runs[0][0]])
        for ident, text in runs:
            shown[ident] = shown.get(ident, 0) + significant(text)
    return PageMap(first_page=first_page, page_count=len(layout.document.pages), within=within)


def _text_runs(box: Any, block: str | None, wanted: set[str]) -> Iterator[tuple[str, str]]:
    """(block id, text) of each text box under ``box``, in layout order.

    Margin boxes (running heads, folios) and generated content (``::before``,
    ``::after``, list markers) are not text of the blocks, so they are skipped.
    """
    if type(box).__name__ == "MarginBox" or "::" in str(getattr(box, "element_tag", "") or ""):
        return
    element = getattr(box, "element", None)
    if element is not None and element.get("id") in wanted:
        block = element.get("id")
    if type(box).__name__ == "TextBox":
        if block is not None:
            yield block, str(box.text)
        return
    for child in getattr(box, "children", None) or ():
        yield from _text_runs(child, block, wanted)


def write_pdf(
    layout: PrintLayout,
    options: PdfOptions,
    *,
    build_time: datetime,
    attachments: tuple[PdfAttachment, ...] = (),
) -> Rendered:
    """Write the laid-out print edition as PDF bytes (the same layout gives the same bytes).

    ``attachments`` are embedded as files (with a PDF/A-3 variant, as associated
    files carrying their AFRelationship), dated ``build_time``.
    ``Rendered.warnings`` holds only what went wrong while writing; the
    layout's own are in ``PrintLayout.warnings``.
    """
    with (
        captured_logs() as logged,
        source_date_epoch(build_time),
        weasyprint_errors(
            "write the PDF",
            "Try another PDF variant; if it persists, report it with the article.",
        ),
    ):
        conform_metadata(layout.document, options)
        with recording_tags() as notes:
            data = layout.document.write_pdf(
                attachments=pdf_attachments(attachments, build_time),
                finisher=pdf_finisher(layout.bleed, layout.digest, options, notes),
                pdf_identifier=layout.pdf_identifier.encode("ascii"),
                pdf_variant=options.variant,
                pdf_tags=options.tagged,
            )
    refuse_missing_glyphs(logged)
    blocked = layout.fetcher.sandbox.blocked
    kept = [m for m in logged if not is_noise(m, blocked)]
    return Rendered(data=bytes(data), warnings=tuple(dict.fromkeys(kept)))
