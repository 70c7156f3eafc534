"""publisher: news articles to EPUB 3, print-ready PDF and archival packages.

The public API, one function per stage (read -> normalise -> render)::

    import publisher
    raw = publisher.read(Path("story.txt"))
    article = publisher.normalise(raw)
    theme = publisher.load_theme(None)
    epub = publisher.render_epub(article, theme, build_time=now)
    pdf = publisher.render_pdf(article, theme, PdfOptions(), build_time=now)

Each stage is imported on first use, so ``import publisher`` stays cheap.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from publisher.config import PdfOptions
from publisher.model import Article, Metadata, RawArticle

if TYPE_CHECKING:
    from publisher.render import Rendered
    from publisher.themes import Theme

__version__ = "0.1.0"
__all__ = [
    "Article",
    "Metadata",
    "PdfOptions",
    "RawArticle",
    "load_theme",
    "normalise",
    "read",
    "render_epub",
    "render_pdf",
]


def read(path: Path, *, overrides: Metadata | None = None, image: Path | None = None) -> RawArticle:
    """Read an article file (and its sidecar and image) into a RawArticle."""
    from publisher.readers import read_article

    return read_article(path, overrides=overrides, image=image)


def normalise(raw: RawArticle) -> Article:
    """Clean a raw article's text and metadata; the change log is in ``.changes``."""
    from publisher.normalise import normalise as _normalise

    return _normalise(raw)


def load_theme(path: Path | None = None) -> Theme:
    """The default theme, or the theme folder at ``path`` layered over it."""
    from publisher.themes import load_theme as _load_theme

    return _load_theme(path)


def render_epub(article: Article, theme: Theme, *, build_time: dt.datetime) -> Rendered:
    """Render an article to EPUB 3 bytes."""
    from publisher.render.epub import render_epub as _render_epub

    return _render_epub(article, theme, build_time=build_time)


def render_pdf(
    article: Article, theme: Theme, options: PdfOptions, *, build_time: dt.datetime
) -> Rendered:
    """Render an article to PDF bytes."""
    from publisher.render.pdf import render_pdf as _render_pdf

    return _render_pdf(article, theme, options, build_time=build_time)
