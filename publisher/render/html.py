"""Article + Theme -> one semantic XHTML document, shared by the EPUB and the PDF."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from publisher.model import Article
from publisher.themes import Theme
from publisher.themes.sandbox import render_checked

ARTICLE_TEMPLATE = "article.xhtml"
#: Stylesheet hrefs inside the EPUB, in cascade order (base, then the medium's).
EPUB_STYLESHEETS = ("css/base.css", "css/epub.css")
_ISO_DATE = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?$"
)


def iso_date(text: str | None) -> str | None:
    """Return ``text`` if it is an ISO 8601 date or date-time HTML accepts, else None.

    >>> iso_date("2024-01-25"), iso_date("2024-01-25T10:00:00Z"), iso_date("Jan 25, 2024")
    ('2024-01-25', '2024-01-25T10:00:00Z', None)
    """
    if text is None:
        return None
    text = text.strip()
    return text if _ISO_DATE.match(text) else None


def utc_timestamp(moment: datetime) -> str:
    """Return ``moment`` in UTC as ``YYYY-MM-DDThh:mm:ssZ`` (naive means UTC).

    >>> from datetime import timedelta, timezone
    >>> utc_timestamp(datetime(2024, 1, 25, 12, 0, tzinfo=timezone(timedelta(hours=2))))
    '2024-01-25T10:00:00Z'
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def description(article: Article) -> str | None:
    """The article's one-line description: its first paragraph, else its caption."""
    return article.paragraphs[0] if article.paragraphs else article.caption


def render_xhtml(
    article: Article,
    theme: Theme,
    *,
    medium: Literal["epub", "print"],
    image_href: str | None,
    build_time: datetime | None = None,
    page_classes: tuple[str, ...] = (),
    figure_hrefs: Mapping[str, str] | None = None,
) -> str:
    """Render ``article`` as an XHTML document for ``medium`` with the theme's templates.

    ``image_href`` is where the document finds the photo (a path inside the EPUB,
    a file URL for print), or None for no ``<figure>``; the caption and credit
    are kept either way. ``build_time``, when given, becomes the document's
    ``dcterms.created``/``dcterms.modified`` (the PDF's dates). ``page_classes``
    go on ``<body>`` so print CSS can lay out by page size (WeasyPrint has no
    width media queries), e.g. ``page-wide`` for two columns on A4.
    ``figure_hrefs`` maps each body figure's ``src`` to where the document finds
    its picture; a figure missing from it keeps only its caption. All article
    text is autoescaped data: nothing the article says is ever run as a template.
    """
    context = {
        "article": article,
        "lang": article.language,
        "medium": medium,
        "image_href": image_href,
        "iso_date": iso_date(article.metadata.date),
        "description": description(article),
        "keywords": [k for k in (article.metadata.section,) if k],
        "created": utc_timestamp(build_time) if build_time else None,
        "stylesheets": EPUB_STYLESHEETS if medium == "epub" else (),
        "body_class": " ".join((f"medium-{medium}", *page_classes)),
        "figure_hrefs": dict(figure_hrefs or {}),
        "footnote_notes": article.footnotes,
    }
    return render_template(
        theme,
        ARTICLE_TEMPLATE,
        context,
        "Use only article, lang, medium, image_href, iso_date, description, "
        "keywords, created, stylesheets, body_class, figure_hrefs and footnote_notes "
        "in templates.",
    )


def render_template(
    theme: Theme,
    name: str,
    context: Mapping[str, Any],
    values_hint: str = "Use only the values the default theme's templates use.",
) -> str:
    """Render the theme's template ``name`` in its sandbox (``themes.sandbox.render_checked``).

    Anything the template raises, and output that is not well-formed XHTML,
    is a ThemeError; ``values_hint`` tells the user which values it may use.
    """
    return render_checked(theme.environment, name, context, values_hint)
