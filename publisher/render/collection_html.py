"""Collection + Theme -> the XHTML both editions share, with the same block ids in both.

The print edition is one document (``print_edition``): title page, contents,
then every article. The EPUB splits the same parts into documents (title page,
contents, one per article). Articles are rendered by ``html.render_xhtml``
with the theme's ``article.xhtml``/``body.xhtml``, exactly as single articles;
the title page, contents and frame come from the theme's ``titlepage.xhtml``,
``toc.xhtml`` and ``collection.xhtml``.

Block ids. Every block (paragraphs, headings, figures, list items, block
quotes, tables, preformatted text) gets an id made from its part, its first
class (else its tag) and a count: ``article-003-headline-1``,
``article-003-p-4``, ``toc-toc-entry-12``. An article's own ids get its prefix
(``article`` becomes ``article-003-article``) so that ids stay unique in the
print edition. Both editions run the same function over the same templates,
so an id names the same block in the PDF and in the EPUB: that is what the
EPUB's page list (``page_starts``, ``insert_page_markers``) relies on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from lxml import etree  # type: ignore[import-untyped,unused-ignore]
from markupsafe import Markup

from publisher.errors import ThemeError
from publisher.model import Collection
from publisher.render.html import iso_date, render_template
from publisher.render.labels import label
from publisher.themes import Theme

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
FRAME_TEMPLATE = "collection.xhtml"
TITLEPAGE_TEMPLATE = "titlepage.xhtml"
TOC_TEMPLATE = "toc.xhtml"
#: Elements that get a block id.
BLOCK_TAGS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "figure", "li", "blockquote", "pre", "table"}
)
#: Blocks whose insides are one unit: nothing in them gets its own block id.
_ATOMIC_TAGS = frozenset({"figure", "table", "pre"})
_NAME = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True, slots=True)
class TocEntry:
    """One article in the contents."""

    href: str
    headline: str
    lang: str


@dataclass(frozen=True, slots=True)
class PageMap:
    """Where the PDF's pages begin: the page each block id first appears on (1-based).

    ``within`` holds the pages that begin inside a block (a paragraph running on
    from the page before): page -> (block id, how many ``significant`` characters
    of the block's text lie on earlier pages).
    """

    first_page: Mapping[str, int]
    page_count: int
    within: Mapping[int, tuple[str, int]] = field(default_factory=dict)


#: Characters layout adds or that do not count as text when pages are matched: white
#: space, SOFT HYPHEN, ZERO WIDTH SPACE, WORD JOINER, BOM, and HYPHEN (hyphenation's).
_NOT_COUNTED = re.compile(r"[\s\u00ad\u200b\u2060\ufeff\u2010]")


def significant(text: str) -> int:
    """How many characters of ``text`` count when print and EPUB text are lined up.

    Print and EPUB render the same blocks but differ in what layout adds
    (hyphens, break hints, collapsed spaces); the rest lines up.

    >>> significant("coali\u2010"), significant(" a\u00adb  c\u200b")
    (5, 3)
    """
    return len(_NOT_COUNTED.sub("", text))


def article_id(index: int) -> str:
    """The id (and EPUB file stem) of the article at 0-based ``index``.

    >>> article_id(0), article_id(41)
    ('article-001', 'article-042')
    """
    return f"article-{index + 1:03d}"


def contents_label(language: str) -> str:
    """The contents heading in ``language``.

    >>> contents_label("fr-CA"), contents_label("xx")
    ('Sommaire', 'Contents')
    """
    return label("contents", language)


def section_groups(collection: Collection) -> list[tuple[str | None, list[int]]]:
    """Runs of consecutive articles with the same section, as (section, indexes).

    The collection is in reading order, so each section is one run.
    """
    groups: list[tuple[str | None, list[int]]] = []
    previous: object = object()
    for index, article in enumerate(collection.articles):
        section = article.metadata.section.strip() if article.metadata.section else None
        key = section.casefold() if section else None
        if key != previous or not groups:
            groups.append((section, []))
        groups[-1][1].append(index)
        previous = key
    return groups


def render_frame(
    collection: Collection,
    theme: Theme,
    *,
    title: str,
    content: str,
    body_class: str,
    body_type: str | None = None,
    created: str | None = None,
    stylesheets: Sequence[str] = (),
) -> str:
    """A whole XHTML document around ``content`` (XHTML made from the theme's templates)."""
    sections = dict.fromkeys(a.metadata.section for a in collection.articles if a.metadata.section)
    return render_template(
        theme,
        FRAME_TEMPLATE,
        {
            "collection": collection,
            "lang": collection.language,
            "title": title,
            "content": Markup(content),  # our own rendered templates, never user text
            "body_class": body_class,
            "body_type": body_type,
            "created": created,
            "keywords": list(sections),
            "stylesheets": tuple(stylesheets),
        },
    )


def render_titlepage(collection: Collection, theme: Theme, medium: Literal["epub", "print"]) -> str:
    """The title page fragment."""
    return render_template(
        theme,
        TITLEPAGE_TEMPLATE,
        {
            "collection": collection,
            "lang": collection.language,
            "medium": medium,
            "iso_date": iso_date(collection.date),
        },
    )


def render_toc(
    collection: Collection,
    theme: Theme,
    medium: Literal["epub", "print"],
    hrefs: Sequence[str],
) -> str:
    """The contents fragment; ``hrefs[i]`` is where the i-th article is."""
    groups = [
        (
            section,
            [
                TocEntry(hrefs[i], collection.articles[i].headline, collection.articles[i].language)
                for i in indexes
            ],
        )
        for section, indexes in section_groups(collection)
    ]
    return render_template(
        theme,
        TOC_TEMPLATE,
        {
            "collection": collection,
            "lang": collection.language,
            "medium": medium,
            "groups": groups,
            "contents_label": contents_label(collection.language),
        },
    )


def parse(xhtml: str) -> Any:
    """Parse a whole XHTML document made by a template; return its root element."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        return etree.fromstring(xhtml.encode("utf-8"), parser)
    except etree.XMLSyntaxError as error:
        raise ThemeError(
            f"A theme template made XHTML that is not well-formed: {error}.",
            "Fix the template in your theme folder or remove it to use the default.",
        ) from error


def serialise(root: Any) -> str:
    """A parsed document back to text, with its XML declaration and doctype."""
    text: bytes = etree.tostring(
        root.getroottree(), xml_declaration=True, encoding="utf-8", doctype="<!DOCTYPE html>"
    )
    return text.decode("utf-8") + "\n"


def body(root: Any) -> Any:
    """The ``<body>`` of a parsed document."""
    found = root.find(f"{{{XHTML_NS}}}body")
    if found is None:
        raise ThemeError("A theme template made a document without <body>.")
    return found


def identify_blocks(scope: Any, prefix: str, *, rename: bool) -> list[str]:
    """Give every block inside ``scope`` an id; return the blocks' ids in document order.

    With ``rename``, ids already there get ``prefix`` too (and links to them follow).

    >>> part = etree.fromstring('<div><h1 class="headline">T</h1><p>a</p><p id="x">b</p></div>')
    >>> identify_blocks(part, "article-001", rename=True)
    ['article-001-headline-1', 'article-001-p-1', 'article-001-x']
    """
    counts: dict[str, int] = {}
    renamed: dict[str, str] = {}
    found: list[str] = []
    for element in scope.iterdescendants():
        if not isinstance(element.tag, str):
            continue  # comments, processing instructions
        existing = element.get("id")
        if existing is not None and rename:
            renamed[existing] = f"{prefix}-{existing}"
            element.set("id", renamed[existing])
        if etree.QName(element).localname not in BLOCK_TAGS or _in_atomic(element, scope):
            continue
        if element.get("id") is None:
            classes = (element.get("class") or "").split()
            name = _NAME.sub("-", classes[0]) if classes else etree.QName(element).localname
            counts[name] = counts.get(name, 0) + 1
            element.set("id", f"{prefix}-{name}-{counts[name]}")
        found.append(element.get("id"))
    if renamed:
        for element in scope.iterdescendants():
            href = element.get("href") if isinstance(element.tag, str) else None
            if href and href.startswith("#") and href[1:] in renamed:
                element.set("href", f"#{renamed[href[1:]]}")
    return found


def identify_parts(scope: Any) -> list[str]:
    """Block ids for the title page and contents: each part of ``scope`` with an id is the prefix.

    Their templates give them their ids, so ``rename`` is off.
    """
    found: list[str] = []
    for part in scope:
        if isinstance(part.tag, str) and part.get("id"):
            found.extend(identify_blocks(part, part.get("id"), rename=False))
    return found


def _in_atomic(element: Any, scope: Any) -> bool:
    for ancestor in element.iterancestors():
        if ancestor is scope:
            return False
        if etree.QName(ancestor).localname in _ATOMIC_TAGS:
            return True
    return False


#: Where a page's marker goes: before the block with that id (offset 0), or inside it
#: after that many ``significant`` characters; (None, 0) is after the last block.
PageStart = tuple[str | None, int]


def page_starts(order: Sequence[str], page_map: PageMap) -> list[PageStart]:
    """For each page (index 0 is page 1), where its page-break marker goes.

    A page that begins inside a block (``page_map.within``) gets its marker at
    that point of the block's text, where the PDF's page really begins. Else a
    page begins at the first block (in ``order``, document order) that first
    appears on it. A page on which nothing begins (a blank left-hand page)
    shares the marker position of the next page that has one; (None, 0) means
    after the last block.

    >>> page_starts(["t", "a", "b", "c"], PageMap({"t": 1, "a": 3, "b": 3, "c": 4}, 5))
    [('t', 0), ('a', 0), ('a', 0), ('c', 0), (None, 0)]
    >>> page_starts(["a", "b"], PageMap({"a": 1, "b": 2}, 3, {2: ("a", 120)}))
    [('a', 0), ('a', 120), (None, 0)]
    """
    starts: dict[int, PageStart] = dict(page_map.within)
    for ident in order:
        page = page_map.first_page.get(ident)
        if page is not None and page not in starts:
            starts[page] = (ident, 0)
    result: list[PageStart] = [(None, 0)] * page_map.page_count
    following: PageStart = (None, 0)
    for number in range(page_map.page_count, 0, -1):
        following = starts.get(number, following)
        result[number - 1] = following
    return result


def page_marker(number: int) -> Any:
    """``<span epub:type="pagebreak" role="doc-pagebreak" id="page-N" aria-label="N"/>``."""
    return etree.Element(
        f"{{{XHTML_NS}}}span",
        {
            f"{{{EPUB_NS}}}type": "pagebreak",
            "role": "doc-pagebreak",
            "id": f"page-{number}",
            "aria-label": str(number),
        },
        nsmap={"epub": EPUB_NS},
    )


def insert_page_markers(root: Any, markers: Mapping[PageStart, Sequence[int]]) -> None:
    """Insert the page-break markers for pages ``markers[start]`` where ``start`` says.

    Before block ``id`` (offset 0; a list item gets its markers as its first
    content, since a list holds only items), inside it after ``offset``
    significant characters, or with the key (None, 0) at the end of the body.
    """
    elements = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    for (ident, offset), numbers in markers.items():
        spans = [page_marker(n) for n in numbers]
        target = elements.get(ident) if ident is not None else None
        if target is None:
            for span in spans:
                body(root).append(span)
        elif offset > 0:
            _insert_within(target, offset, spans)
        elif etree.QName(target).localname == "li":
            spans[-1].tail, target.text = target.text, None
            for position, span in enumerate(spans):
                target.insert(position, span)
        else:
            for span in spans:
                target.addprevious(span)


def _insert_within(target: Any, offset: int, spans: list[Any]) -> None:
    """Put ``spans`` into ``target``'s text after ``offset`` significant characters.

    The text is walked in document order (the element's text, each descendant's
    text and tail); the marker goes into the text node where the count is
    reached, after any white space there. Past the end, it goes last.
    """
    left = offset
    for node, attribute in _text_slots(target):
        text = getattr(node, attribute) or ""
        count = significant(text)
        if count < left:
            left -= count
            continue
        cut = 0
        while left > 0 or (cut < len(text) and text[cut].isspace()):
            left -= significant(text[cut])
            cut += 1
        before, after = text[:cut], text[cut:]
        setattr(node, attribute, before)
        spans[-1].tail = after
        if attribute == "text":
            for position, span in enumerate(spans):
                node.insert(position, span)
        else:
            for span in reversed(spans):
                node.addnext(span)
        return
    for span in spans:
        target.append(span)


def _text_slots(element: Any) -> list[tuple[Any, str]]:
    """(node, "text" or "tail") for every piece of text inside ``element``, in order."""
    slots = [(element, "text")]
    for child in element:
        if isinstance(child.tag, str):
            slots += _text_slots(child)
        slots.append((child, "tail"))
    return slots
