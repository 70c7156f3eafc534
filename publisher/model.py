"""The values that flow through publisher: read -> normalise -> render -> package.

Every model is a frozen, slotted dataclass. This module does no I/O and imports
nothing else from publisher, so every stage can depend on it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import ClassVar, TypeAlias

#: What a paragraph of an article is: plain ("p"), a subheading, part of a block
#: quote, or an item of a bulleted or numbered list. List items keep their "• " or
#: "3. " marker in their text, so the text reads right without its kind.
BLOCK_KINDS = frozenset(("p", "subhead", "quote", "bullet", "number"))


@dataclass(frozen=True, slots=True)
class Change:
    """One recorded fix: which rule changed what, where, from what to what.

    ``where`` is human readable and stable: ``"headline"``, ``"caption"``,
    ``"paragraph 3"`` (1-based) or ``"byte 1234"`` for decoding repairs.
    """

    rule: str
    where: str
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class Metadata:
    """Bibliographic metadata. Every field is optional; ``None`` means unknown.

    ``date`` is an ISO 8601 date or date-time string (``2015-08-21``).
    ``language`` is a BCP 47 tag (``en``, ``fr``, ``de-CH``).
    ``image`` is a path as written by the user (relative to the input's folder).
    """

    authors: tuple[str, ...] = ()
    date: str | None = None
    publisher: str | None = None
    source: str | None = None
    section: str | None = None
    language: str | None = None
    identifier: str | None = None
    rights: str | None = None
    image: str | None = None
    order: int | None = None

    def merged_over(self, lower: Metadata) -> Metadata:
        """Return self's known values laid over ``lower``'s (self wins).

        >>> merged = Metadata(language="fr").merged_over(Metadata(language="en", date="2020-01-01"))
        >>> merged.language, merged.date
        ('fr', '2020-01-01')
        """
        values = {}
        for f in fields(self):
            mine = getattr(self, f.name)
            values[f.name] = mine if mine not in (None, ()) else getattr(lower, f.name)
        return Metadata(**values)


@dataclass(frozen=True, slots=True)
class Image:
    """A photo that belongs to an article, already located and inspected."""

    path: Path
    media_type: str  # image/jpeg, image/png, image/webp
    width: int
    height: int


# --- The document tree -------------------------------------------------------
# A small, closed set of block and inline types, like pandoc's AST: every reader
# builds it, the normaliser rewrites its text runs, every renderer walks it.
# Each type has a ``kind`` (its name in templates and in JSON).


@dataclass(frozen=True, slots=True)
class Text:
    """A run of plain text."""

    kind: ClassVar[str] = "text"
    text: str


@dataclass(frozen=True, slots=True)
class Emph:
    """Emphasis (italics): titles of works, ships, foreign words, stress."""

    kind: ClassVar[str] = "emph"
    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Strong:
    """Strong importance (bold)."""

    kind: ClassVar[str] = "strong"
    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Strikeout:
    """Struck-out text (a correction shown as such)."""

    kind: ClassVar[str] = "strikeout"
    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Superscript:
    """Superscript text (1st, m²)."""

    kind: ClassVar[str] = "superscript"
    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Subscript:
    """Subscript text (CO₂)."""

    kind: ClassVar[str] = "subscript"
    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Link:
    """A link: its text, where it goes (an absolute URL or a #fragment), its title."""

    kind: ClassVar[str] = "link"
    content: tuple[Inline, ...]
    url: str
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Code:
    """Inline code, verbatim: no fix ever changes it."""

    kind: ClassVar[str] = "code"
    text: str


@dataclass(frozen=True, slots=True)
class LineBreak:
    """A hard line break inside a block (a poem's line, an address)."""

    kind: ClassVar[str] = "linebreak"


@dataclass(frozen=True, slots=True)
class FootnoteRef:
    """A reference to footnote ``number`` (1-based) of the body's Footnotes block."""

    kind: ClassVar[str] = "footnoteref"
    number: int


Inline: TypeAlias = (
    Text | Emph | Strong | Strikeout | Superscript | Subscript | Link | Code | LineBreak
    | FootnoteRef
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of inline content."""

    kind: ClassVar[str] = "paragraph"
    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Heading:
    """A subheading inside the article, level 2 to 4 (the headline is level 1)."""

    kind: ClassVar[str] = "heading"
    level: int
    content: tuple[Inline, ...]

    def __post_init__(self) -> None:
        if not 2 <= self.level <= 4:
            raise ValueError(f"heading level {self.level} is not 2, 3 or 4")


@dataclass(frozen=True, slots=True)
class BlockQuote:
    """A quotation of whole blocks, with an optional attribution (who said it)."""

    kind: ClassVar[str] = "blockquote"
    blocks: tuple[Block, ...]
    attribution: tuple[Inline, ...] = ()


@dataclass(frozen=True, slots=True)
class BulletList:
    """A bulleted list; each item holds blocks (nested lists among them)."""

    kind: ClassVar[str] = "bulletlist"
    items: tuple[tuple[Block, ...], ...]


@dataclass(frozen=True, slots=True)
class OrderedList:
    """A numbered list starting at ``start``; each item holds blocks."""

    kind: ClassVar[str] = "orderedlist"
    items: tuple[tuple[Block, ...], ...]
    start: int = 1


@dataclass(frozen=True, slots=True)
class Figure:
    """A picture in the body with its caption and credit.

    ``src`` is the path as written, relative to the article's folder (inside
    it); ``image`` is the inspected file (set by ``read_article``), or None
    when it is not known yet. ``alt`` is the text alternative.
    """

    kind: ClassVar[str] = "figure"
    src: str
    alt: str = ""
    caption: tuple[Inline, ...] = ()
    credit: str | None = None
    image: Image | None = None


#: A table cell is inline content; a row is a tuple of cells.
Cell: TypeAlias = tuple[Inline, ...]
Row: TypeAlias = tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A table: header rows, body rows, each column's alignment, a caption.

    ``alignment`` holds "left", "center", "right" or None (default) per column.
    """

    kind: ClassVar[str] = "table"
    header: tuple[Row, ...]
    body: tuple[Row, ...]
    alignment: tuple[str | None, ...] = ()
    caption: tuple[Inline, ...] = ()


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """Verbatim text whose line breaks and spaces are kept (a listing, a data sample)."""

    kind: ClassVar[str] = "codeblock"
    text: str
    language: str | None = None


@dataclass(frozen=True, slots=True)
class SectionBreak:
    """A break between sections of the text (a thematic break, ``***``)."""

    kind: ClassVar[str] = "sectionbreak"


@dataclass(frozen=True, slots=True)
class Footnotes:
    """The article's footnotes, in order; ``FootnoteRef(n)`` points at ``notes[n - 1]``."""

    kind: ClassVar[str] = "footnotes"
    notes: tuple[tuple[Block, ...], ...]


Block: TypeAlias = (
    Paragraph | Heading | BlockQuote | BulletList | OrderedList | Figure | Table | CodeBlock
    | SectionBreak | Footnotes
)  # fmt: skip

#: The inline types and the block types, for isinstance checks.
INLINE_TYPES = (
    Text, Emph, Strong, Strikeout, Superscript, Subscript, Link, Code, LineBreak, FootnoteRef,
)  # fmt: skip
BLOCK_TYPES = (
    Paragraph, Heading, BlockQuote, BulletList, OrderedList, Figure, Table, CodeBlock,
    SectionBreak, Footnotes,
)  # fmt: skip
#: Every node type of the tree by its ``kind``.
NODE_TYPES: dict[str, type[Block] | type[Inline]] = {
    cls.kind: cls
    for cls in (
        Text, Emph, Strong, Strikeout, Superscript, Subscript, Link, Code, LineBreak,
        FootnoteRef, Paragraph, Heading, BlockQuote, BulletList, OrderedList, Figure, Table,
        CodeBlock, SectionBreak, Footnotes,
    )
}  # fmt: skip


def plain_text(nodes: tuple[Inline, ...] | tuple[Block, ...]) -> str:
    """The text of inline or block nodes, without markup (blocks joined by a space).

    >>> plain_text((Text("A "), Emph((Text("rich"),)), Text(" test")))
    'A rich test'
    >>> plain_text((Paragraph((Text("One"),)), BulletList(((Paragraph((Text("Two"),)),),))))
    'One Two'
    """
    parts: list[str] = []
    for node in nodes:
        if isinstance(node, Text | Code):
            parts.append(node.text)
        elif isinstance(node, LineBreak):
            parts.append(" ")
        elif isinstance(node, FootnoteRef | SectionBreak):
            continue
        elif isinstance(node, Paragraph | Heading):
            parts.append(_block_separator + plain_text(node.content))
        elif isinstance(node, BlockQuote):
            parts.append(_block_separator + plain_text(node.blocks))
            parts.append(_block_separator + plain_text(node.attribution))
        elif isinstance(node, BulletList | OrderedList):
            parts.extend(_block_separator + plain_text(item) for item in node.items)
        elif isinstance(node, Table):
            for row in (*node.header, *node.body):
                parts.extend(_block_separator + plain_text(cell) for cell in row)
        elif isinstance(node, CodeBlock):
            parts.append(_block_separator + node.text)
        elif isinstance(node, Figure):
            parts.append(_block_separator + plain_text(node.caption))
        elif isinstance(node, Footnotes):
            parts.extend(_block_separator + plain_text(note) for note in node.notes)
        else:
            parts.append(_inline_text(node.content))
    # Blocks are joined by one space; the spaces of the text itself (no-break
    # spaces among them) are kept as they are.
    text = "".join(parts)
    return " ".join(p.strip(" \n") for p in text.split(_block_separator) if p.strip(" \n"))


def _inline_text(nodes: tuple[Inline, ...]) -> str:
    """Inline nodes' text exactly, spaces at the edges kept (they separate words)."""
    parts: list[str] = []
    for node in nodes:
        if isinstance(node, Text | Code):
            parts.append(node.text)
        elif isinstance(node, LineBreak):
            parts.append(" ")
        elif not isinstance(node, FootnoteRef):
            parts.append(_inline_text(node.content))
    return "".join(parts)


#: Marks where one block's text ends and the next one's starts, inside plain_text.
_block_separator = "\x00"


def map_blocks(blocks: tuple[Block, ...], change: Callable[[Block], Block]) -> tuple[Block, ...]:
    """Apply ``change`` to every block, nested ones first (inside quotes, lists, notes).

    >>> map_blocks((BlockQuote((CodeBlock("a"),)),), lambda b: CodeBlock("b") if
    ...            isinstance(b, CodeBlock) else b)
    (BlockQuote(blocks=(CodeBlock(text='b', language=None),), attribution=()),)
    """

    def inner(block: Block) -> Block:
        block = _map_children(block, change)
        return change(block)

    return tuple(inner(block) for block in blocks)


def _map_children(block: Block, change: Callable[[Block], Block]) -> Block:
    """``block`` with ``map_blocks`` applied to the blocks it holds."""
    if isinstance(block, BlockQuote):
        return replace(block, blocks=map_blocks(block.blocks, change))
    if isinstance(block, BulletList):
        return BulletList(tuple(map_blocks(item, change) for item in block.items))
    if isinstance(block, OrderedList):
        return OrderedList(tuple(map_blocks(item, change) for item in block.items), block.start)
    if isinstance(block, Footnotes):
        return Footnotes(tuple(map_blocks(note, change) for note in block.notes))
    return block


def figures(blocks: tuple[Block, ...]) -> list[Figure]:
    """Every figure of the tree, in reading order."""
    found: list[Figure] = []

    def collect(block: Block) -> Block:
        if isinstance(block, Figure):
            found.append(block)
        return block

    map_blocks(blocks, collect)
    return found


def flatten(blocks: tuple[Block, ...], outer: str = "p") -> tuple[tuple[str, str], ...]:
    """The tree as flat plain-text paragraphs with their ``BLOCK_KINDS``: the 1.x view.

    List items get their "• " or "3. " marker (nested lists flattened), quoted
    paragraphs the kind "quote", headings "subhead"; table rows, code blocks,
    figure captions and footnotes become plain paragraphs.

    >>> flatten((Heading(2, (Text("Votes"),)), OrderedList(((Paragraph((Text("A"),)),),), 4)))
    (('Votes', 'subhead'), ('4. A', 'number'))
    """
    flat: list[tuple[str, str]] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            flat.append((plain_text(block.content), outer))
        elif isinstance(block, Heading):
            flat.append((plain_text(block.content), "subhead"))
        elif isinstance(block, BlockQuote):
            flat.extend(flatten(block.blocks, "quote"))
            if block.attribution:
                flat.append((plain_text(block.attribution), "quote"))
        elif isinstance(block, BulletList | OrderedList):
            for number, item in enumerate(block.items, getattr(block, "start", 1)):
                marker = "• " if isinstance(block, BulletList) else f"{number}. "
                kind = "bullet" if isinstance(block, BulletList) else "number"
                inner = list(flatten(item, outer))
                if inner and inner[0][1] in ("p", "quote"):
                    inner[0] = (marker + inner[0][0], kind)
                flat.extend(inner)
        elif isinstance(block, Table):
            rows = (*block.header, *block.body)
            flat.extend((" | ".join(plain_text(cell) for cell in row), outer) for row in rows)
        elif isinstance(block, CodeBlock):
            flat.append((" ".join(block.text.split()), outer))
        elif isinstance(block, Figure) and block.caption:
            flat.append((plain_text(block.caption), outer))
        elif isinstance(block, Footnotes):
            for note in block.notes:
                flat.extend(flatten(note, outer))
    return tuple((text, kind) for text, kind in flat if text)


#: A numbered list item's marker, as readers write it ("3. ", "3) ").
_NUMBER = re.compile(r"^(\d{1,9})[.)]\s+")


def blocks_from_paragraphs(
    paragraphs: tuple[str, ...], kinds: tuple[str, ...]
) -> tuple[Block, ...]:
    """The tree of flat plain-text paragraphs with their ``BLOCK_KINDS``.

    Consecutive list items become one list (their "• " or "3. " marker taken
    off), consecutive quoted paragraphs one block quote, subheadings level 2.

    >>> blocks_from_paragraphs(("Intro", "• A", "• B", "3. C"), ("p", "bullet", "bullet", "number"))
    ... # doctest: +NORMALIZE_WHITESPACE
    (Paragraph(content=(Text(text='Intro'),)),
     BulletList(items=((Paragraph(content=(Text(text='A'),)),),
                       (Paragraph(content=(Text(text='B'),)),))),
     OrderedList(items=((Paragraph(content=(Text(text='C'),)),),), start=3))
    """
    blocks: list[Block] = []
    run_kind = ""
    run: list[str] = []
    start = 1

    def flush() -> None:
        if not run:
            return
        if run_kind == "quote":
            blocks.append(BlockQuote(tuple(Paragraph((Text(t),)) for t in run)))
        else:
            items = tuple((Paragraph((Text(t),)),) for t in run)
            blocks.append(BulletList(items) if run_kind == "bullet" else OrderedList(items, start))
        run.clear()

    for text, kind in zip(paragraphs, kinds or ("p",) * len(paragraphs), strict=True):
        if kind != run_kind:
            flush()
            run_kind = kind
        if kind == "bullet":
            run.append(text.removeprefix("• "))
        elif kind == "number":
            match = _NUMBER.match(text)
            if not run:
                start = int(match.group(1)) if match else 1
            run.append(text[match.end() :] if match else text)
        elif kind == "quote":
            run.append(text)
        else:
            run_kind = ""
            content = (Text(text),)
            blocks.append(Heading(2, content) if kind == "subhead" else Paragraph(content))
    flush()
    return tuple(blocks)


@dataclass(frozen=True, slots=True)
class RawArticle:
    """What a reader found in an input file, before any clean-up of its text.

    The text is decoded (``changes`` holds any decoding repairs) and split into
    parts, but otherwise exactly as in the file. ``credit`` is set when the
    format names the photo credit itself (Markdown front matter, JSON, a web
    page's credit element); plain text leaves it in the caption for the
    normaliser to split off. ``warnings`` are things the reader left out or
    could not use (a remote image on a web page), for the user to see.
    ``kinds`` says what each paragraph is (``BLOCK_KINDS``), one per paragraph;
    empty when every paragraph is plain (plain text has no structure).
    ``body`` is the document tree when the format has structure (Markdown,
    JSON 2.0); then ``paragraphs`` holds only its plain text. ``content`` is
    the tree either way. ``dateline`` is set when the format names it apart
    from the text (a wire story's NITF ``dateline``, NewsML-G2 ``located``);
    otherwise the normaliser looks for one at the start of the text.
    """

    source: Path
    headline: str
    caption: str | None
    paragraphs: tuple[str, ...]
    metadata: Metadata = field(default_factory=Metadata)
    image: Image | None = None
    encoding: str = "utf-8"
    changes: tuple[Change, ...] = ()
    credit: str | None = None
    warnings: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    body: tuple[Block, ...] = ()
    dateline: str | None = None

    def __post_init__(self) -> None:
        _check_kinds(self.kinds, self.paragraphs)

    @property
    def content(self) -> tuple[Block, ...]:
        """The document tree: ``body``, or the tree of the flat paragraphs."""
        return self.body or blocks_from_paragraphs(self.paragraphs, self.kinds)


def _check_kinds(kinds: tuple[str, ...], paragraphs: tuple[str, ...]) -> None:
    """Kinds are none at all, or one known kind per paragraph."""
    if kinds and len(kinds) != len(paragraphs):
        raise ValueError(f"{len(kinds)} kinds for {len(paragraphs)} paragraphs")
    if not set(kinds) <= BLOCK_KINDS:
        raise ValueError(f"unknown paragraph kinds: {sorted(set(kinds) - BLOCK_KINDS)}")


@dataclass(frozen=True, slots=True)
class Article:
    """A normalised article, ready to render.

    ``metadata.language`` is always set (given or detected); ``metadata.identifier``
    is always set (given or derived from the content). ``changes`` is the full
    change log: the reader's decoding repairs, then every normalising fix.
    ``kinds`` is as in RawArticle: one per paragraph, or empty for all plain.
    ``body`` is the normalised document tree (what the renderers draw); the
    normaliser also sets ``paragraphs`` to the plain text of its top-level
    blocks, for descriptions and identifiers. An Article built by hand may give
    only ``paragraphs`` (and ``kinds``): ``content`` is the tree either way.
    """

    source: Path
    headline: str
    caption: str | None
    credit: str | None
    dateline: str | None
    paragraphs: tuple[str, ...]
    metadata: Metadata
    image: Image | None = None
    encoding: str = "utf-8"
    changes: tuple[Change, ...] = ()
    warnings: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    body: tuple[Block, ...] = ()

    def __post_init__(self) -> None:
        _check_kinds(self.kinds, self.paragraphs)

    @property
    def content(self) -> tuple[Block, ...]:
        """The document tree: ``body``, or the tree of the flat paragraphs."""
        return self.body or blocks_from_paragraphs(self.paragraphs, self.kinds)

    @property
    def footnotes(self) -> tuple[tuple[Block, ...], ...]:
        """The notes of the body's Footnotes block (none when it has none)."""
        return next((b.notes for b in self.content if isinstance(b, Footnotes)), ())

    @property
    def language(self) -> str:
        """The article's BCP 47 language tag."""
        return self.metadata.language or "en"

    @property
    def blocks(self) -> tuple[tuple[str, str], ...]:
        """Each paragraph with its kind, as (text, kind).

        >>> Article(Path("a.txt"), "T", None, None, None, ("One", "• Two"), Metadata(),
        ...         kinds=("p", "bullet")).blocks
        (('One', 'p'), ('• Two', 'bullet'))
        """
        kinds = self.kinds or ("p",) * len(self.paragraphs)
        return tuple(zip(self.paragraphs, kinds, strict=True))

    def with_metadata(self, metadata: Metadata) -> Article:
        """Return a copy with other metadata."""
        return replace(self, metadata=metadata)


@dataclass(frozen=True, slots=True)
class Collection:
    """Articles published as one book: a daily digest, a dossier, or one article alone.

    ``articles`` are in reading order. ``identifier`` is given or derived from
    the articles; ``date`` is an ISO 8601 date. ``front_matter``: the book
    opens with a title page and a contents page (a collection's do; a single
    article, ``Collection.of``, opens on the article itself).
    """

    title: str
    articles: tuple[Article, ...]
    date: str | None = None
    identifier: str | None = None
    publisher: str | None = None
    front_matter: bool = True

    @classmethod
    def of(cls, article: Article) -> Collection:
        """A single article as a collection of one: its headline, date, identifier, publisher.

        The renderers have one path; this is how one article takes it.
        """
        meta = article.metadata
        return cls(
            title=article.headline,
            articles=(article,),
            date=meta.date,
            identifier=meta.identifier,
            publisher=meta.publisher,
            front_matter=False,
        )

    @property
    def language(self) -> str:
        """The language most of the articles are in (the first article's on a tie)."""
        counts: dict[str, int] = {}
        for article in self.articles:
            counts[article.language] = counts.get(article.language, 0) + 1
        return max(counts, key=lambda lang: counts[lang]) if counts else "en"
