"""A web page's article body (HTML) -> the document tree (``publisher.model``).

The fragment is sanitised by nh3 first: only structural and inline tags
survive, with only the attributes the tree needs (``href``/``title`` on links,
``src``/``alt`` on images, ``start`` on numbered lists); scripts and styles
are dropped with their content. Then one walk over the elements builds
blocks: paragraphs, headings, lists nested to any depth, block quotes,
figures with their captions and credits (local images only), tables with
header rows, preformatted code and section breaks; inline emphasis, strong,
links made absolute against the page's canonical URL, code, sub- and
superscripts and line breaks.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from publisher.model import (
    Block,
    BlockQuote,
    BulletList,
    Code,
    CodeBlock,
    Emph,
    Figure,
    Heading,
    Inline,
    LineBreak,
    Link,
    OrderedList,
    Paragraph,
    Row,
    SectionBreak,
    Strikeout,
    Strong,
    Subscript,
    Superscript,
    Table,
    Text,
    plain_text,
)

_SPACE = re.compile(r"[ \t\n\r\f]+")
_INLINE_MAKERS: dict[str, Any] = {
    "em": Emph, "i": Emph, "cite": Emph, "dfn": Emph, "var": Emph,
    "strong": Strong, "b": Strong,
    "s": Strikeout, "del": Strikeout,
    "sup": Superscript, "sub": Subscript,
}  # fmt: skip
_CODE_TAGS = frozenset(("code", "kbd", "samp"))
_HEADING_TAGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
#: Tags whose children are blocks of the same flow (they add no structure).
_CONTAINERS = frozenset(
    ("div", "section", "article", "main", "header", "footer", "aside", "details", "summary",
     "dl", "dd", "dt", "address", "hgroup", "body", "center")
)  # fmt: skip
_BLOCK_TAGS = frozenset(
    ("p", "ul", "ol", "li", "blockquote", "figure", "figcaption", "table", "pre", "hr", "img",
     "caption", "thead", "tbody", "tfoot", "tr", "td", "th")
) | _HEADING_TAGS | _CONTAINERS  # fmt: skip


def sanitise(fragment: str) -> str:
    """The fragment with only the tags and attributes the tree is built from."""
    import nh3

    from publisher.readers.html import BLOCK_TAGS, INLINE_TAGS

    return str(
        nh3.clean(
            fragment,
            tags=set(BLOCK_TAGS | INLINE_TAGS | {"img", "hr"}) - {"body", "form"},
            attributes={
                "a": {"href", "title"},
                "img": {"src", "alt", "title"},
                "ol": {"start"},
                "th": {"align"},
                "td": {"align"},
            },
            url_schemes={"http", "https", "mailto"},
            link_rel=None,
        )
    )


def html_to_tree(
    fragment: str, path: Path, base_url: str | None, warnings: list[str]
) -> tuple[Block, ...]:
    """The blocks of an HTML fragment (sanitised here), links absolute against ``base_url``.

    >>> html_to_tree('<p>A <em>b</em> <a href="/c">c</a><script>x()</script></p><hr>'
    ...              '<ol start="2"><li>d</li></ol>', Path("a.html"), "https://x.org/n/1", [])
    ... # doctest: +NORMALIZE_WHITESPACE
    (Paragraph(content=(Text(text='A '), Emph(content=(Text(text='b'),)), Text(text=' '),
       Link(content=(Text(text='c'),), url='https://x.org/c', title=None))),
     SectionBreak(),
     OrderedList(items=((Paragraph(content=(Text(text='d'),)),),), start=2))
    """
    from publisher.readers.htmltree import parse_fragment

    cleaned = sanitise(fragment)
    if not cleaned.strip():
        return ()
    # Parsed without libxml2's silent cut at 256 levels, and flattened below
    # htmltree.FLAT_DEPTH, so the walk below never recurses too deep.
    root = parse_fragment(cleaned, str(path))
    return tuple(_Builder(path, base_url, warnings).blocks(root))


#: Inline elements nested deeper than this keep their text but not their markup
#: (no article nests emphasis this deep; the renderers' templates recurse).
MAX_INLINE_DEPTH = 24
#: Lists and quotes nested deeper than this are read as the blocks they hold
#: (every word kept), for the same reason.
MAX_BLOCK_DEPTH = 40


class _Builder:
    def __init__(self, path: Path, base_url: str | None, warnings: list[str]) -> None:
        self.path = path
        self.base_url = base_url
        self.warnings = warnings
        self.depth = 0  # inline elements open around the current one
        self.block_depth = 0  # lists and quotes open around the current block

    def blocks(self, element: Any) -> list[Block]:
        """The blocks inside ``element``: loose inline content becomes paragraphs."""
        out: list[Block] = []
        loose: list[Inline] = []

        def flush() -> None:
            content = _tidy(loose)
            loose.clear()
            if plain_text(content):
                out.append(Paragraph(content))

        if element.text:
            loose.append(Text(element.text))
        for child in element:
            tag = _tag(child)
            if tag in _BLOCK_TAGS:
                flush()
                out.extend(self.block(child, tag))
            elif tag:
                loose.extend(self.inline(child, tag))
            if child.tail:
                loose.append(Text(child.tail))
        flush()
        return out

    def block(self, element: Any, tag: str) -> list[Block]:
        if tag == "p":
            content = _tidy(self.inlines(element))
            return [Paragraph(content)] if plain_text(content) else []
        if tag in _HEADING_TAGS:
            content = _tidy(self.inlines(element))
            level = min(max(int(tag[1]), 2), 4)  # the headline is the only level 1
            return [Heading(level, content)] if plain_text(content) else []
        if tag in ("ul", "ol", "blockquote"):
            if self.block_depth >= MAX_BLOCK_DEPTH:
                return self.blocks(element)
            self.block_depth += 1
            try:
                return self.nested(element, tag)
            finally:
                self.block_depth -= 1
        if tag == "figure":
            return self.figure(element)
        if tag == "img":
            return self.figure(element)
        if tag == "table":
            return self.table(element)
        if tag == "pre":
            text = element.text_content().strip("\n")
            return [CodeBlock(text)] if text.strip() else []
        if tag == "hr":
            return [SectionBreak()]
        return self.blocks(element)  # containers, list items, stray table parts

    def nested(self, element: Any, tag: str) -> list[Block]:
        """A list or a block quote."""
        if tag in ("ul", "ol"):
            items = tuple(
                tuple(self.blocks(li)) for li in element if _tag(li) == "li" or not _tag(li)
            )
            items = tuple(item for item in items if item)
            if not items:
                return []
            if tag == "ul":
                return [BulletList(items)]
            start = element.get("start", "1")
            return [OrderedList(items, int(start) if start.isdigit() and len(start) < 10 else 1)]
        inner = tuple(self.blocks(element))
        return [BlockQuote(inner)] if inner else []

    def figure(self, element: Any) -> list[Block]:
        from publisher.readers.html import local_image

        images = [element] if _tag(element) == "img" else list(element.iter("img"))
        credit = None
        for part in element.xpath(".//*[contains(translate(@class,'CREDIT','credit'),'credit')]"):
            credit = credit or " ".join(part.text_content().split()) or None
            part.drop_tree()
        captions = element.findall(".//figcaption") if _tag(element) == "figure" else []
        caption = _tidy([node for c in captions for node in self.inlines(c)])
        src = images[0].get("src") if images else None
        local = local_image(src or "", self.path, self.warnings) if src else None
        if local is None:
            return [Paragraph(caption)] if plain_text(caption) else []
        alt = " ".join((images[0].get("alt") or "").split())
        return [Figure(local, alt or plain_text(caption), caption, credit)]

    def table(self, element: Any) -> list[Block]:
        header: list[Row] = []
        body: list[Row] = []
        alignment: list[str | None] = []
        caption: tuple[Inline, ...] = ()
        for part in element.iter():
            tag = _tag(part)
            if tag == "caption":
                caption = _tidy(self.inlines(part))
            elif tag == "tr":
                cells = [cell for cell in part if _tag(cell) in ("th", "td")]
                row = tuple(_tidy(self.inlines(cell)) for cell in cells)
                in_head = _tag(part.getparent()) == "thead"
                all_th = bool(cells) and all(_tag(cell) == "th" for cell in cells)
                if in_head or (all_th and not body and not header):
                    header.append(row)
                else:
                    body.append(row)
                if not alignment:
                    alignment = [_alignment(cell.get("align")) for cell in cells]
        if not header and not body:
            return []
        return [Table(tuple(header), tuple(body), tuple(alignment), caption)]

    def inlines(self, element: Any) -> list[Inline]:
        """The inline content of ``element`` (nested blocks give their text)."""
        out: list[Inline] = []
        if element.text:
            out.append(Text(element.text))
        for child in element:
            tag = _tag(child)
            if tag:
                out.extend(self.inline(child, tag))
            if child.tail:
                out.append(Text(child.tail))
        return out

    def inline(self, element: Any, tag: str) -> list[Inline]:
        if tag == "br":
            return [LineBreak()]
        if tag in _CODE_TAGS:
            return [Code(element.text_content())]
        if tag == "img":
            alt = element.get("alt")
            return [Text(alt)] if alt else []
        self.depth += 1
        try:
            content = tuple(_tidy(self.inlines(element), strip=False))
        finally:
            self.depth -= 1
        if self.depth >= MAX_INLINE_DEPTH:
            return list(content)
        if tag == "a":
            url = _absolute(element.get("href"), self.base_url)
            if url is None:
                return list(content)
            return [Link(content, url, element.get("title") or None)]
        make = _INLINE_MAKERS.get(tag)
        if make is not None:
            return [make(content)]
        if tag in _BLOCK_TAGS:  # a block inside a line: its text, spaced
            return [Text(" "), *content, Text(" ")]
        return list(content)  # span, mark, abbr...: the text, without the markup


def _tag(element: Any) -> str:
    return element.tag.lower() if isinstance(element.tag, str) else ""


def _alignment(value: str | None) -> str | None:
    value = (value or "").strip().lower()
    return value if value in ("left", "center", "right") else None


def _absolute(href: str | None, base: str | None) -> str | None:
    """``href`` made absolute against the page's URL; None for a link that goes nowhere."""
    href = (href or "").strip()
    if not href or href.startswith("#"):
        return None
    if base:
        href = urljoin(base, href)
    return href


def _tidy(nodes: list[Inline] | tuple[Inline, ...], strip: bool = True) -> tuple[Inline, ...]:
    """HTML white space runs made one space, neighbouring texts joined, edges trimmed."""
    merged: list[Inline] = []
    for node in nodes:
        if isinstance(node, Text):
            text = _SPACE.sub(" ", node.text)
            if merged and isinstance(merged[-1], Text):
                text = merged.pop().text + text  # type: ignore[union-attr]
                text = text.replace("  ", " ")
            if text:
                merged.append(Text(text))
        else:
            merged.append(node)
    if strip and merged:
        if isinstance(merged[0], Text):
            merged[0] = Text(merged[0].text.lstrip(" "))
        if isinstance(merged[-1], Text):
            merged[-1] = Text(merged[-1].text.rstrip(" "))
    return tuple(node for node in merged if not (isinstance(node, Text) and not node.text))
