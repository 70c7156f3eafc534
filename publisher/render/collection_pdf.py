"""Collection + Theme + PdfOptions -> the print edition: one PDF, and its page map.

The print edition is one XHTML document (``print_edition``): a title page, the
contents, then each article in a ``<div class="collection-item">``. The
theme's print CSS (the collection rules at the end of the default
``print.css``) starts the contents and every article on a right-hand page,
prints each contents entry's page number with ``target-counter()`` on its
link, sets the running head from the current article's headline
(``string-set`` on ``h1.headline``) and makes one PDF bookmark per article
(``bookmark-level: 1`` on article headlines, ``none`` on every other heading).

Rendering is in two steps so the EPUB can use the layout without a PDF being
written: ``layout_collection`` lays the document out with WeasyPrint and
records on which page each block id first appears (``PageMap``, from the
pages' ``anchors``); ``write_collection_pdf`` writes that same layout. Fonts,
page size, bleed, marks, tagging, the sandboxed fetcher, print copies of the
photos and reproducibility work as for one article (``pdf.render_pdf``),
whose helpers this module uses.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from lxml import etree  # type: ignore[import-untyped,unused-ignore]

from publisher.config import PdfOptions
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
from publisher.render.fetch import allowed_roots, memory_url, sandboxed_url_fetcher
from publisher.render.html import render_xhtml, utc_timestamp
from publisher.render.pdf import (
    captured_logs,
    check_variant,
    colour_profiles,
    figure_resources,
    is_noise,
    output_intent_resources,
    page_classes,
    placed_width_mm,
    print_stylesheets,
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
    """A laid-out print edition, ready to write, and where its pages begin."""

    document: Any  # weasyprint.Document
    page_map: PageMap
    pdf_identifier: str  # hex, the PDF's file identifier
    digest: bytes
    bleed: float
    fetcher: Any
    warnings: tuple[str, ...]  # blocked resources, WeasyPrint's warnings


def collection_roots(collection: Collection, theme: Theme) -> tuple[Path, ...]:
    """The folders and files a render of the collection may read (every article's)."""
    roots = (root for article in collection.articles for root in allowed_roots(article, theme))
    return tuple(dict.fromkeys(roots))


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
    """
    hrefs = [f"#{article_id(i)}" for i in range(len(collection.articles))]
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


def layout_collection(
    collection: Collection, theme: Theme, options: PdfOptions, *, build_time: datetime
) -> PrintLayout:
    """Lay out the print edition with WeasyPrint and map its pages; write nothing yet."""
    import weasyprint

    from publisher.render.photo import pixel_size, print_copy

    if options.variant is not None:
        check_variant(options.variant)
    bleed = to_points(options.bleed) if options.bleed else 0.0
    roots = collection_roots(collection, theme)
    warnings: list[str] = []
    resources = output_intent_resources(options, roots)
    photo_digests = hashlib.sha256()
    rendered: list[str] = []
    classes = page_classes(options, theme)
    for index, article in enumerate(collection.articles):
        shown, href = article, None
        placed = placed_width_mm(article, theme, options) if article.image else None
        if article.image is not None and placed is not None:
            copy, media_type, notes = print_copy(article.image, placed, roots=roots)
            warnings.extend(f"{article.source}: {note}" for note in notes)
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
                page_classes=classes,
                figure_hrefs=figure_hrefs,
            )
        )
    created = utc_timestamp(build_time)
    xhtml, order = print_edition(collection, theme, rendered, created=created, classes=classes)
    seed = f"{collection.identifier}\n{created}\n{xhtml}".encode()
    digest = hashlib.sha256(seed + photo_digests.digest()).digest()
    fetcher = sandboxed_url_fetcher(roots, resources)
    with (
        captured_logs() as logged,
        source_date_epoch(build_time),
        weasyprint_errors(
            "lay out the collection",
            "Try another theme or PDF variant; if it persists, report it with the articles.",
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
    blocked = fetcher.sandbox.blocked
    warnings[:0] = fetcher.sandbox.warnings
    warnings.extend(m for m in logged if not is_noise(m, blocked))
    return PrintLayout(
        document=document,
        page_map=map_pages(document, order),
        pdf_identifier=digest[:16].hex(),
        digest=digest,
        bleed=bleed,
        fetcher=fetcher,
        warnings=tuple(warnings),
    )


def map_pages(document: Any, order: Sequence[str]) -> PageMap:
    """On which page (1-based) each of the block ids ``order`` first appears, and where
    each page that begins inside a block begins.

    The second comes from WeasyPrint's layout itself: the first text box of the
    page (margin boxes and generated content aside) and how much of its block's
    text the earlier pages hold; a page does not always break between blocks.
    """
    wanted = set(order)
    first_page: dict[str, int] = {}
    shown: dict[str, int] = {}  # block id -> significant characters on earlier pages
    within: dict[int, tuple[str, int]] = {}
    for number, page in enumerate(document.pages, start=1):
        for ident in page.anchors:
            if ident in wanted:
                first_page.setdefault(ident, number)
        runs = list(_text_runs(page._page_box, None, wanted))
        if runs and shown.get(runs[0][0], 0) > 0:
            within[number] = (runs[0][0], shown[runs[0][0]])
        for ident, text in runs:
            shown[ident] = shown.get(ident, 0) + significant(text)
    return PageMap(first_page=first_page, page_count=len(document.pages), within=within)


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


def write_collection_pdf(
    layout: PrintLayout, options: PdfOptions, *, build_time: datetime
) -> Rendered:
    """Write the laid-out print edition as PDF bytes (the same layout gives the same bytes).

    ``Rendered.warnings`` holds only what went wrong while writing; the
    layout's own are in ``PrintLayout.warnings``.
    """
    with (
        captured_logs() as logged,
        source_date_epoch(build_time),
        weasyprint_errors(
            "write the collection",
            "Try another PDF variant; if it persists, report it with the articles.",
        ),
    ):
        conform_metadata(layout.document, options)
        with recording_tags() as notes:
            data = layout.document.write_pdf(
                finisher=pdf_finisher(layout.bleed, layout.digest, options, notes),
                pdf_identifier=layout.pdf_identifier.encode("ascii"),
                pdf_variant=options.variant,
                pdf_tags=options.tagged,
            )
    blocked = layout.fetcher.sandbox.blocked
    kept = [m for m in logged if not is_noise(m, blocked)]
    return Rendered(data=bytes(data), warnings=tuple(dict.fromkeys(kept)))
