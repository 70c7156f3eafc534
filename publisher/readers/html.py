"""The web-page reader: a saved news page (``.html``, ``.htm``) to a raw article.

What it takes from the page:

- headline: the visible ``<h1>`` (else ``<h2>``) closest to the meta titles (JSON-LD
  ``headline``, ``og:title``, ``<title>``), its kicker left out, else those titles,
  the site's name cut off;
- authors: JSON-LD, trafilatura's reading, meta tags, ``itemprop``/``rel`` author,
  else a visible byline (``publisher.readers.htmlmeta``);
- date: ``article:published_time``, else the first ``<time datetime>``;
- language ``<html lang>``, publisher ``og:site_name``, source ``<link rel=canonical>``
  or ``og:url``, section ``article:section``;
- the lead photo: the first ``<figure>`` with an ``<img>``; its ``<figcaption>`` is
  the caption and an element whose class holds "credit" is the credit (a trailing
  "(AFP)" left in the caption is split off later by the normaliser);
- the body: the page's main text without navigation, ads, comments and footer,
  found by readability-lxml, as the document tree (``publisher.readers.htmltree``):
  paragraphs, subheadings, lists, quotes, tables, in-body figures with their
  captions (local images only), code, emphasis and links made absolute against
  the page's canonical URL.

Nothing is ever fetched. Remote images (``http:``, ``https:``, ``//``, ``data:``)
are left out with a warning; a local image inside the page's folder becomes
``metadata.image``. Scripts, styles and event handlers never reach the output:
only text is kept, and the body passes through nh3 before its text is taken.
"""

from __future__ import annotations

import codecs
import html
import re
from collections.abc import Sequence
from dataclasses import fields, is_dataclass, replace
from pathlib import Path
from typing import Any, TypeAlias
from urllib.parse import unquote, urlsplit

from publisher.errors import InputError
from publisher.model import Block as TreeBlock
from publisher.model import (
    Change,
    Heading,
    Link,
    Metadata,
    Paragraph,
    RawArticle,
    flatten,
    plain_text,
)
from publisher.readers.decode import Decoded, decode, looks_binary, text_codec
from publisher.readers.htmlbody import html_to_tree
from publisher.readers.htmlmeta import json_ld_headline, page_authors
from publisher.readers.htmltree import FLAT_DEPTH, parse_document, parse_fragment, xml_safe
from publisher.readers.values import check_date, check_language

#: lxml ships no type stubs; its elements are typed loosely here.
HtmlElement: TypeAlias = Any
#: A block of an article's text and its kind (one of ``model.BLOCK_KINDS``).
Block: TypeAlias = tuple[str, str]
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))

FILE_EXTENSIONS = (".html", ".htm")

#: Elements whose text is a paragraph of its own.
BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
        "caption",
    ]
)
#: Inline elements whose text is kept (their markup is not).
INLINE_TAGS = frozenset(
    [
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "cite",
        "code",
        "data",
        "del",
        "dfn",
        "em",
        "i",
        "ins",
        "kbd",
        "mark",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
        "var",
        "wbr",
        "br",
    ]
)
#: Elements whose content is never text of the article.
_SKIP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "object",
        "embed",
        "svg",
        "math",
        "canvas",
        "video",
        "audio",
        "button",
        "select",
        "textarea",
        "input",
        "head",
        "title",
        "meta",
        "link",
    ]
)
#: Page furniture removed before the body is looked for.
_FURNITURE = (
    "//script|//style|//noscript|//template|//iframe|//object|//embed|//form|//nav|//aside"
    "|//footer|//header[not(ancestor::article)]|//*[@role='navigation' or @role='banner'"
    " or @role='contentinfo' or @role='complementary']|//comment()"
)
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE
)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
#: What parts a page title: " | ", " - ", " » ", " « ", " :: ", " // "..., and in Chinese
#: and Japanese titles, which put no spaces around them, "_", "-", "|" between two
#: CJK characters ("…的城！-新华网", "…新台阶_科技_腾讯网"). Not a dash there: "——" is
#: Chinese punctuation inside headlines ("大湾区——新机遇").
_SEPARATORS = "|\u2013\u2014\u00b7\u2022\u00bb\u00ab:/-"
_CJK = "\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff01-\uff5e"
_TITLE_SEPARATOR = re.compile(
    rf"(\s+[{_SEPARATORS}]+(?:\s+[{_SEPARATORS}]+)*\s+|(?<=[{_CJK}])[_|\-]+(?=[{_CJK}]))"
)


def read(data: bytes, path: Path, encoding: str | None = None) -> RawArticle:
    """Read a saved web page from its bytes."""
    from lxml import etree  # type: ignore[import-untyped,unused-ignore]

    decoded = decode_page(data, encoding)
    text, removed = xml_safe(_XML_DECLARATION.sub("", decoded.text))
    if removed:
        what = f"{removed} control or non-characters"
        changes = (*decoded.changes, Change("remove-invisibles", "whole file", what, "removed"))
        decoded = replace(decoded, changes=changes)
    if not text.strip():
        raise InputError(
            f"{path} has no text, only whitespace.", "Give a web page with a headline and text."
        )
    try:
        doc, flattened = parse_document(text, str(path))
    except (etree.ParserError, ValueError) as exc:
        raise InputError(f"{path} cannot be read as a web page ({exc}).") from None
    warnings: list[str] = []
    # Ruby readings (furigana over kanji: <ruby>子<rt>こ</rt></ruby>) are not the text:
    # read inline they would run into it ("子こども"). The base text is kept.
    for reading in doc.xpath("//rt|//rp"):
        _drop_element(reading)
    if flattened:
        warnings.append(
            f"{flattened} elements nested more than {FLAT_DEPTH} deep were flattened (text kept)"
        )
    page_size = _visible_size(doc)
    scripts = _page_data(doc)
    paragraphs = _paragraphs(doc)
    found = _trafilatura(doc)
    metadata = _metadata(doc, path, warnings, found)
    headline = _headline(doc, found, metadata)
    caption, credit, image, lead_src = _lead_figure(doc, path, warnings)
    if image is not None:
        metadata = Metadata(image=image).merged_over(metadata)
    header = _remove_header_parts(doc, headline, metadata.authors)
    body = _body(doc, found, header, lead_src, path, metadata.source, warnings, page_size)
    first = body[0] if body else None
    if isinstance(first, Heading | Paragraph) and plain_text(first.content) == headline:
        body = body[1:]
    blocks = flatten(body)
    if not headline:
        raise InputError(
            f"{path} has no headline (no og:title, <h1> or <title>).",
            "Save the complete page, or give the article as plain text.",
        )
    if not blocks:
        raise InputError(
            f"{path} has a headline but no article text.",
            "Save the complete page, or give the article as plain text.",
        )
    furniture = looks_like_furniture(body, page_size) or looks_scripted(body, scripts, page_size)
    if not furniture and looks_partial(blocks, paragraphs, _GATHER):
        # The story is split over "text modules" and one was read: every paragraph in
        # a container like the ones read, in page order, is the article's.
        gathered = html_to_tree(gather(blocks, paragraphs), path, metadata.source, warnings)
        prose = sum(
            len(text) for place, text, _ in paragraphs if place in _places(blocks, paragraphs)
        )
        size = sum(len(text) for text, _ in flatten(gathered))
        # More than the body, and not much more than the containers' paragraphs: a
        # container that is the whole page (its menus and teasers too) is no module.
        if size > sum(len(text) for text, _ in blocks) and size <= 1.6 * prose:
            warnings.append(
                f"the article's text is split over several blocks of the page; "
                f"{len(flatten(gathered))} paragraphs were gathered from them in page order"
                " (headings and pictures between them are left out)"
            )
            body, blocks = gathered, flatten(gathered)
    furniture = furniture or looks_partial(blocks, paragraphs)
    if furniture:
        warnings.append(f"{JUNK_WARNING} ({furniture})")
    return RawArticle(
        source=path,
        headline=headline,
        caption=caption,
        paragraphs=tuple(text for text, _ in blocks),
        metadata=metadata,
        encoding=decoded.encoding,
        changes=decoded.changes,
        credit=credit,
        warnings=tuple(dict.fromkeys(warnings)),
        kinds=tuple(kind for _, kind in blocks),
        body=body,
    )


#: The start of the warning for a body that looks like page furniture
#: (``--strict`` makes it an error: ``publisher.readers.read_article``).
JUNK_WARNING = "the text read looks like page furniture, not an article"
#: A body under this share of the page's text, and under ``_SHORT`` characters, is suspect.
_SHARE = 0.1
_SHORT = 500
#: A body whose text is mostly link text is a menu or a list of other articles.
_LINKS = 0.5


def looks_like_furniture(body: tuple[TreeBlock, ...], page_size: int) -> str | None:
    """Why ``body`` looks like page furniture rather than an article, or None.

    Sizes are characters other than white space (words are no unit in Chinese
    or Japanese). Too short against the page's text, or mostly links.

    >>> from publisher.model import Link, Paragraph, Text
    >>> looks_like_furniture((Paragraph((Link((Text("Home"),), "/"), Text(" News"))),), 20)
    '50% of it is link text'
    >>> looks_like_furniture((Paragraph((Text("© 2024 Example Media"),)),), 5000)
    "17 characters of the page's 5000"
    """
    size = _size(_plain(body))
    if not size:
        return None
    links = sum(_size(plain_text(link.content)) for link in _links(body))
    if links >= _LINKS * size:
        return f"{round(100 * links / size)}% of it is link text"
    if size < _SHORT and size < _SHARE * page_size:
        return f"{size} characters of the page's {page_size}"
    return None


#: A short body on a page whose scripts hold this many times its shown text in prose:
#: the page is built by JavaScript. On the three suites the pages over 5 are the ones
#: read from a "browser outdated" notice or a lone caption; the next below is at 0.85.
_SCRIPTED = 5
#: Prose in a script: six or more words in a row (code has no such runs, string data does).
#: Started only at a word's start and possessive, so it is linear: without both, a long
#: run of letters (5 MB of "aaaa" in a hostile page's script) took time quadratic in it.
_SCRIPT_PROSE = re.compile(r"(?<![^\W\d_])[^\W\d_]{2,}+(?:[ ,]++[^\W\d_]{2,}+){5,}")


def _page_data(doc: HtmlElement) -> list[str]:
    """The page's data for its scripts: their text, and long ``data-*`` attributes
    (React on Rails' ``data-react-props``, Inertia's ``data-page`` hold the story as JSON)."""
    found = [script.text_content() for script in doc.iter("script")]
    for element in doc.xpath("//*[@*[starts-with(name(), 'data-') and string-length() > 200]]"):
        found += [v for k, v in element.attrib.items() if k.startswith("data-") and len(v) > 200]
    return found


def looks_scripted(body: tuple[TreeBlock, ...], scripts: list[str], page_size: int) -> str | None:
    """Why a short ``body`` is likely not the article of a page built by JavaScript, or None.

    Such a page, saved before its scripts ran, shows a notice or a caption; its story
    sits in the scripts' data (``__NEXT_DATA__``, Apollo state, ``data-react-props``),
    which is no markup to read.

    >>> from publisher.model import Paragraph, Text
    >>> notice = (Paragraph((Text("Your browser is out of date."),)),)
    >>> data = ['{"body": "' + "The council met on Monday to vote on the plan. " * 20 + '"}']
    >>> looks_scripted(notice, data, 60).split(",")[0]
    '23 characters shown'
    >>> looks_scripted(notice, ["var a = b(c, d);"], 60) is None
    True
    """
    size = _size(_plain(body))
    if not size or size >= _SHORT:
        return None
    prose = sum(_size(run) for script in scripts for run in _SCRIPT_PROSE.findall(script))
    if prose < _SCRIPTED * max(page_size, 1):
        return None
    return (
        f"{size} characters shown, while the data for the page's scripts holds {prose}"
        " characters of text: the page is built by JavaScript; save it from the browser"
        " after it has loaded"
    )


#: A body is partial when paragraphs like its own, left out, hold this share of their text.
_LEFT_OUT = 0.7
#: Left out paragraphs in containers like the body's holding this share or more of their text
#: are gathered (a story over "text modules"); from 0.25 to 0.4 it made no difference on the
#: suites (two scrapinghub pages read whole, none worse), 0.55 loses one of those two.
_GATHER = 0.4
#: Paragraphs shorter than this (characters) are not counted: captions, teasers, notes.
_PARAGRAPH = 100


def _paragraphs(doc: HtmlElement) -> list[PageParagraph]:
    """The page's prose paragraphs: each ``<p>``'s place (the ``<article>`` it is in, its
    parent's and grandparent's tag and class), text (scripts left out) and the markup
    of its container's prose (``_PROSE_PARTS``; given with the container's first
    paragraph, else ""), before
    anything is removed. A page listing several articles, each its own ``<article>``,
    so never has one article's paragraphs taken for another's."""
    from lxml import etree  # type: ignore[import-untyped,unused-ignore]

    tree = doc.getroottree()
    found = []
    containers: set[Any] = set()
    for p in doc.iter("p"):
        text = " ".join(
            "".join(p.xpath(".//text()[not(ancestor::script or ancestor::style)]")).split()
        )
        if len(text) >= _PARAGRAPH:
            article = next((tree.getpath(a) for a in p.iterancestors("article")), "")
            around = tuple(f"{e.tag}.{e.get('class') or ''}" for e in list(p.iterancestors())[:2])
            parent = p.getparent()
            markup = ""
            if parent not in containers:
                containers.add(parent)
                markup = "".join(
                    etree.tostring(e, encoding="unicode", method="html", with_tail=False)
                    for e in parent.xpath(_PROSE_PARTS)
                )
            found.append(((article, *around), text, markup))
    return found


#: The prose of a container: its paragraphs, subheads, lists and quotes (not its widgets).
_PROSE_PARTS = (
    "./*[self::p or self::h2 or self::h3 or self::h4 or self::ul or self::ol or self::blockquote]"
)
#: A page's prose paragraph: its place (``_paragraphs``), text and markup.
PageParagraph: TypeAlias = tuple[tuple[str, ...], str, str]


def looks_partial(
    blocks: Sequence[tuple[str, str]], paragraphs: list[PageParagraph], share: float = _LEFT_OUT
) -> str | None:
    """Why the body looks like only part of the article, or None.

    The article's paragraphs sit in the same kind of container (an article
    split over several "text modules", say): when those left out of the body
    hold most of their text (``_LEFT_OUT``), the body read is a fragment. Other
    text of the page (teasers, comments, footers) sits elsewhere and does not
    count, so a short story on a busy page is not suspect.
    """
    places = _places(blocks, paragraphs)
    body = " ".join(" ".join(text.split()) for text, _ in blocks)
    left_out = sum(
        len(text) for place, text, _ in paragraphs if place in places and text not in body
    )
    if left_out and left_out >= share * (left_out + len(body)):
        return (
            f"{left_out} more characters in paragraphs like its own were not read; "
            "only part of the article may be here"
        )
    return None


def gather(blocks: Sequence[tuple[str, str]], paragraphs: list[PageParagraph]) -> str:
    """Every container like those of the paragraphs read (as markup), in page order."""
    places = _places(blocks, paragraphs)
    return (
        "<div>" + "".join(markup for place, _, markup in paragraphs if place in places) + "</div>"
    )


def _places(
    blocks: Sequence[tuple[str, str]], paragraphs: list[PageParagraph]
) -> set[tuple[str, ...]]:
    """The places (``_paragraphs``) of the page's paragraphs that are in the body read."""
    body = " ".join(" ".join(text.split()) for text, _ in blocks)
    return {place for place, text, _ in paragraphs if text in body}


def _plain(body: tuple[TreeBlock, ...]) -> str:
    """A body's text, its blocks joined by spaces."""
    return " ".join(text for text, _ in flatten(body))


def _size(text: str) -> int:
    return sum(not c.isspace() for c in text)


def _links(node: object) -> list[Link]:
    """Every link in a tree (any frozen model value, walked by its fields)."""
    if isinstance(node, Link):
        return [node]
    if isinstance(node, tuple):
        return [link for child in node for link in _links(child)]
    if is_dataclass(node):
        return [link for f in fields(node) for link in _links(getattr(node, f.name))]
    return []


def _visible_size(doc: HtmlElement) -> int:
    """Characters of text a reader of the page sees (not scripts, styles, the head)."""
    hidden = "script|style|noscript|template|head|title"
    texts = doc.xpath(
        f"//body//text()[not(ancestor::*[self::{hidden.replace('|', ' or self::')}])]"
    )
    return sum(_size(str(text)) for text in texts)


def decode_page(data: bytes, encoding: str | None = None) -> Decoded:
    """Decode a page: forced encoding, else BOM, else ``<meta charset>``, else UTF-8.

    UTF-8 (the default) goes through :func:`publisher.readers.decode.decode`, so
    stray legacy bytes are repaired and logged. A ``<meta charset>`` naming a
    Latin encoding is honoured the way browsers do (ISO-8859-1 means cp1252).

    >>> decode_page(b'<meta charset="windows-1252"><p>caf\\xe9').text[-4:]
    'café'
    >>> decode_page(b'<meta charset="utf-8"><p>\\xa34').text[-2:]
    '£4'
    """
    if encoding is not None or looks_binary(data) is not None:
        return decode(data, encoding)
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode(data)
    match = _META_CHARSET.search(data[:4096])
    if match is not None:
        # A label that is not a document encoding (rot13, base64, punycode...) is
        # ignored, as browsers ignore labels they do not know.
        name = text_codec(match.group(1).decode("ascii")) or "utf-8"
        if name in ("latin-1", "iso8859-1", "ascii"):
            name = "cp1252"  # the WHATWG encoding standard's reading of these labels
        if name not in ("utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32"):
            try:
                return Decoded(data.decode(name), name)
            except UnicodeError:
                pass  # the label is wrong: fall back to UTF-8 with repairs
    return decode(data)


def html_to_blocks(fragment: str) -> list[Block]:
    """Sanitise an HTML fragment with nh3 and return its blocks as (text, kind).

    Only structural and inline tags survive, with no attributes at all; the
    contents of ``<script>`` and ``<style>`` are dropped, never shown.

    >>> html_to_blocks('<div onclick="x"><p>One <b>bold</b></p><script>alert(1)</script>'
    ...                '<ul><li>Two</li></ul></div>')
    [('One bold', 'p'), ('• Two', 'bullet')]
    """
    import nh3

    cleaned = nh3.clean(
        fragment,
        tags=set(BLOCK_TAGS | INLINE_TAGS) - {"body", "form"},
        attributes={"ol": {"start"}},
        url_schemes=set(),
        link_rel=None,
    )
    if not cleaned.strip():
        return []
    return block_texts(parse_fragment(cleaned, "the HTML"))


def html_to_text(fragment: str) -> str:
    """The text of an inline HTML fragment, sanitised by nh3 (tags removed, text kept).

    >>> html_to_text('a <span onmouseover="x">b</span> <script>alert(1)</script>&amp; c')
    'a b & c'
    """
    import nh3

    text = html.unescape(nh3.clean(fragment, tags=set(), attributes={}))
    return re.sub(r"  +", " ", text)


def dropped_markup(fragment: str) -> list[str]:
    """Warnings for the active or embedded content an HTML fragment holds.

    >>> dropped_markup("<p>x</p><script>alert(1)</script><img src=x onerror=alert(2)>")
    ['a <script> element was dropped (its code is never shown or run)', \
'an <img> in the HTML was left out (only the lead photo is used)']
    """
    found = []
    lowered = fragment.lower()
    for tag in ("script", "style", "iframe", "object", "embed"):
        if re.search(rf"<{tag}\b", lowered):
            kind = "code is never shown or run" if tag == "script" else "content is not used"
            found.append(f"a <{tag}> element was dropped (its {kind})")
    if re.search(r"<img\b", lowered):
        found.append("an <img> in the HTML was left out (only the lead photo is used)")
    return found


def block_texts(root: HtmlElement) -> list[Block]:
    """One (text, kind) per block of text under ``root``, markup removed, text kept.

    The kind (``model.BLOCK_KINDS``) is "subhead" for ``<h1>``-``<h6>``,
    "bullet" or "number" for list items, "quote" inside ``<blockquote>``, "p"
    otherwise. List items start with "• " (or "3. " in a numbered list), so the
    text reads right on its own; a nested list's items are items of their own,
    and an item's later paragraphs are plain paragraphs after it.
    HTML whitespace runs are one space, as a browser shows them; ``<pre>``
    keeps its lines.

    >>> from lxml import html
    >>> block_texts(html.fromstring("<div><ol><li><p>One</p><p>more</p></li></ol>"
    ...                             "<blockquote>Said.</blockquote><h3>Next</h3></div>"))
    [('1. One', 'number'), ('more', 'p'), ('Said.', 'quote'), ('Next', 'subhead')]
    """
    blocks: list[Block] = []
    buffer: list[str] = []
    marker: list[str] = []  # a list item's marker, waiting for the item's first text
    around: list[str] = []  # the kind around each open list item, innermost last

    def flush(kind: str) -> None:
        text = "".join(buffer).strip(" \t\n\r\f")
        buffer.clear()
        if not text:
            return
        if marker:
            text = marker.pop() + text
        elif kind in ("bullet", "number"):
            kind = around[-1]  # an item's later paragraphs are plain text after the list
        blocks.append((text, kind))

    def add(text: str | None, pre: bool) -> None:
        if text:
            buffer.append(text if pre else _HTML_SPACE.sub(" ", text))

    def walk(element: HtmlElement, pre: bool, outer: str) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        tag = tag.lower()
        if not tag or tag in _SKIP_TAGS:
            return
        pre = pre or tag == "pre"
        block = tag in BLOCK_TAGS
        kind = _block_kind(element, tag, outer) if block else outer
        if block:
            flush(outer)
            if tag == "li":
                marker[:] = [_list_marker(element)]
                around.append(outer if outer not in ("bullet", "number") else around[-1])
        elif tag == "br":
            buffer.append("\n" if pre else " ")
        add(element.text, pre)
        for child in element:
            walk(child, pre, kind)
            add(child.tail, pre)
        if block:
            flush(kind)
            if tag == "li":
                marker.clear()  # an item without text has no block
                around.pop()

    walk(root, False, "p")
    flush("p")
    return blocks


def _block_kind(element: HtmlElement, tag: str, outer: str) -> str:
    if tag == "li":
        return "bullet" if _list_marker(element).startswith("•") else "number"
    if tag in _HEADINGS:
        return "subhead"
    if tag == "blockquote":
        return "quote"
    return outer


def _list_marker(item: HtmlElement) -> str:
    parent = item.getparent()
    if parent is None or str(parent.tag).lower() != "ol":
        return "• "
    try:
        start = int(parent.get("start", "1"))
    except ValueError:
        start = 1
    items = [child for child in parent if str(child.tag).lower() == "li"]
    return f"{start + items.index(item)}. "


def _text(element: HtmlElement) -> str:
    if not len(element):
        return _inline(element.text_content())
    return " ".join(text for text, _ in block_texts(element))


def _inline(text: str | None) -> str:
    return _HTML_SPACE.sub(" ", text or "").strip(" \t\n\r\f")


def _meta(doc: HtmlElement, *names: str) -> str | None:
    for name in names:
        for element in doc.xpath(
            "//meta[@property=$n or @name=$n or @itemprop=$n][@content]", n=name
        ):
            value = _inline(element.get("content"))
            if value:
                return value
    return None


def _headline(doc: HtmlElement, found: Any, metadata: Metadata) -> str:
    """The article's own headline, as the page shows it, without the site's name.

    The page's visible ``<h1>`` (else ``<h2>``) that is not the site's name and is
    closest to a title the page gives in its metadata (JSON-LD ``headline``,
    ``itemprop="headline"``, ``og:title``, ``<title>``): meta titles are often a
    search-engine variant of the headline, so an ``<h1>`` half of whose words are
    in them will do; an ``<h2>`` must share half the words of one of them (it is
    often a sidebar's); failing both, the page's only ``<h1>`` of four words or more.
    Else those titles, else trafilatura's. Hidden headings (screen reader only)
    and headings that only link to the site's home page (its logo) are the site's
    name, never the headline, and that name is cut from the titles too.
    """
    sites = [metadata.publisher, _site_name(found), _host(metadata.source), *_logo_headings(doc)]
    known = [site for site in sites if site]
    hints = [
        json_ld_headline(doc),
        next((t for t in map(_text, doc.xpath("//*[@itemprop='headline']")) if t), ""),
        _meta(doc, "og:title", "twitter:title") or "",
        next((t for t in map(_text, doc.iter("title")) if t), ""),
    ]
    hints = [strip_site_name(_inline(hint), known) for hint in hints]
    hint_words = set(words for hint in hints for words in _words(hint))

    def shared(text: str) -> float:
        return len(_words(text) & hint_words) / max(len(_words(text)), 1)

    def closeness(text: str) -> float:
        mine = _words(text)
        return max((_jaccard(mine, _words(hint)) for hint in hints if hint), default=0.0)

    sole = ""
    for tag in ("h1", "h2"):
        headings = {
            t: element
            for element in doc.xpath(f"//{tag}[not({_HIDDEN})]")
            for t in [heading_text(element)]
            # a heading that ends in a colon is a kicker or a fragment, never a headline
            if re.search(r"\w", t) and not _is_site(t, known) and not t.endswith(":")
        }
        best = max(headings, key=closeness, default="")
        if not best:
            continue
        best = _without_lead(headings[best], best, hints)
        if (tag == "h1" and (shared(best) >= 0.5 or not hint_words)) or closeness(best) >= 0.5:
            return strip_site_name(best, known)
        if tag == "h1" and len(headings) == 1 and len(best.split()) >= 4:
            sole = best
    # A page's only <h1> is its headline even when the titles word it otherwise
    # (trafilatura's rule too), unless an <h2> is the titles' headline or it is as
    # short as a site's name ("The Daily Courier", a logo in text).
    if sole:
        return strip_site_name(sole, known)
    title = next((hint for hint in hints if hint), "")
    if not title:
        title = _inline(getattr(found, "title", None))
    if not title:
        title = next((t for t in map(_text, doc.iter("h1")) if t), "")
    return strip_site_name(title, known)


#: Elements whose end is a break between a heading's words.
_BREAKS = frozenset(("br", "div", "p", "li"))
#: Elements in a heading whose text is not its words.
_UNREAD = frozenset(("style", "script"))
#: Elements in a heading that hold no words of it.
_NOT_TEXT = _UNREAD | {"br", "img", "svg", "picture"}


def _without_lead(heading: HtmlElement, text: str, hints: list[str]) -> str:
    """``text`` without its first element's words when the page's titles leave them out.

    A kicker by its place, whatever its class: ``<h1><span>Tunesien</span> Große
    Aufgaben für die neue Regierung</h1>`` under the title "Große Aufgaben für die
    neue Regierung". Kept when the titles have it ("Brexit: …") or none is given.

    >>> from lxml import html
    >>> h1 = html.fromstring("<h1><span>Tunesien</span> Große Aufgaben</h1>")
    >>> _without_lead(h1, "Tunesien Große Aufgaben", ["Große Aufgaben | HSS"])
    'Große Aufgaben'
    >>> _without_lead(h1, "Tunesien Große Aufgaben", ["Tunesien: Große Aufgaben"])
    'Tunesien Große Aufgaben'
    """
    if not any(hints):
        return text
    while True:  # into a wrapper: <h1><span itemprop="headline"><small>…</small>…</span></h1>
        children = [c for c in heading if isinstance(c.tag, str) and c.tag not in _NOT_TEXT]
        if not children or (heading.text or "").strip():
            return text
        if len(children) > 1 or heading_text(children[0]) != text:
            break
        heading = children[0]
    lead = heading_text(children[0])
    if not lead or lead == text or not text.startswith(lead):
        return text
    rest = text[len(lead) :].strip(" :|-–—\xa0")

    def phrase(value: str) -> str:
        return " ".join(re.findall(r"\w+", value.casefold()))

    # not the heading itself, when it is also the page's itemprop headline
    titles = [phrase(hint) for hint in hints if hint and phrase(hint) != phrase(text)]
    rest_words, title_words = _words(rest), {w for t in titles for w in t.split()}
    if len(rest_words) < 2 or len(rest_words & title_words) < 0.5 * len(rest_words):
        return text
    if any(phrase(lead) in title for title in titles):
        return text
    return rest


def _logo_headings(doc: HtmlElement) -> list[str]:
    """Headings that are only a link to the site's home page, or a host name: the site's name.

    >>> from lxml import html
    >>> _logo_headings(html.fromstring('<div><h1><a href="https://ex.org/">Four Years</a></h1>'
    ...     '<h2><a href="/2019/05/post">Post</a></h2></div>'))
    ['Four Years']
    """
    names = []
    for heading in doc.xpath(f"//h1[not({_HIDDEN})]|//h2[not({_HIDDEN})]"):
        links = heading.xpath(".//a[@href]")
        text = _text(heading)
        if len(links) != 1 or not text or _text(links[0]) != text:
            continue
        href = links[0].get("href").strip()
        link = urlsplit(href)
        # href="" is the page itself (a headline linking to its own story), not the home page
        home = bool(href) and link.path in ("", "/") and not link.query and not link.fragment
        if home or "home" in (links[0].get("rel") or "").split():
            names.append(text)
    for heading in doc.xpath(f"//h1[not({_HIDDEN})]"):
        text = _text(heading)
        if re.fullmatch(r"[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", text):
            names.append(text)
    return names


#: An element a reader of the page does not see (its own or an ancestor's class or style).
_HIDDEN = (
    "ancestor-or-self::*[@hidden or @aria-hidden='true'"
    " or contains(translate(@style, 'DISPLAYNONE ', 'displaynone'), 'display:none')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' element-invisible ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' screen-reader-text ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' sr-only ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' visually-hidden ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' visuallyhidden ')]"
)


#: A kicker (the line over a headline: "Immobilienkrise", "Auftragshoch bei FACC:").
_KICKER = re.compile(
    r"roof|top-?line|kicker|overline|over-title|dachzeile|eyebrow|super-?title|sub-?title|colon"
)


def heading_text(heading: HtmlElement) -> str:
    """A heading's text without its kicker (a child element named so by its class).

    >>> from lxml import html
    >>> heading_text(html.fromstring('<h1><span class="roofline">Crisis</span> Firm fails</h1>'))
    'Firm fails'
    """
    kept = _heading_parts(heading)
    # a screen reader's separator after a kicker left out ("<span class=sr-only>: </span>")
    text = _inline("".join(kept)).lstrip(" :|-–—·•/\xa0")
    return text or _text(heading)


def _heading_parts(element: HtmlElement) -> list[str]:
    """The texts of a heading in order: kickers (by class), styles and scripts left
    out, a line break or a block a space ("Open Progress<br>Why…")."""
    parts = [element.text or ""]
    for child in element:
        kicker = _KICKER.search(str(child.get("class") or ""))
        if isinstance(child.tag, str) and child.tag not in _UNREAD and not kicker:
            space = " " if child.tag in _BREAKS else ""
            parts += [space, *_heading_parts(child), space]
        parts.append(child.tail or "")
    return parts


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def _is_site(text: str, sites: list[str]) -> bool:
    letters = _letters(text)
    return bool(letters) and any(letters == _letters(site) for site in sites)


def strip_site_name(title: str, sites: list[str]) -> str:
    """``title`` without a site's name before or after it (``… | Site``, ``Site - …``).

    A part is the site's when it is one of ``sites`` (letters and digits
    compared, so ``BBC News`` matches ``bbc.co.uk``'s ``bbc``); a last part after
    `` | `` is taken for a site's name even when no site is known.

    >>> strip_site_name("Quake hits coast - BBC News", ["BBC News"])
    'Quake hits coast'
    >>> strip_site_name("Live | Quake hits coast | Eleanor Roy", [])
    'Live | Quake hits coast'
    >>> strip_site_name("Brexit: what next?", ["BBC"])
    'Brexit: what next?'
    >>> strip_site_name("Rain at last : Town Blog | Notes from a town | Since 2005", ["Town Blog"])
    'Rain at last'
    >>> strip_site_name("武汉的声音：有英勇的你，才有英雄的城！-新华网", [])
    '武汉的声音：有英勇的你，才有英雄的城！'
    >>> strip_site_name("大湾区——新机遇", [])
    '大湾区——新机遇'
    >>> strip_site_name("악녀의 덫에 걸린 이유리 - Entermedia", [])
    '악녀의 덫에 걸린 이유리'
    """
    parts = _TITLE_SEPARATOR.split(title)
    if len(parts) < 3:
        return title
    known = {_letters(site) for site in sites} - {""}

    def is_site(part: str) -> bool:
        letters = _letters(part)
        return bool(letters) and any(
            letters == site or (len(site) > 3 and (site in letters or letters in site))
            for site in known
        )

    middle = [i for i in range(2, len(parts) - 1, 2) if _letters(parts[i]) in known]
    if middle:  # "Headline : Site | Tagline | Year": what comes before the site's name
        del parts[middle[0] - 1 :]
    while len(parts) >= 3 and is_site(parts[-1]):
        del parts[-2:]
    while len(parts) >= 3 and is_site(parts[0]):
        del parts[:2]
    if len(parts) >= 3 and parts[-2].strip() == "|" and len(parts[-1].split()) <= 4:
        del parts[-2:]
    if len(parts) >= 3 and len(parts[-1].split()) <= 2 and _latin_beside(parts[-1], parts[:-2]):
        del parts[-2:]  # "… - Entermedia" after a Korean headline: a site's name in Latin
    while len(parts) >= 3 and parts[-2] == parts[-2].strip() and len(parts[-1]) <= 6:
        del parts[-2:]  # a CJK site's name or section ("_科技_腾讯网"), no spaces around
    return "".join(parts).strip()


def _latin_beside(part: str, before: list[str]) -> bool:
    """Whether ``part`` is all Latin letters and the text before it has none."""
    letters = [c for c in part if c.isalpha()]
    rest = [c for c in "".join(before) if c.isalpha()]
    return (
        bool(letters and rest)
        and all(_is_latin(c) for c in letters)
        and not any(_is_latin(c) for c in rest)
    )


def _is_latin(char: str) -> bool:
    return char < "\u0250" or "\u1e00" <= char <= "\u1eff"


def _letters(text: str) -> str:
    host = text.casefold().removeprefix("www.")
    if re.fullmatch(r"[\w.-]+\.[a-z]{2,}", host):
        host = host.split(".")[0]  # a host name: its first label (bbc.co.uk -> bbc)
    return "".join(c for c in host if c.isalnum())


def _host(url: str | None) -> str | None:
    return urlsplit(url).hostname if url else None


def _metadata(doc: HtmlElement, path: Path, warnings: list[str], found: Any) -> Metadata:
    """The page's metadata: its own meta tags first, then trafilatura's reading.

    trafilatura reads schema.org JSON-LD, Open Graph, ``article:*`` and Dublin
    Core meta, visible bylines and (through htmldate) dates in the page.
    """
    date = _meta(doc, "article:published_time", "datePublished", "date")
    if date is None:
        date = next((t.get("datetime") for t in doc.iter("time") if t.get("datetime")), None)
    if date is None:
        date = getattr(found, "date", None) or None
    if date is not None:
        try:
            date = check_date(date, str(path))
        except InputError:
            warnings.append(f"the page's date '{date}' is not an ISO date; it was left out")
            date = None
    language = _inline(doc.get("lang") or doc.get("xml:lang"))
    if language:
        try:
            language = check_language(language, str(path))
        except InputError:
            warnings.append(f"the page's language '{language}' is not a language tag")
            language = ""
    canonical = next(
        (link.get("href") for link in doc.xpath("//link[@rel='canonical'][@href]")), None
    )
    publisher = _meta(doc, "og:site_name", "publisher") or _site_name(found)
    source = _meta(doc, "og:url") or canonical
    sites = [site for site in (publisher, _host(source)) if site]
    return Metadata(
        authors=page_authors(doc, getattr(found, "author", None), sites, _title_sites(doc)),
        date=date,
        publisher=publisher,
        source=source,
        section=_meta(doc, "article:section"),
        language=language or None,
        rights=_meta(doc, "copyright", "dcterms.rights"),
    )


def _title_sites(doc: HtmlElement) -> list[str]:
    """The parts of the page's ``<title>`` around its longest (the site's name and sections).

    >>> from lxml import html
    >>> _title_sites(html.fromstring("<title>EFC Bembel - Eintracht stellt Weichen - News</title>"))
    ['EFC Bembel', 'News']
    """
    title = next((t for t in map(_text, doc.iter("title")) if t), "")
    parts = _TITLE_SEPARATOR.split(title)[::2]
    if len(parts) < 2:
        return []
    longest = max(parts, key=len)
    return [part.strip() for part in parts if part is not longest and part.strip()]


def _site_name(found: Any) -> str | None:
    """trafilatura's site name, unless it is a sentence (it guesses it from the title)."""
    name = _inline(getattr(found, "sitename", None))
    if not name or len(name.split()) > 5 or name.endswith(("?", ".", "!")):
        return None
    return name


def _has_class(word: str) -> str:
    return f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {word} ')]"


def _lead_figure(
    doc: HtmlElement, path: Path, warnings: list[str]
) -> tuple[str | None, str | None, str | None, str | None]:
    """The caption, credit, local image path and ``src`` of the page's first figure with a photo."""
    figure = next(
        (
            f
            for f in doc.xpath("//figure[.//img]")
            if not f.xpath("ancestor::nav|ancestor::aside|ancestor::footer")
        ),
        None,
    )
    if figure is None:
        return None, None, None, None
    credit = None
    for element in figure.xpath(".//*[contains(translate(@class, 'CREDIT', 'credit'), 'credit')]"):
        credit = credit or _text(element) or None
        element.drop_tree()
    captions = figure.xpath(".//figcaption")
    caption = " ".join(_text(c) for c in captions).strip() or None
    img = figure.xpath(".//img")[0]
    image = local_image(img.get("src") or "", path, warnings)
    if caption is None:
        caption = _inline(img.get("alt")) or None
    figure.drop_tree()
    return caption, credit, image, img.get("src")


def local_image(src: str, path: Path, warnings: list[str]) -> str | None:
    """``src`` as a path relative to the input's folder, or None (with a warning).

    Nothing is fetched: remote and embedded images are left out.
    """
    src = src.strip()
    shown = src if len(src) <= 60 else src[:57] + "..."
    parts = urlsplit(src)
    if not src:
        return None
    if parts.scheme == "data":
        warnings.append("an embedded data: image was left out (publisher never uses them)")
        return None
    if parts.scheme or parts.netloc or src.startswith("//"):
        warnings.append(f"the remote image {shown} was left out (nothing is downloaded)")
        return None
    relative = unquote(parts.path)
    folder = path.parent.resolve()
    candidate = (folder / relative).resolve()
    if not candidate.is_relative_to(folder):
        warnings.append(f"the image {shown} is outside the page's folder; it was left out")
        return None
    if not candidate.is_file():
        warnings.append(f"the image {shown} was not found next to the page; it was left out")
        return None
    return candidate.relative_to(folder).as_posix()


def _remove_header_parts(doc: HtmlElement, headline: str, authors: tuple[str, ...]) -> set[str]:
    """Remove the headline's ``<h1>`` and the byline, so they are not body text.

    The byline: elements of class ``byline``, and an ``<address>`` naming an author.
    Returns their texts (and the headline's), which are not body text either.
    """
    h1 = [h for h in doc.iter("h1") if headline in (_text(h), heading_text(h))][:1]
    addresses = [a for a in doc.iter("address") if any(name in _text(a) for name in authors)]
    removed = {headline}
    for element in h1 + addresses + doc.xpath(_has_class("byline")):
        removed.add(_key(element))
        element.drop_tree()
    return removed


def _body(
    doc: HtmlElement,
    found: Any,
    header: set[str],
    lead_src: str | None,
    path: Path,
    base_url: str | None,
    warnings: list[str],
    page_size: int,
) -> tuple[TreeBlock, ...]:
    """The article's document tree, without the page's navigation, ads and comments.

    trafilatura found the body (``found``) in the page as saved: on public
    extraction test suites it reads more of the article and less furniture than
    readability-lxml (figures in the README). Its output loses figure captions,
    so each image it kept is given back its ``<figure>`` from the page. When it
    finds nothing, or its text is mostly no block of the page, readability-lxml
    (then the page's whole body) is tried, and kept unless it looks like furniture.
    ``doc`` is the page without its headline, byline and lead figure; ``header``
    the texts of the headline and byline.
    """
    extracted, trusted = _extracted(found, doc, header, lead_src)
    body = html_to_tree(extracted, path, base_url, warnings)
    if flatten(body) and trusted:
        return body
    text = _plain(body)
    linked = sum(_size(t) for t in {_key(a) for a in doc.iter("a")} if t and t in text)
    fallback = _readability(doc, path, base_url, warnings)
    if not flatten(fallback):
        return body
    if linked < _LINKS * _size(text) and looks_like_furniture(fallback, page_size):
        return body  # readability found furniture, trafilatura's reading is no menu
    if linked < _LINKS * _size(text) and _fragment(fallback, text):
        return body  # readability latched onto a piece (a disclaimer, a sidebar)
    return fallback


#: trafilatura's unmatched reading is kept over readability's when it holds this many
#: times the text and readability's does not start where it starts, or ``_FAR`` times.
_FRAGMENT = 4
_FAR = 8


def _fragment(fallback: tuple[TreeBlock, ...], text: str) -> bool:
    """Whether readability's ``fallback`` is a fragment of the article trafilatura read.

    A reading that starts where trafilatura's starts only stopped earlier (before
    related stories, galleries); one that starts elsewhere and holds a quarter of
    the text or less is a piece of the page: an abstract's disclaimer, a box, a
    browser notice. On the three suites this read six pages whole that readability
    had read as a fragment (one lost 0.05 of F1), and changed none other.

    >>> from publisher.model import Paragraph, Text
    >>> story = "The council voted on Monday. " * 6
    >>> _fragment((Paragraph((Text("Disclaimer: views are the authors' own."),)),), story)
    True
    >>> _fragment((Paragraph((Text("The council voted on Monday."),)),), story)
    False
    """
    other = " ".join(_plain(fallback).split())
    ratio = _size(text) / max(_size(other), 1)
    starts = " ".join(text.split()).startswith(other[:60])
    return ratio >= _FAR or (ratio >= _FRAGMENT and not starts)


def _readability(
    doc: HtmlElement, path: Path, base_url: str | None, warnings: list[str]
) -> tuple[TreeBlock, ...]:
    """readability-lxml's body of ``doc``, else the text of the page's whole body."""
    from lxml import html as lxml_html  # type: ignore[import-untyped,unused-ignore]
    from readability import Document  # type: ignore[import-untyped,unused-ignore]

    # Furniture is known by its element (nav, aside, footer...), never by a class
    # or id that merely contains "ad" or "social": real pages put such words on
    # <body>, <main> and the article's own wrapper.
    for element in doc.xpath(_FURNITURE):
        _drop(element)
    root = doc.find("body")
    if root is None or not "".join(root.itertext()).strip():
        return ()
    whole = lxml_html.tostring(doc, encoding="unicode")
    try:
        summary = Document(whole).summary(html_partial=True)
    except Exception:  # readability raises bare Unparseable on odd pages
        summary = ""
    body = html_to_tree(str(summary), path, base_url, warnings)
    if not flatten(body):
        body = html_to_tree(lxml_html.tostring(root, encoding="unicode"), path, base_url, warnings)
    return body


def _trafilatura(doc: HtmlElement) -> Any:
    """trafilatura's reading of the page: body and metadata, or None.

    Handed the page as parsed here (nesting already made safe), serialised
    (trafilatura prepares a string better than a tree: 0.963 against 0.959 word
    F1 in the README's benchmark), never a URL, so it cannot fetch anything.
    Its plain settings: asking it for links, formatting or images as well makes
    it keep more furniture (word F1 0.96 -> 0.88 on the benchmark in the
    README), so those come back from the page itself (:func:`_extracted`).
    """
    from lxml import html as lxml_html  # type: ignore[import-untyped,unused-ignore]
    from trafilatura import bare_extraction

    try:
        page = lxml_html.tostring(doc, encoding="unicode")
        return bare_extraction(page, with_metadata=True, include_comments=False)
    except Exception:  # trafilatura gives up on some malformed pages
        return None


#: Below this share of its text in blocks of the page, trafilatura's output is not used.
_MATCHED = 0.5
#: Blocks of trafilatura's output whose markup is taken back from the page.
_TEXT_BLOCKS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "blockquote")


def _extracted(
    found: Any, doc: HtmlElement, header: set[str], lead_src: str | None
) -> tuple[str, bool]:
    """trafilatura's body as HTML, with the page's own markup and figures put back.

    trafilatura chooses the blocks; each block whose text is a block of the
    page (same words) takes that block's inline markup (links, emphasis, code),
    and each ``<figure>`` of the page that stands between two chosen blocks
    comes back in its place, with its caption and credit.
    """
    from lxml import etree  # type: ignore[import-untyped,unused-ignore]
    from trafilatura.htmlprocessing import convert_to_html

    if found is None or getattr(found, "body", None) is None:
        return "", False
    tree = convert_to_html(found.body)
    for element in tree.iter():
        if element.tail and " ".join(element.tail.split()) in header:
            element.tail = None  # a byline trafilatura left as loose text
    for block in list(tree.iter(*_TEXT_BLOCKS)):
        if _key(block) in header and block.getparent() is not None:
            _drop(block)  # the headline or the byline, read already
    # A table trafilatura kept whole comes back as the page has it (its caption,
    # header cells and alignment, which trafilatura's output loses).
    page_tables: dict[str, HtmlElement] = {}
    for table in doc.iter("table"):
        page_tables.setdefault("".join(_key(table).split()), table)
    for table in list(tree.iter("table")):
        original = page_tables.get("".join(_key(table).split()))
        if original is not None and table.getparent() is not None:
            copy = _copy(original)
            copy.tail = table.tail
            table.getparent().replace(table, copy)
    order = {element: n for n, element in enumerate(doc.iter())}
    page_blocks: dict[str, HtmlElement] = {}
    for element in doc.iter(*_TEXT_BLOCKS):
        page_blocks.setdefault(_key(element), element)
    placed: list[tuple[int, HtmlElement]] = []  # (page position, output block)
    matched = 0
    for block in list(tree.iter(*_TEXT_BLOCKS)):
        original = page_blocks.get(_key(block))
        if original is None or block.getparent() is None:
            continue
        placed.append((order[original], block))
        if not any(_tag(outer) in _TEXT_BLOCKS for outer in block.iterancestors()):
            matched += _size(_key(block))
        if not any(_tag(child) in BLOCK_TAGS or _tag(child) == "figure" for child in original):
            copy = _copy(original)
            try:
                block.text = copy.text
            except ValueError:  # a control character lxml.etree refuses: keep the plain text
                continue
            for child in list(block):
                block.remove(child)
            block.extend(list(copy))
    if _size(_key(tree)) and matched < _MATCHED * _size(_key(tree)):
        # Most of the output is no block of the page: perhaps trafilatura's last
        # resort, which runs a small page's parts (headline, byline, text) together.
        return str(etree.tostring(tree, encoding="unicode", method="html")), False
    placed.sort(key=lambda pair: pair[0])
    if len(placed) >= 2:
        first, last = placed[0][0], placed[-1][0]
        for figure in doc.iter("figure"):
            at = order.get(figure, -1)
            if not first < at < last or any(i.get("src") == lead_src for i in figure.iter("img")):
                continue
            after = next(block for position, block in placed if position > at)
            if after.getparent() is None or any(a is figure for a in after.iterancestors()):
                continue
            copy = _copy(figure)
            copy.tail = None
            top = after
            while top.getparent() is not None and _tag(top.getparent()) not in ("body", "html"):
                top = top.getparent()  # figures go between top-level blocks
            top.addprevious(copy)
    return str(etree.tostring(tree, encoding="unicode", method="html")), True


def _drop_element(element: HtmlElement) -> None:
    """Remove ``element`` (an lxml.etree element), keeping the text after it."""
    parent = element.getparent()
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _copy(element: HtmlElement) -> HtmlElement:
    """A copy of ``element`` without the text that follows it."""
    from copy import deepcopy

    copy = deepcopy(element)
    copy.tail = None
    return copy


def _key(element: HtmlElement) -> str:
    return " ".join("".join(element.itertext()).split())


def _tag(element: HtmlElement) -> str:
    return element.tag.lower() if isinstance(element.tag, str) else ""


def _drop(element: HtmlElement) -> None:
    if element.getparent() is None:
        return
    if isinstance(element.tag, str) and hasattr(element, "drop_tree"):
        element.drop_tree()
    else:  # a comment, or an lxml.etree element: keep the text after it
        _drop_element(element)
