"""markdown-it tokens -> the document tree (``publisher.model`` blocks and inlines).

The parser is CommonMark with markdown-it's tables and strikethrough, and the
mdit-py-plugins footnotes (``[^1]``), subscript (``H~2~O``) and superscript
(``x^2^``). The token stream is flat with nesting levels (``*_open`` /
``*_close``); a stack of open containers turns it into the tree.

Raw HTML is never trusted: a block of it is sanitised by nh3 and contributes
paragraphs of text; a paragraph holding inline HTML becomes its sanitised text.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from publisher.errors import InputError
from publisher.model import (
    Block,
    BlockQuote,
    BulletList,
    Code,
    CodeBlock,
    Emph,
    Figure,
    FootnoteRef,
    Footnotes,
    Heading,
    Inline,
    LineBreak,
    Link,
    OrderedList,
    Paragraph,
    SectionBreak,
    Strikeout,
    Strong,
    Subscript,
    Superscript,
    Table,
    Text,
    blocks_from_paragraphs,
    plain_text,
)
from publisher.readers.html import dropped_markup, html_to_blocks, html_to_text, local_image

#: Inline container tokens (``em_open``...) and the node each makes.
_INLINE_CONTAINERS: dict[str, Callable[[tuple[Inline, ...]], Inline]] = {
    "em": Emph,
    "strong": Strong,
    "s": Strikeout,
    "sup": Superscript,
    "sub": Subscript,
}
#: markdown-it's nesting limit (a list or quote is two levels). Its default, 20,
#: silently drops the text of a list ten deep and everything after it.
MAX_NESTING = 100
#: Inline markup nested deeper than this keeps its text but not its markup (the
#: renderers' templates recurse; no article nests emphasis this deep).
MAX_INLINE_DEPTH = 24
#: Dashes that open a block quote's last paragraph when it names the speaker.
_ATTRIBUTION_DASHES = ("—", "―", "--")


@cache
def parser() -> Any:
    """The configured markdown-it parser (built once per process)."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.subscript import sub_plugin
    from mdit_py_plugins.superscript import superscript_plugin

    md = MarkdownIt("commonmark", {"maxNesting": MAX_NESTING}).enable(["table", "strikethrough"])
    return md.use(footnote_plugin).use(sub_plugin).use(superscript_plugin)


def inline_markup_text(source: str) -> str:
    """A line of Markdown as plain text: its markup rendered, not printed.

    >>> inline_markup_text("A *rich* test with `code` and [a link](https://x.org)")
    'A rich test with code and a link'
    """
    tokens = parser().parseInline(source)
    children = tokens[0].children if tokens else []
    return plain_text(_inlines(children or [], [])) or source


@dataclass
class Found:
    """What walking the token stream found."""

    blocks: list[Block] = field(default_factory=list)
    headline: str | None = None
    image: str | None = None
    image_alt: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Frame:
    """An open container: its token type, the blocks read into it, and extras."""

    type: str
    blocks: list[Block] = field(default_factory=list)
    items: list[tuple[Block, ...]] = field(default_factory=list)
    start: int = 1
    rows: list[list[tuple[Inline, ...]]] = field(default_factory=list)
    header_rows: int = 0
    alignment: list[str | None] = field(default_factory=list)
    notes: dict[int, tuple[Block, ...]] = field(default_factory=dict)
    note_id: int = 0


def build(text: str, path: Path, *, want_headline: bool, want_image: bool) -> Found:
    """Parse the Markdown body ``text`` into blocks; the first ``# heading`` may be the headline.

    With ``want_image``, the first paragraph that is only a local image names
    the article's photo; every other local image becomes a Figure.
    """
    tokens = parser().parse(text)
    if tokens and max(token.level for token in tokens) >= MAX_NESTING - 1:
        # markdown-it stops parsing at maxNesting and drops the rest without a word.
        raise InputError(
            f"{path} nests lists or quotes more than {MAX_NESTING // 2} levels deep; "
            "text past that point would be lost.",
            "Flatten the nesting.",
        )
    found = Found()
    stack = [_Frame("root")]
    heading = ""
    for token in tokens:
        kind = token.type
        top = stack[-1]
        if kind in (
            "blockquote_open", "bullet_list_open", "ordered_list_open", "list_item_open",
            "table_open", "footnote_block_open", "footnote_open",
        ):  # fmt: skip
            frame = _Frame(kind.removesuffix("_open"))
            if kind == "ordered_list_open":
                frame.start = int(token.attrGet("start") or 1)
            if kind == "footnote_open":
                frame.note_id = int(token.meta["id"])
            stack.append(frame)
        elif kind in (
            "blockquote_close", "bullet_list_close", "ordered_list_close", "list_item_close",
            "table_close", "footnote_close", "footnote_block_close",
        ):  # fmt: skip
            stack.pop()
            _close(top, stack[-1])
        elif kind == "thead_close":
            top.header_rows = len(top.rows)
        elif kind == "tr_open":
            top.rows.append([])
        elif kind in ("th_open", "td_open") and len(top.rows) == 1:
            style = str(token.attrGet("style") or "")
            top.alignment.append(style.removeprefix("text-align:") or None)
        elif kind == "heading_open":
            heading = token.tag
        elif kind == "heading_close":
            heading = ""
        elif kind == "inline":
            if top.type == "table":
                top.rows[-1].append(_inlines(token.children or [], found.warnings))
            elif heading:
                _heading(token, heading, top, found, want_headline)
            else:
                _paragraph(token, top, found, path, want_image)
        elif kind in ("fence", "code_block"):
            language = token.info.split()[0] if token.info.strip() else None
            top.blocks.append(CodeBlock(token.content.removesuffix("\n"), language))
        elif kind == "hr":
            top.blocks.append(SectionBreak())
        elif kind == "html_block":
            found.warnings.extend(dropped_markup(token.content))
            texts = html_to_blocks(token.content)
            top.blocks.extend(
                blocks_from_paragraphs(tuple(t for t, _ in texts), tuple(k for _, k in texts))
            )
    found.blocks = stack[0].blocks
    return found


def _close(frame: _Frame, parent: _Frame) -> None:
    """Add the finished container ``frame`` to ``parent``."""
    if frame.type == "list_item":
        parent.items.append(tuple(frame.blocks))
    elif frame.type == "bullet_list":
        parent.blocks.append(BulletList(tuple(frame.items)))
    elif frame.type == "ordered_list":
        parent.blocks.append(OrderedList(tuple(frame.items), frame.start))
    elif frame.type == "blockquote":
        parent.blocks.append(_quote(frame.blocks))
    elif frame.type == "table":
        rows = tuple(tuple(row) for row in frame.rows)
        header, body = rows[: frame.header_rows], rows[frame.header_rows :]
        parent.blocks.append(Table(header, body, tuple(frame.alignment)))
    elif frame.type == "footnote":
        parent.notes[frame.note_id] = tuple(frame.blocks)
    elif frame.type == "footnote_block" and frame.notes:
        parent.blocks.append(Footnotes(tuple(frame.notes[i] for i in sorted(frame.notes))))


def _quote(blocks: list[Block]) -> BlockQuote:
    """A block quote; a last paragraph opening with a dash names who said it."""
    last = blocks[-1] if len(blocks) > 1 else None
    if isinstance(last, Paragraph) and last.content and isinstance(last.content[0], Text):
        first = last.content[0].text
        for dash in _ATTRIBUTION_DASHES:
            if first.startswith(dash):
                rest = first.removeprefix(dash).lstrip()
                attribution = ((Text(rest),) if rest else ()) + last.content[1:]
                return BlockQuote(tuple(blocks[:-1]), attribution)
    return BlockQuote(tuple(blocks))


def _heading(token: Any, tag: str, top: _Frame, found: Found, want_headline: bool) -> None:
    content = _inlines(token.children or [], found.warnings)
    if not plain_text(content):
        return
    if tag == "h1" and want_headline and found.headline is None and not found.blocks:
        found.headline = plain_text(content)
        return
    level = min(max(int(tag[1:]), 2), 4)  # the headline is the only level 1
    top.blocks.append(Heading(level, content))


def _paragraph(token: Any, top: _Frame, found: Found, path: Path, want_image: bool) -> None:
    children = token.children or []
    images = [child for child in children if child.type == "image"]
    if len(children) == 1 and images:
        image = images[0]
        src = str(image.attrGet("src") or "")
        title = str(image.attrGet("title") or "") or None
        alt = image.content.strip()
        local = local_image(src, path, found.warnings)
        if local is None:
            if alt:
                top.blocks.append(Paragraph((Text(alt),)))
            return
        if want_image and found.image is None and top.type == "root" and not found.blocks:
            found.image, found.image_alt = local, title or alt or None
            return
        caption = title or alt
        top.blocks.append(Figure(local, alt or caption, (Text(caption),) if caption else ()))
        return
    for image in images:  # inside a sentence: its alt text stays in the text
        src = str(image.attrGet("src") or "")
        if local_image(src, path, found.warnings) is not None:
            found.warnings.append(f"the image {src} inside a sentence was left out (alt text kept)")
    content = _inlines(children, found.warnings)
    if plain_text(content) or any(isinstance(node, LineBreak | Code) for node in content):
        top.blocks.append(Paragraph(content))


def _inlines(children: list[Any], warnings: list[str]) -> tuple[Inline, ...]:
    """Inline tokens as inline nodes; raw inline HTML makes the run its sanitised text."""
    if any(child.type == "html_inline" for child in children):
        fragment = "".join(_fragment(child) for child in children)
        warnings.extend(dropped_markup(fragment))
        text = html_to_text(fragment)
        return (Text(text),) if text else ()
    stack: list[tuple[Any, list[Inline]]] = [(None, [])]
    for child in children:
        kind = child.type
        out = stack[-1][1]
        if kind.endswith("_open"):
            stack.append((child, []))
        elif kind.endswith("_close") and len(stack) > MAX_INLINE_DEPTH:
            # Nested deeper than any article needs: keep the text, not the markup.
            _, content = stack.pop()
            stack[-1][1].extend(content)
        elif kind.endswith("_close") and len(stack) > 1:
            opener, content = stack.pop()
            stack[-1][1].append(_container(opener, tuple(content)))
        elif kind == "text":
            out.append(Text(child.content))
        elif kind == "softbreak":
            out.append(Text(" "))
        elif kind == "hardbreak":
            out.append(LineBreak())
        elif kind == "code_inline":
            out.append(Code(child.content))
        elif kind == "footnote_ref":
            out.append(FootnoteRef(int(child.meta["id"]) + 1))
        elif kind == "image":
            out.append(Text(child.content))  # its alt text
    while len(stack) > 1:  # unbalanced tokens never come from markdown-it; be safe anyway
        opener, content = stack.pop()
        stack[-1][1].append(_container(opener, tuple(content)))
    return _merge_text(stack[0][1])


def _container(opener: Any, content: tuple[Inline, ...]) -> Inline:
    if opener.type == "link_open":
        title = opener.attrGet("title")
        return Link(content, str(opener.attrGet("href") or ""), str(title) if title else None)
    make = _INLINE_CONTAINERS.get(opener.tag)
    return make(content) if make is not None else Emph(content)


def _merge_text(nodes: list[Inline]) -> tuple[Inline, ...]:
    """Join neighbouring Text runs: one run per stretch of plain text."""
    merged: list[Inline] = []
    for node in nodes:
        if isinstance(node, Text) and merged and isinstance(merged[-1], Text):
            merged[-1] = Text(merged[-1].text + node.text)
        else:
            merged.append(node)
    return tuple(merged)


def _fragment(child: Any) -> str:
    """One inline token as HTML, for nh3 to sanitise: text escaped, raw HTML kept."""
    if child.type in ("text", "code_inline", "image"):
        return html.escape(child.content, quote=False)
    if child.type in ("softbreak", "hardbreak"):
        return " "
    if child.type == "html_inline":
        return str(child.content)
    return ""
