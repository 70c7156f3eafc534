"""Renderers: a Collection (one article is a collection of one) -> EPUB and PDF.

One path for both::

    Article --html.render_xhtml--> XHTML per article
    Collection --collection_html--> title page, contents, block ids (collections only)
        -> epub.render_collection_epub (epub_nav, epub_parts, epub_fonts) -> EPUB
        -> print_edition.layout_print / write_pdf (pdf: the WeasyPrint adapter) -> PDF

``epub.render_epub`` and ``pdf.render_pdf`` render one article through it
(``Collection.of``). Import the renderers from their modules
(``publisher.render.pdf`` imports WeasyPrint only when a PDF is rendered).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rendered:
    """A rendered file's bytes and what went wrong on the way (blocked URLs, etc.)."""

    data: bytes
    warnings: tuple[str, ...] = ()
