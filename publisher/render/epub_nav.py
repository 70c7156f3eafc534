"""The EPUB's navigation: one table of contents, as the nav document and as the NCX.

``table_of_contents`` reads it from the book's documents: the articles (grouped by
section when the book has front matter), each with its subheadings.
``nav_document`` writes it with the landmarks and, when the book has one,
the page list; ``ncx_toc`` gives it to ebooklib for the NCX (EPUB 2 readers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ebooklib import epub

from publisher.model import Article, Collection
from publisher.render.collection_html import XHTML_NS, contents_label, section_groups
from publisher.render.epub_parts import COVER_HREF, escape, quoteattr
from publisher.render.labels import label as words
from publisher.themes.language import is_rtl

TITLEPAGE_HREF = "titlepage.xhtml"
TOC_HREF = "toc.xhtml"


@dataclass(frozen=True, slots=True)
class ContentsEntry:
    """One entry of the table of contents: a section (not a link), an article, a subheading."""

    label: str
    href: str
    lang: str
    link: bool = True
    children: tuple[ContentsEntry, ...] = ()


def table_of_contents(
    collection: Collection, hrefs: list[str], documents: dict[str, Any]
) -> list[ContentsEntry]:
    """The table of contents: articles (grouped by section when the book has front matter),
    each with its subheadings, read from the documents as they go into the book."""
    groups = (
        section_groups(collection)
        if collection.front_matter
        else [(None, list(range(len(collection.articles))))]
    )
    entries: list[ContentsEntry] = []
    for section, indexes in groups:
        articles = [
            ContentsEntry(
                collection.articles[i].headline,
                hrefs[i],
                collection.articles[i].language,
                children=_subheadings(documents[hrefs[i]], hrefs[i], collection.articles[i]),
            )
            for i in indexes
        ]
        if section:
            # The section's name is in its articles' language (WCAG 3.1.2, language of parts).
            lang = collection.articles[indexes[0]].language
            entries.append(ContentsEntry(section, hrefs[indexes[0]], lang, False, tuple(articles)))
        else:
            entries.extend(articles)
    return entries


def _subheadings(root: Any, href: str, article: Article) -> tuple[ContentsEntry, ...]:
    return tuple(
        ContentsEntry(_text(h2), f"{href}#{h2.get('id')}", article.language)
        for h2 in root.iter(f"{{{XHTML_NS}}}h2")
        if "subhead" in (h2.get("class") or "").split() and h2.get("id")
    )


def _text(element: Any) -> str:
    # The subheading as read: soft hyphens and zero-width breaks (``breakable``) removed.
    return " ".join("".join(element.itertext()).replace("\u00ad", "").replace("\u200b", "").split())


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


def _nav_items(entries: tuple[ContentsEntry, ...] | list[ContentsEntry], book: str) -> list[str]:
    """The ``<li>`` of ``entries``, nested as they are."""
    lines: list[str] = []
    for entry in entries:
        marked = _lang(entry.lang, book)
        if entry.link:
            head = f"<a href={quoteattr(entry.href)}{marked}>{escape(entry.label)}</a>"
        else:
            head = f"<span{marked}>{escape(entry.label)}</span>"
        if not entry.children:
            lines.append(f"<li>{head}</li>")
            continue
        lines.append(f"<li>{head}\n<ol>")
        lines.extend(_nav_items(entry.children, book))
        lines.append("</ol>\n</li>")
    return lines


def nav_document(
    collection: Collection, contents: list[ContentsEntry], first: str, pages: list[str]
) -> str:
    """The navigation document: the contents, the landmarks and (with pages) the page list."""
    language = collection.language
    lang = quoteattr(language)
    label = contents_label(language)
    direction = ' dir="rtl"' if is_rtl(language) else ""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        "<!DOCTYPE html>",
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"'
        f" lang={lang} xml:lang={lang}{direction}>",
        f'<head>\n<meta charset="utf-8"/>\n<title>{escape(label)}</title>\n</head>',
        "<body>",
        f'<nav epub:type="toc" id="toc" role="doc-toc">\n<h1>{escape(label)}</h1>\n<ol>',
        *_nav_items(contents, language),
        "</ol>\n</nav>",
    ]
    # Body matter first: landmarks are unordered, and readers jump to the first one.
    landmarks = [
        ("bodymatter", first, collection.title),
        ("cover", COVER_HREF, words("cover", language)),
    ]
    if collection.front_matter:
        landmarks += [
            ("titlepage", TITLEPAGE_HREF, words("titlepage", language)),
            ("toc", TOC_HREF, label),
        ]
    lines.append(
        '<nav epub:type="landmarks" id="landmarks" hidden="">\n'
        f"<h2>{escape(words('landmarks', language))}</h2>\n<ol>"
    )
    lines.extend(
        f'<li><a epub:type="{kind}" href="{href}">{escape(title)}</a></li>'
        for kind, href, title in landmarks
    )
    lines.append("</ol>\n</nav>")
    if pages:
        lines.append(
            '<nav epub:type="page-list" id="page-list" hidden="">\n'
            f"<h2>{escape(words('pages', language))}</h2>\n<ol>"
        )
        lines.extend(
            f'<li><a href="{href}">{number}</a></li>' for number, href in enumerate(pages, start=1)
        )
        lines.append("</ol>\n</nav>")
    lines.append("</body>\n</html>\n")
    return "\n".join(lines)


def ncx_toc(contents: tuple[ContentsEntry, ...] | list[ContentsEntry]) -> list[Any]:
    """The NCX contents: an entry with children is a point holding them."""
    toc: list[Any] = []
    for entry in contents:
        if entry.children:
            toc.append((epub.Section(entry.label, entry.href), ncx_toc(entry.children)))
        else:
            name = entry.href.rpartition("#")[2].removesuffix(".xhtml")
            toc.append(epub.Link(entry.href, entry.label, f"toc-{name}"))
    return toc
