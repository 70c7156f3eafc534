"""Renderers: one XHTML article (``html``) turned into an EPUB (``epub``) or a PDF (``pdf``).

Import the renderers from their modules (``publisher.render.pdf`` imports
WeasyPrint only when a PDF is rendered).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rendered:
    """A rendered file's bytes and what went wrong on the way (blocked URLs, etc.)."""

    data: bytes
    warnings: tuple[str, ...] = ()
